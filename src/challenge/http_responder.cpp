// Our own HTTP/1.1 responder for http-01, instead of cpp-httplib (README
// "ACME issuance" says why): the only request it has to understand is one
// GET line, and loading a general HTTP library (built by Debian with OpenSSL,
// zlib and brotli) cost more memory than the whole responder.
#include "http_responder.h"

#include <fcntl.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
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

constexpr std::size_t kMaxHead = 8 * 1024;
constexpr auto kConnectionTimeout = std::chrono::seconds(10);
constexpr auto kDrainTimeout = std::chrono::seconds(1);
constexpr std::size_t kMaxConnections = 64;
constexpr std::string_view kPrefix = "/.well-known/acme-challenge/";  // RFC 8555 §8.3

std::string response(int status, const char* reason, std::string_view body, bool with_body,
                     const char* extra_header = "") {
  return fmt::format("HTTP/1.1 {} {}\r\nContent-Type: {}\r\nContent-Length: {}\r\n{}Connection: close\r\n\r\n{}",
                     status, reason, status == 200 ? "application/octet-stream" : "text/plain", body.size(),
                     extra_header, with_body ? body : std::string_view());
}

bool token_chars(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '_';
  });
}

// The path of a request target: origin-form as sent, or absolute-form
// (RFC 9112 §3.2.2) with scheme and authority removed; the query dropped.
std::string_view path_of(std::string_view target) {
  if (target.rfind("http://", 0) == 0) {
    auto slash = target.find('/', 7);
    target = slash == std::string_view::npos ? std::string_view("/") : target.substr(slash);
  }
  return target.substr(0, target.find('?'));
}

struct Connection {
  enum class Phase { reading, writing, draining };
  UniqueFd fd;
  Phase phase = Phase::reading;
  std::string in;
  std::string out;
  std::size_t sent = 0;
  SteadyClock::time_point deadline;
};

// Where the request head ends (after the blank line), or npos.
std::size_t head_end(const std::string& in) {
  auto crlf = in.find("\r\n\r\n");
  if (crlf != std::string::npos) return crlf + 4;
  auto lf = in.find("\n\n");
  return lf == std::string::npos ? std::string::npos : lf + 2;
}

// One step for a connection whose socket is ready; false when it is done.
bool advance(Connection& c, const AnswerLookup& lookup) {
  char buf[4096];
  if (c.phase == Connection::Phase::reading || c.phase == Connection::Phase::draining) {
    ssize_t n = ::recv(c.fd.get(), buf, sizeof buf, 0);
    if (n < 0) return errno == EAGAIN || errno == EINTR;
    if (n == 0) return false;  // closed: a request cut short, or the drain is over
    if (c.phase == Connection::Phase::draining) return true;
    c.in.append(buf, static_cast<std::size_t>(n));
    std::size_t end = head_end(c.in);
    if (end == std::string::npos && c.in.size() < kMaxHead) return true;
    c.out = end != std::string::npos && end <= kMaxHead ? http01_response(c.in.substr(0, end), lookup)
                                                        : response(400, "Bad Request", "request too large\n", true);
    c.in.clear();
    c.phase = Connection::Phase::writing;
  }
  while (c.sent < c.out.size()) {
    ssize_t n = ::send(c.fd.get(), c.out.data() + c.sent, c.out.size() - c.sent, MSG_NOSIGNAL);
    if (n < 0) return errno == EAGAIN || errno == EINTR;
    c.sent += static_cast<std::size_t>(n);
  }
  // Sent: end our side, then read what the client still sends until it
  // closes, so that closing never resets a connection whose answer it has
  // not read yet.
  ::shutdown(c.fd.get(), SHUT_WR);
  c.phase = Connection::Phase::draining;
  c.deadline = std::min(c.deadline, SteadyClock::now() + kDrainTimeout);
  return true;
}

}  // namespace

std::string http01_response(const std::string& request_head, const AnswerLookup& lookup) {
  std::string_view head(request_head);
  std::string_view line = head.substr(0, head.find('\n'));
  if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
  auto sp1 = line.find(' ');
  auto sp2 = sp1 == std::string_view::npos ? sp1 : line.find(' ', sp1 + 1);
  if (sp2 == std::string_view::npos || line.find(' ', sp2 + 1) != std::string_view::npos ||
      line.substr(sp2 + 1).rfind("HTTP/1.", 0) != 0) {
    return response(400, "Bad Request", "bad request\n", true);
  }
  std::string_view method = line.substr(0, sp1);
  bool head_only = method == "HEAD";
  if (method != "GET" && !head_only) {
    return response(405, "Method Not Allowed", "only GET\n", true, "Allow: GET, HEAD\r\n");
  }
  std::string_view path = path_of(line.substr(sp1 + 1, sp2 - sp1 - 1));
  if (path.rfind(kPrefix, 0) == 0 && token_chars(path.substr(kPrefix.size()))) {
    auto answer = lookup(std::string(path.substr(kPrefix.size())));
    if (answer) return response(200, "OK", *static_cast<const std::string*>(answer.get()), !head_only);
  }
  return response(404, "Not Found", "no such challenge\n", !head_only);
}

Result<std::unique_ptr<Listener>> HttpResponder::start(int listen_fd, AnswerLookup lookup) {
  std::unique_ptr<HttpResponder> r(new HttpResponder());
  r->listen_fd_ = listen_fd;
  r->lookup_ = std::move(lookup);
  int wake[2];
  if (::pipe2(wake, O_CLOEXEC | O_NONBLOCK) != 0) {
    return make_error(Errc::io,
                      fmt::format("cannot start the http-01 responder: cannot create a pipe: {}", std::strerror(errno)));
  }
  r->wake_read_ = wake[0];
  r->wake_write_ = wake[1];
  try {
    r->thread_ = std::thread([raw = r.get()] { raw->run(); });
  } catch (const std::system_error& e) {
    return make_error(Errc::io, fmt::format("cannot start the http-01 responder: {}", e.what()));
  }
  return std::unique_ptr<Listener>(std::move(r));
}

HttpResponder::~HttpResponder() {
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

void HttpResponder::run() {
  std::list<Connection> conns;
  std::vector<pollfd> fds;
  std::vector<Connection*> polled;
  while (true) {
    fds.clear();
    polled.clear();
    fds.push_back({wake_read_, POLLIN, 0});
    fds.push_back({listen_fd_, static_cast<short>(conns.size() < kMaxConnections ? POLLIN : 0), 0});
    auto now = SteadyClock::now();
    int wait_ms = 1000;
    for (auto& c : conns) {
      fds.push_back({c.fd.get(), static_cast<short>(c.phase == Connection::Phase::writing ? POLLOUT : POLLIN), 0});
      polled.push_back(&c);
      auto left = std::chrono::duration_cast<std::chrono::milliseconds>(c.deadline - now).count() + 1;
      wait_ms = std::clamp<int>(static_cast<int>(left), 0, wait_ms);
    }
    int rc = ::poll(fds.data(), fds.size(), wait_ms);
    if (rc < 0 && errno != EINTR) break;
    if (fds[0].revents != 0) break;  // asked to stop

    now = SteadyClock::now();
    for (std::size_t i = 0; i < polled.size(); ++i) {
      Connection* c = polled[i];
      bool keep = fds[i + 2].revents != 0 ? advance(*c, lookup_) : now < c->deadline;
      if (keep && now >= c->deadline) keep = false;
      if (!keep) conns.remove_if([c](const Connection& x) { return &x == c; });
    }
    if (fds[1].revents == 0) continue;
    while (conns.size() < kMaxConnections) {
      int fd = ::accept4(listen_fd_, nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC);
      if (fd < 0) {
        // Out of descriptors: the backlog stays readable, so pause rather
        // than spin; anything else (EAGAIN, an aborted connection) ends the batch.
        if (errno == EMFILE || errno == ENFILE) std::this_thread::sleep_for(std::chrono::milliseconds(50));
        break;
      }
      Connection& c = conns.emplace_back();
      c.fd.reset(fd);
      c.deadline = now + kConnectionTimeout;
    }
  }
}

}  // namespace certkeeper::challenge::detail
