#include "support/tls_endpoint.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <stdexcept>
#include <string_view>

#include "support/ossl_ptr.h"

namespace certkeeper::testing {

using SslCtx = std::unique_ptr<SSL_CTX, ossl::Deleter<SSL_CTX, SSL_CTX_free>>;
using Ssl = std::unique_ptr<SSL, ossl::Deleter<SSL, SSL_free>>;

struct TlsEndpoint::State {
  TlsEndpointOptions options;
  SslCtx ctx;
  SslCtx stale_ctx;     // only with stale_connections
  int accepted = 0;     // connections so far (the endpoint's thread only)
  mutable std::mutex mutex;
  std::vector<ClientHelloSeen> hellos;
  std::vector<std::string> commands;
};

namespace {

// No connection of a test lives longer than this, whatever the client does.
constexpr auto kConnectionLimit = std::chrono::seconds(10);
// An endless line stops here if the client never gives up.
constexpr std::size_t kEndlessCap = 16 * 1024 * 1024;

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

// Runs in the middle of the ClientHello, before the server answers it.
int on_servername(SSL* ssl, int*, void* arg) {
  auto* state = static_cast<TlsEndpoint::State*>(arg);
  ClientHelloSeen seen;
  if (const char* name = SSL_get_servername(ssl, TLSEXT_NAMETYPE_host_name)) seen.sni = name;
  std::lock_guard lock(state->mutex);
  state->hellos.push_back(std::move(seen));
  return SSL_TLSEXT_ERR_OK;
}

SslCtx make_context(TlsEndpoint::State* state, const std::string& chain_pem, const std::string& key_pem) {
  SslCtx ctx(ossl::check(SSL_CTX_new(TLS_server_method()), "SSL_CTX_new"));
  ossl::Bio certs(ossl::check(BIO_new_mem_buf(chain_pem.data(), static_cast<int>(chain_pem.size())), "BIO"));
  ossl::X509Ptr leaf(ossl::check(PEM_read_bio_X509(certs.get(), nullptr, nullptr, nullptr), "the leaf PEM"));
  ossl::check(SSL_CTX_use_certificate(ctx.get(), leaf.get()), "SSL_CTX_use_certificate");
  while (ossl::X509Ptr extra{PEM_read_bio_X509(certs.get(), nullptr, nullptr, nullptr)}) {
    ossl::check(SSL_CTX_add1_chain_cert(ctx.get(), extra.get()), "SSL_CTX_add1_chain_cert");
  }
  ERR_clear_error();  // the end of the PEM list
  ossl::Bio key_bio(ossl::check(BIO_new_mem_buf(key_pem.data(), static_cast<int>(key_pem.size())), "BIO"));
  ossl::Pkey key(ossl::check(PEM_read_bio_PrivateKey(key_bio.get(), nullptr, nullptr, nullptr), "the key PEM"));
  ossl::check(SSL_CTX_use_PrivateKey(ctx.get(), key.get()), "SSL_CTX_use_PrivateKey");
  ossl::check(SSL_CTX_check_private_key(ctx.get()), "the key does not match the leaf");
  // Serve exactly the given chain: never complete it from a store.
  SSL_CTX_set_mode(ctx.get(), SSL_MODE_NO_AUTO_CHAIN);
  ossl::check(SSL_CTX_set_num_tickets(ctx.get(), 0), "SSL_CTX_set_num_tickets");
  SSL_CTX_set_tlsext_servername_callback(ctx.get(), on_servername);
  SSL_CTX_set_tlsext_servername_arg(ctx.get(), state);
  return ctx;
}

// One accepted connection: every wait also watches the stop pipe and the
// connection's time limit; any of them ends the conversation (false).
class Peer {
 public:
  Peer(int fd, int wake, TlsEndpoint::State& state)
      : fd_(fd), wake_(wake), state_(state), deadline_(std::chrono::steady_clock::now() + kConnectionLimit) {}

  bool wait(short events) {
    while (true) {
      auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline_ - std::chrono::steady_clock::now());
      if (left.count() <= 0) return false;
      pollfd fds[2] = {{fd_, events, 0}, {wake_, POLLIN, 0}};
      int rc = ::poll(fds, 2, static_cast<int>(left.count()));
      if (rc < 0 && errno == EINTR) continue;
      if (rc < 0 || fds[1].revents != 0) return false;
      if (fds[0].revents != 0) return true;
    }
  }

  bool send(std::string_view data) {
    while (!data.empty()) {
      ssize_t n = ::send(fd_, data.data(), data.size(), MSG_NOSIGNAL);
      if (n > 0) {
        data.remove_prefix(static_cast<std::size_t>(n));
      } else if (n < 0 && (errno == EAGAIN || errno == EINTR)) {
        if (!wait(POLLOUT)) return false;
      } else {
        return false;  // the client went away
      }
    }
    return true;
  }

  // One command line, CRLF removed, recorded. Byte by byte, so that nothing
  // of the ClientHello that follows a STARTTLS command is read here.
  std::optional<std::string> command() {
    std::string line;
    while (line.size() < 4096) {
      char c = 0;
      ssize_t n = ::recv(fd_, &c, 1, 0);
      if (n == 0) return std::nullopt;
      if (n < 0) {
        if ((errno == EAGAIN || errno == EINTR) && wait(POLLIN)) continue;
        return std::nullopt;
      }
      if (c == '\n') {
        if (!line.empty() && line.back() == '\r') line.pop_back();
        std::lock_guard lock(state_.mutex);
        state_.commands.push_back(line);
        return line;
      }
      line += c;
    }
    return std::nullopt;
  }

  // Until the client closes (or stop / the time limit).
  void stay_silent() {
    char buf[256];
    while (wait(POLLIN)) {
      ssize_t n = ::recv(fd_, buf, sizeof buf, 0);
      if (n == 0 || (n < 0 && errno != EAGAIN && errno != EINTR)) return;
    }
  }

  void endless(std::string_view start, std::string_view repeat) {
    if (!send(start)) return;
    for (std::size_t sent = 0; sent < kEndlessCap && send(repeat); sent += repeat.size()) {
    }
  }

  void tls() {
    const auto& stale = state_.options.stale_connections;
    const bool old_worker = std::find(stale.begin(), stale.end(), state_.accepted++) != stale.end();
    Ssl ssl(SSL_new(old_worker ? state_.stale_ctx.get() : state_.ctx.get()));
    if (!ssl || SSL_set_fd(ssl.get(), fd_) != 1) return;
    while (true) {
      int rc = SSL_accept(ssl.get());
      if (rc == 1) break;
      int err = SSL_get_error(ssl.get(), rc);
      ERR_clear_error();
      if (err == SSL_ERROR_WANT_READ && wait(POLLIN)) continue;
      if (err == SSL_ERROR_WANT_WRITE && wait(POLLOUT)) continue;
      return;
    }
    SSL_shutdown(ssl.get());
    ERR_clear_error();
  }

 private:
  int fd_;
  int wake_;
  TlsEndpoint::State& state_;
  std::chrono::steady_clock::time_point deadline_;
};

// Each returns true when TLS is to start.

bool smtp(Peer& peer, EndpointFault fault) {
  if (fault == EndpointFault::endless_line || fault == EndpointFault::endless_lines) {
    if (fault == EndpointFault::endless_line) peer.endless("220 ", std::string(1024, 'x'));
    if (fault == EndpointFault::endless_lines) peer.endless("", "220-still greeting\r\n");
    return false;
  }
  // A multi-line greeting (RFC 5321 §4.2), and a STARTTLS keyword in mixed
  // case: the probe must accept both.
  if (!peer.send("220-mail.example.test ESMTP certkeeper test\r\n220 ready\r\n")) return false;
  while (auto line = peer.command()) {
    const std::string verb = lower(line->substr(0, line->find(' ')));
    std::string reply;
    if (verb == "ehlo") {
      reply = "250-mail.example.test greets you\r\n250-PIPELINING\r\n";
      if (fault != EndpointFault::no_starttls) reply += "250-StartTLS\r\n";
      reply += "250 8BITMIME\r\n";
    } else if (verb == "starttls") {
      if (fault == EndpointFault::none) return peer.send("220 2.0.0 Ready to start TLS\r\n");
      reply = fault == EndpointFault::starttls_refused ? "454 4.7.0 TLS not available due to local problem\r\n"
                                                       : "502 5.5.1 Unrecognized command\r\n";
    } else if (verb == "quit") {
      peer.send("221 2.0.0 Bye\r\n");
      return false;
    } else {
      reply = "500 5.5.2 Syntax error, command unrecognized\r\n";
    }
    if (!peer.send(reply)) return false;
  }
  return false;
}

bool imap(Peer& peer, EndpointFault fault) {
  if (fault == EndpointFault::endless_line) {
    peer.endless("* OK ", std::string(1024, 'x'));
    return false;
  }
  if (!peer.send("* OK [CAPABILITY IMAP4rev1 STARTTLS LOGINDISABLED] certkeeper test ready\r\n")) return false;
  while (auto line = peer.command()) {
    const auto space = line->find(' ');
    const std::string tag = line->substr(0, space);
    const std::string verb = space == std::string::npos ? "" : lower(line->substr(space + 1));
    std::string reply;
    if (verb == "starttls") {
      // An untagged line first: the probe must skip it.
      if (fault == EndpointFault::none)
        return peer.send("* OK still here\r\n" + tag + " OK Begin TLS negotiation now\r\n");
      reply = tag + (fault == EndpointFault::starttls_refused ? " NO TLS is not available right now\r\n"
                                                              : " BAD Unknown command\r\n");
    } else if (verb == "logout") {
      peer.send("* BYE\r\n" + tag + " OK LOGOUT completed\r\n");
      return false;
    } else {
      reply = tag + " BAD Unknown command\r\n";
    }
    if (!peer.send(reply)) return false;
  }
  return false;
}

bool pop3(Peer& peer, EndpointFault fault) {
  if (fault == EndpointFault::endless_line) {
    peer.endless("+OK ", std::string(1024, 'x'));
    return false;
  }
  if (!peer.send("+OK certkeeper test POP3 server ready\r\n")) return false;
  while (auto line = peer.command()) {
    const std::string verb = lower(*line);
    if (verb == "stls") {
      if (fault == EndpointFault::none) return peer.send("+OK Begin TLS negotiation\r\n");
      if (!peer.send(fault == EndpointFault::starttls_refused ? "-ERR TLS is not available right now\r\n"
                                                              : "-ERR Unknown command\r\n")) {
        return false;
      }
    } else if (verb == "quit") {
      peer.send("+OK Bye\r\n");
      return false;
    } else if (!peer.send("-ERR Unknown command\r\n")) {
      return false;
    }
  }
  return false;
}

void serve(Peer& peer, const TlsEndpointOptions& o) {
  if (o.fault == EndpointFault::silent) return peer.stay_silent();
  bool start_tls = true;
  switch (o.dialogue) {
    case Dialogue::smtp: start_tls = smtp(peer, o.fault); break;
    case Dialogue::imap: start_tls = imap(peer, o.fault); break;
    case Dialogue::pop3: start_tls = pop3(peer, o.fault); break;
    case Dialogue::none: break;
  }
  if (start_tls) peer.tls();
}

[[noreturn]] void fail_errno(const char* what) {
  throw std::runtime_error(std::string("TlsEndpoint: ") + what + ": " + std::strerror(errno));
}

}  // namespace

TlsEndpoint::TlsEndpoint(TlsEndpointOptions options) : state_(std::make_shared<State>()) {
  const bool dialogue = options.dialogue != Dialogue::none;
  if ((options.fault == EndpointFault::endless_line && !dialogue) ||
      (options.fault == EndpointFault::endless_lines && options.dialogue != Dialogue::smtp) ||
      ((options.fault == EndpointFault::no_starttls || options.fault == EndpointFault::starttls_refused) &&
       !dialogue)) {
    throw std::invalid_argument("TlsEndpoint: this fault needs a (different) STARTTLS dialogue");
  }
  state_->options = std::move(options);
  state_->ctx = make_context(state_.get(), state_->options.chain_pem, state_->options.key_pem);
  if (!state_->options.stale_connections.empty()) {
    state_->stale_ctx = make_context(state_.get(), state_->options.stale_chain_pem, state_->options.stale_key_pem);
  }

  int wake[2];
  if (::pipe2(wake, O_CLOEXEC) != 0) fail_errno("pipe2");
  wake_read_ = wake[0];
  wake_write_ = wake[1];
  listen_fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (listen_fd_ < 0) fail_errno("socket");
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = 0;  // the kernel picks a free port
  socklen_t len = sizeof addr;
  if (::bind(listen_fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) fail_errno("bind");
  if (::listen(listen_fd_, 8) != 0) fail_errno("listen");
  if (::getsockname(listen_fd_, reinterpret_cast<sockaddr*>(&addr), &len) != 0) fail_errno("getsockname");
  port_ = ntohs(addr.sin_port);
  thread_ = std::thread([this] { run(); });
}

TlsEndpoint::~TlsEndpoint() {
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

std::vector<ClientHelloSeen> TlsEndpoint::hellos() const {
  std::lock_guard lock(state_->mutex);
  return state_->hellos;
}

std::vector<std::string> TlsEndpoint::commands() const {
  std::lock_guard lock(state_->mutex);
  return state_->commands;
}

void TlsEndpoint::run() {
  // OpenSSL's socket BIO writes with write(): a client that resets the
  // connection must not kill the test process with SIGPIPE.
  sigset_t pipe_set;
  sigemptyset(&pipe_set);
  sigaddset(&pipe_set, SIGPIPE);
  ::pthread_sigmask(SIG_BLOCK, &pipe_set, nullptr);

  while (true) {
    pollfd fds[2] = {{listen_fd_, POLLIN, 0}, {wake_read_, POLLIN, 0}};
    int rc = ::poll(fds, 2, -1);
    if (rc < 0 && errno == EINTR) continue;
    if (rc < 0 || fds[1].revents != 0) return;
    int fd = ::accept4(listen_fd_, nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC);
    if (fd < 0) continue;
    Peer peer(fd, wake_read_, *state_);
    serve(peer, state_->options);
    ::close(fd);
  }
}

}  // namespace certkeeper::testing
