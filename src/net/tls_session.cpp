#include "certkeeper/net/tls_session.h"

#include <arpa/inet.h>
#include <openssl/err.h>
#include <openssl/x509_vfy.h>
#include <sys/stat.h>

#include <algorithm>
#include <array>
#include <cstdlib>

namespace certkeeper::net {
namespace {

constexpr std::size_t kChunk = 16 * 1024;

// The reason of the last OpenSSL error in words ("wrong version number",
// "tlsv1 alert handshake failure"), never the whole error stack.
std::string openssl_reason() {
  const char* reason = ERR_reason_error_string(ERR_peek_last_error());
  ERR_clear_error();
  return reason ? reason : "";
}

Error setup_failed(const char* what) {
  ERR_clear_error();
  return make_error(Errc::crypto, std::string("cannot set up the TLS client: ") + what);
}

bool is_ip_literal(const std::string& name) {
  unsigned char buffer[16];
  return ::inet_pton(AF_INET, name.c_str(), buffer) == 1 || ::inet_pton(AF_INET6, name.c_str(), buffer) == 1;
}

bool is_directory(const char* path) {
  struct stat st {};
  return path != nullptr && ::stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

// The system store. OpenSSL's default also parses the whole bundle file
// (Debian: some 140 CAs, about a megabyte of heap in every ACME run) where
// its hashed directory holds the same CAs, read one at a time as a chain
// needs them; the environment's own choice is honoured as OpenSSL would.
bool load_system_store(SSL_CTX* ctx) {
  const char* dir = X509_get_default_cert_dir();
  const bool environment = std::getenv(X509_get_default_cert_file_env()) != nullptr ||
                           std::getenv(X509_get_default_cert_dir_env()) != nullptr;
  if (!environment && is_directory(dir)) return SSL_CTX_load_verify_dir(ctx, dir) == 1;
  return SSL_CTX_set_default_verify_paths(ctx) == 1;
}

}  // namespace

Result<crypto::SslCtxPtr> accepting_client_context() {
  crypto::SslCtxPtr ctx(SSL_CTX_new(TLS_client_method()));
  if (!ctx) return setup_failed("SSL_CTX_new");
  SSL_CTX_set_verify(ctx.get(), SSL_VERIFY_NONE, nullptr);
  return ctx;
}

Result<crypto::SslCtxPtr> verifying_client_context(const std::string& ca_file) {
  crypto::SslCtxPtr ctx(SSL_CTX_new(TLS_client_method()));
  if (!ctx) return setup_failed("SSL_CTX_new");
  SSL_CTX_set_verify(ctx.get(), SSL_VERIFY_PEER, nullptr);
  if (SSL_CTX_set_min_proto_version(ctx.get(), TLS1_2_VERSION) != 1) return setup_failed("the minimum TLS version");
  if (!ca_file.empty()) {
    if (SSL_CTX_load_verify_file(ctx.get(), ca_file.c_str()) != 1) {
      ERR_clear_error();
      return make_error(Errc::network, "TLS setup failed: the CA file " + ca_file + " could not be read", ca_file);
    }
  } else if (!load_system_store(ctx.get())) {
    return setup_failed("the system's CA store cannot be loaded");
  }
  return ctx;
}

Result<TlsChannel> TlsChannel::handshake(Connection conn, SSL_CTX* ctx, const TlsPeer& peer) {
  TlsChannel s(std::move(conn));
  const auto setup_failed = [&s](const char* what) {
    ERR_clear_error();
    return s.fail(Errc::crypto, std::string("cannot set up the TLS client: ") + what);
  };
  s.ssl_.reset(SSL_new(ctx));
  if (!s.ssl_) return setup_failed("SSL_new");
  BIO* inner = nullptr;
  BIO* outer = nullptr;
  if (BIO_new_bio_pair(&inner, 0, &outer, 0) != 1) return setup_failed("BIO_new_bio_pair");
  s.network_.reset(outer);
  SSL_set_bio(s.ssl_.get(), inner, inner);  // the SSL owns the inner half from here
  if (!peer.sni.empty() && !is_ip_literal(peer.sni) && SSL_set_tlsext_host_name(s.ssl_.get(), peer.sni.c_str()) != 1) {
    return setup_failed("the server name cannot be sent");
  }
  if (!peer.expected_name.empty()) {
    X509_VERIFY_PARAM* param = SSL_get0_param(s.ssl_.get());
    const bool set = is_ip_literal(peer.expected_name)
                         ? X509_VERIFY_PARAM_set1_ip_asc(param, peer.expected_name.c_str()) == 1
                         : SSL_set1_host(s.ssl_.get(), peer.expected_name.c_str()) == 1;
    if (!set) return setup_failed("the expected server name cannot be set");
  }
  SSL_set_connect_state(s.ssl_.get());

  while (true) {
    const int rc = SSL_do_handshake(s.ssl_.get());
    const int err = rc == 1 ? SSL_ERROR_NONE : SSL_get_error(s.ssl_.get(), rc);
    if (auto sent = s.flush("sending the TLS handshake"); !sent) return std::move(sent).error();
    if (rc == 1) return s;
    if (err == SSL_ERROR_WANT_READ) {
      if (auto got = s.fill("waiting for the server's TLS handshake"); !got) return std::move(got).error();
      continue;
    }
    if (err == SSL_ERROR_WANT_WRITE) continue;  // the flush above made room
    if (const long verdict = SSL_get_verify_result(s.ssl_.get()); verdict != X509_V_OK) {
      ERR_clear_error();
      return s.fail(Errc::network, std::string("TLS verify failed: the server certificate is not trusted or does not "
                                               "match (") + X509_verify_cert_error_string(verdict) + ")");
    }
    const std::string reason = openssl_reason();
    return s.fail(Errc::network, reason.empty() ? "the TLS handshake failed" : "the TLS handshake failed: " + reason);
  }
}

Error TlsChannel::broke(std::string_view doing) const {
  const std::string reason = openssl_reason();
  return fail(Errc::network,
              "the TLS connection broke while " + std::string(doing) + (reason.empty() ? "" : ": " + reason));
}

// Everything TLS wrote into the pair, out to the server.
Status TlsChannel::flush(std::string_view doing) {
  std::array<char, kChunk> buf;
  while (BIO_ctrl_pending(network_.get()) > 0) {
    const int n = BIO_read(network_.get(), buf.data(), static_cast<int>(buf.size()));
    if (n <= 0) break;
    if (auto sent = conn_.send_all({buf.data(), static_cast<std::size_t>(n)}, doing); !sent) return sent;
  }
  return {};
}

// What the server sent next, into the pair for TLS to read: how many bytes,
// 0 when the server closed the connection.
Result<std::size_t> TlsChannel::pull(std::string_view doing) {
  std::array<char, kChunk> buf;
  const std::size_t room = std::min(BIO_ctrl_get_write_guarantee(network_.get()), buf.size());
  if (room == 0) return fail(Errc::internal, "the TLS input buffer is full while TLS waits for input");
  auto n = conn_.receive(buf.data(), room, doing);
  if (!n || *n == 0) return n;
  if (BIO_write(network_.get(), buf.data(), static_cast<int>(*n)) != static_cast<int>(*n)) {
    return fail(Errc::internal, "the TLS input buffer took less than it promised");
  }
  return n;
}

Status TlsChannel::fill(std::string_view doing) {
  auto n = pull(doing);
  if (!n) return std::move(n).error();
  if (*n == 0) return fail(Errc::network, "the server closed the connection while " + std::string(doing));
  return {};
}

Status TlsChannel::send_all(std::string_view data, std::string_view doing) {
  while (!data.empty()) {
    const int want = static_cast<int>(std::min<std::size_t>(data.size(), kChunk));
    const int rc = SSL_write(ssl_.get(), data.data(), want);
    const int err = rc > 0 ? SSL_ERROR_NONE : SSL_get_error(ssl_.get(), rc);
    if (auto sent = flush(doing); !sent) return sent;
    if (rc > 0) {
      data.remove_prefix(static_cast<std::size_t>(rc));
    } else if (err == SSL_ERROR_WANT_READ) {
      if (auto got = fill(doing); !got) return got;
    } else if (err != SSL_ERROR_WANT_WRITE) {
      return broke(doing);
    }
  }
  return {};
}

Result<std::size_t> TlsChannel::receive(char* buffer, std::size_t size, std::string_view doing) {
  const int want = static_cast<int>(std::min<std::size_t>(size, kChunk));
  while (true) {
    const int rc = SSL_read(ssl_.get(), buffer, want);
    if (rc > 0) return static_cast<std::size_t>(rc);
    const int err = SSL_get_error(ssl_.get(), rc);
    if (auto sent = flush(doing); !sent) return std::move(sent).error();  // e.g. a key update's answer
    if (err == SSL_ERROR_ZERO_RETURN) return std::size_t{0};               // close_notify
    if (err == SSL_ERROR_WANT_WRITE) continue;
    if (err != SSL_ERROR_WANT_READ) {
      return broke(doing);
    }
    auto n = pull(doing);
    if (!n) return n;
    // A close without close_notify: the end of the data all the same; the
    // HTTP framing (Content-Length, chunks) tells a cut response apart.
    if (*n == 0) return n;
  }
}

void TlsChannel::goodbye() {
  SSL_shutdown(ssl_.get());
  ERR_clear_error();
  (void)flush("saying goodbye");
}

}  // namespace certkeeper::net
