#include "probe_tls.h"

#include <openssl/err.h>

#include <algorithm>
#include <array>

namespace certkeeper::deploy::probe_detail {
namespace {

constexpr std::size_t kChunk = 16 * 1024;

// Everything TLS wrote into the pair, out to the server.
Status flush(Connection& conn, BIO* network) {
  std::array<char, kChunk> buf;
  while (BIO_ctrl_pending(network) > 0) {
    int n = BIO_read(network, buf.data(), static_cast<int>(buf.size()));
    if (n <= 0) break;
    if (auto sent = conn.send_all({buf.data(), static_cast<std::size_t>(n)}, "sending the TLS handshake"); !sent) {
      return sent;
    }
  }
  return {};
}

// What the server sent next, into the pair for TLS to read.
Status fill(Connection& conn, BIO* network) {
  std::array<char, kChunk> buf;
  const std::size_t room = std::min(BIO_ctrl_get_write_guarantee(network), buf.size());
  if (room == 0) return conn.fail(Errc::internal, "the TLS input buffer is full while TLS waits for input");
  auto n = conn.receive(buf.data(), room, "waiting for the server's TLS handshake");
  if (!n) return std::move(n).error();
  if (*n == 0) return conn.fail(Errc::network, "the server closed the connection during the TLS handshake");
  if (BIO_write(network, buf.data(), static_cast<int>(*n)) != static_cast<int>(*n)) {
    return conn.fail(Errc::internal, "the TLS input buffer took less than it promised");
  }
  return {};
}

// The reason of the last OpenSSL error in words ("wrong version number",
// "tlsv1 alert handshake failure"), never the whole error stack.
Error handshake_failed(Connection& conn) {
  const char* reason = ERR_reason_error_string(ERR_peek_last_error());
  ERR_clear_error();
  return conn.fail(Errc::network, reason ? std::string("the TLS handshake failed: ") + reason
                                         : std::string("the TLS handshake failed"));
}

Error setup_failed(Connection& conn, const char* what) {
  ERR_clear_error();
  return conn.fail(Errc::crypto, std::string("cannot set up the TLS client: ") + what);
}

}  // namespace

Result<TlsSession> tls_handshake(Connection& conn, const std::string& sni) {
  TlsSession s;
  s.ctx.reset(SSL_CTX_new(TLS_client_method()));
  if (!s.ctx) return setup_failed(conn, "SSL_CTX_new");
  // A certificate that does not verify is a finding of the probe, not a
  // failed connection: OpenSSL must not abort the handshake over it.
  SSL_CTX_set_verify(s.ctx.get(), SSL_VERIFY_NONE, nullptr);
  s.ssl.reset(SSL_new(s.ctx.get()));
  if (!s.ssl) return setup_failed(conn, "SSL_new");
  BIO* inner = nullptr;
  BIO* outer = nullptr;
  if (BIO_new_bio_pair(&inner, 0, &outer, 0) != 1) return setup_failed(conn, "BIO_new_bio_pair");
  s.network.reset(outer);
  SSL_set_bio(s.ssl.get(), inner, inner);  // the SSL owns the inner half from here
  if (!sni.empty() && SSL_set_tlsext_host_name(s.ssl.get(), sni.c_str()) != 1) {
    return setup_failed(conn, "the server name cannot be sent");
  }
  SSL_set_connect_state(s.ssl.get());

  while (true) {
    const int rc = SSL_do_handshake(s.ssl.get());
    const int err = rc == 1 ? SSL_ERROR_NONE : SSL_get_error(s.ssl.get(), rc);
    if (auto sent = flush(conn, s.network.get()); !sent) return std::move(sent).error();
    if (rc == 1) return s;
    if (err == SSL_ERROR_WANT_READ) {
      if (auto got = fill(conn, s.network.get()); !got) return std::move(got).error();
    } else if (err != SSL_ERROR_WANT_WRITE) {  // WANT_WRITE: the flush above made room
      return handshake_failed(conn);
    }
  }
}

void tls_goodbye(Connection& conn, TlsSession& session) {
  SSL_shutdown(session.ssl.get());
  ERR_clear_error();
  (void)flush(conn, session.network.get());
}

}  // namespace certkeeper::deploy::probe_detail
