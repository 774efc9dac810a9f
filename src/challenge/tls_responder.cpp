#include "tls_responder.h"

#include <fcntl.h>
#include <openssl/err.h>
#include <openssl/tls1.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <list>
#include <string_view>
#include <vector>

#include <fmt/format.h>

#include "certkeeper/util/unique_fd.h"

namespace certkeeper::challenge::detail {
namespace {

using SteadyClock = std::chrono::steady_clock;

constexpr std::string_view kAcmeTls = "acme-tls/1";  // RFC 8737 §6.2
constexpr auto kHandshakeTimeout = std::chrono::seconds(10);
constexpr std::size_t kMaxTlsConnections = 64;

std::string_view bytes(const unsigned char* p, std::size_t n) {
  return {reinterpret_cast<const char*>(p), n};
}

std::size_t u16(const unsigned char* p) { return static_cast<std::size_t>(p[0]) << 8 | p[1]; }

// ProtocolNameList (RFC 7301 §3.1): u16 length, then u8-length-prefixed names.
bool offers_acme_tls(const unsigned char* data, std::size_t len) {
  if (len < 2 || u16(data) != len - 2) return false;
  for (std::size_t i = 2; i < len;) {
    std::size_t n = data[i];
    if (n == 0 || i + 1 + n > len) return false;
    if (bytes(data + i + 1, n) == kAcmeTls) return true;
    i += 1 + n;
  }
  return false;
}

// ServerNameList (RFC 6066 §3): u16 length, then {u8 type, u16 length, name};
// the host_name (type 0), or "" when there is none.
std::string host_name(const unsigned char* data, std::size_t len) {
  if (len < 2 || u16(data) != len - 2) return {};
  for (std::size_t i = 2; i + 3 <= len;) {
    std::size_t n = u16(data + i + 1);
    if (i + 3 + n > len) return {};
    if (data[i] == 0) return std::string(bytes(data + i + 3, n));
    i += 3 + n;
  }
  return {};
}

// Runs before OpenSSL looks at a certificate: refuse anything but an
// acme-tls/1 handshake for an active name, and install that name's
// certificate on this connection.
// The name as answers are registered: lower case, no trailing dot.
std::string normalized(std::string name) {
  for (char& c : name) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  if (!name.empty() && name.back() == '.') name.pop_back();
  return name;
}

int on_client_hello(SSL* ssl, int* alert, void* arg) {
  const auto& lookup = *static_cast<const AnswerLookup*>(arg);
  const unsigned char* data = nullptr;
  std::size_t len = 0;
  if (SSL_client_hello_get0_ext(ssl, TLSEXT_TYPE_application_layer_protocol_negotiation, &data, &len) != 1 ||
      !offers_acme_tls(data, len)) {
    *alert = SSL_AD_NO_APPLICATION_PROTOCOL;
    return SSL_CLIENT_HELLO_ERROR;
  }
  std::string sni;
  if (SSL_client_hello_get0_ext(ssl, TLSEXT_TYPE_server_name, &data, &len) == 1) sni = host_name(data, len);
  auto identity = sni.empty() ? nullptr : std::static_pointer_cast<const TlsIdentity>(lookup(normalized(sni)));
  if (!identity) {
    *alert = SSL_AD_UNRECOGNIZED_NAME;
    return SSL_CLIENT_HELLO_ERROR;
  }
  if (SSL_use_certificate(ssl, identity->cert.get()) != 1 || SSL_use_PrivateKey(ssl, identity->key.get()) != 1) {
    *alert = SSL_AD_INTERNAL_ERROR;
    return SSL_CLIENT_HELLO_ERROR;
  }
  return SSL_CLIENT_HELLO_SUCCESS;
}

int on_alpn(SSL*, const unsigned char** out, unsigned char* out_len, const unsigned char* in, unsigned int in_len,
            void*) {
  for (unsigned int i = 0; i < in_len;) {
    unsigned int n = in[i];
    if (i + 1 + n > in_len) break;
    if (bytes(in + i + 1, n) == kAcmeTls) {
      *out = in + i + 1;
      *out_len = static_cast<unsigned char>(n);
      return SSL_TLSEXT_ERR_OK;
    }
    i += 1 + n;
  }
  return SSL_TLSEXT_ERR_ALERT_FATAL;
}

Result<SslCtxPtr> make_context(const AnswerLookup* lookup) {
  SslCtxPtr ctx(SSL_CTX_new(TLS_server_method()));
  if (!ctx || SSL_CTX_set_min_proto_version(ctx.get(), TLS1_2_VERSION) != 1 ||
      SSL_CTX_set_num_tickets(ctx.get(), 0) != 1) {
    ERR_clear_error();
    return make_error(Errc::crypto, "cannot set up TLS for the tls-alpn-01 responder");
  }
  SSL_CTX_set_options(ctx.get(), SSL_OP_NO_TICKET);
  SSL_CTX_set_session_cache_mode(ctx.get(), SSL_SESS_CACHE_OFF);
  SSL_CTX_set_client_hello_cb(ctx.get(), on_client_hello, const_cast<AnswerLookup*>(lookup));
  SSL_CTX_set_alpn_select_cb(ctx.get(), on_alpn, nullptr);
  return ctx;
}

struct TlsConnection {
  UniqueFd fd;  // declared first: the SSL object is freed before its socket closes
  SslPtr ssl;
  SteadyClock::time_point deadline;
  short events = POLLIN;
};

// One handshake step. True while the handshake still needs I/O.
bool advance(TlsConnection& c) {
  int rc = SSL_do_handshake(c.ssl.get());
  if (rc == 1) {
    // RFC 8737 §3: nothing more is exchanged; say goodbye and close.
    SSL_shutdown(c.ssl.get());
    ERR_clear_error();
    return false;
  }
  int err = SSL_get_error(c.ssl.get(), rc);
  ERR_clear_error();
  if (err == SSL_ERROR_WANT_READ) {
    c.events = POLLIN;
    return true;
  }
  if (err == SSL_ERROR_WANT_WRITE) {
    c.events = POLLOUT;
    return true;
  }
  return false;  // refused (no acme-tls/1, unknown name) or broken
}

}  // namespace

Result<std::unique_ptr<Listener>> TlsResponder::start(int listen_fd, AnswerLookup lookup) {
  std::unique_ptr<TlsResponder> r(new TlsResponder());
  r->listen_fd_ = listen_fd;
  r->lookup_ = std::move(lookup);
  auto ctx = make_context(&r->lookup_);
  if (!ctx) return std::move(ctx).error();
  r->ctx_ = std::move(*ctx);
  int wake[2];
  if (::pipe2(wake, O_CLOEXEC | O_NONBLOCK) != 0) {
    return make_error(Errc::io, fmt::format("cannot start the tls-alpn-01 responder: cannot create a pipe: {}",
                                            std::strerror(errno)));
  }
  r->wake_read_ = wake[0];
  r->wake_write_ = wake[1];
  try {
    r->thread_ = std::thread([raw = r.get()] { raw->run(); });
  } catch (const std::system_error& e) {
    return make_error(Errc::io, fmt::format("cannot start the tls-alpn-01 responder: {}", e.what()));
  }
  return std::unique_ptr<Listener>(std::move(r));
}

TlsResponder::~TlsResponder() {
  if (thread_.joinable()) {
    char byte = 1;
    while (::write(wake_write_, &byte, 1) < 0 && errno == EINTR) {
    }
    thread_.join();
  }
  for (int fd : {listen_fd_, wake_read_, wake_write_}) {
    if (fd >= 0) ::close(fd);
  }
}

void TlsResponder::run() {
  // OpenSSL writes with write(), not send(MSG_NOSIGNAL): a client that
  // resets mid-handshake must not kill the process with SIGPIPE.
  sigset_t pipe_set;
  sigemptyset(&pipe_set);
  sigaddset(&pipe_set, SIGPIPE);
  ::pthread_sigmask(SIG_BLOCK, &pipe_set, nullptr);

  std::list<TlsConnection> conns;
  std::vector<pollfd> fds;
  std::vector<TlsConnection*> polled;
  while (true) {
    fds.clear();
    polled.clear();
    fds.push_back({wake_read_, POLLIN, 0});
    fds.push_back({listen_fd_, static_cast<short>(conns.size() < kMaxTlsConnections ? POLLIN : 0), 0});
    auto now = SteadyClock::now();
    int wait_ms = 1000;
    for (auto& c : conns) {
      fds.push_back({c.fd.get(), c.events, 0});
      polled.push_back(&c);
      auto left = std::chrono::duration_cast<std::chrono::milliseconds>(c.deadline - now).count() + 1;
      wait_ms = std::clamp<int>(static_cast<int>(left), 0, wait_ms);
    }
    int rc = ::poll(fds.data(), fds.size(), wait_ms);
    if (rc < 0 && errno != EINTR) break;
    if (fds[0].revents != 0) break;  // asked to stop

    now = SteadyClock::now();
    for (std::size_t i = 0; i < polled.size(); ++i) {
      TlsConnection* c = polled[i];
      if (fds[i + 2].revents != 0 ? !advance(*c) : now >= c->deadline) {
        conns.remove_if([c](const TlsConnection& x) { return &x == c; });
      }
    }
    if (fds[1].revents == 0) continue;
    while (conns.size() < kMaxTlsConnections) {
      int fd = ::accept4(listen_fd_, nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC);
      if (fd < 0) {
        // Out of descriptors: the backlog stays readable, so pause rather
        // than spin; anything else (EAGAIN, an aborted connection) ends the batch.
        if (errno == EMFILE || errno == ENFILE) std::this_thread::sleep_for(std::chrono::milliseconds(50));
        break;
      }
      TlsConnection& c = conns.emplace_back();
      c.fd.reset(fd);
      c.deadline = now + kHandshakeTimeout;
      c.ssl.reset(SSL_new(ctx_.get()));
      if (!c.ssl || SSL_set_fd(c.ssl.get(), fd) != 1) {
        ERR_clear_error();
        conns.pop_back();
        continue;
      }
      SSL_set_accept_state(c.ssl.get());
      if (!advance(c)) conns.pop_back();
    }
  }
}

}  // namespace certkeeper::challenge::detail
