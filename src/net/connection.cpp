#include "certkeeper/net/connection.h"

#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <climits>
#include <iterator>
#include <memory>
#include <system_error>
#include <utility>

#include <fmt/format.h>

namespace certkeeper::net {
namespace {

// "Connection refused" -> "connection refused": it follows "endpoint: ".
std::string lower_first(std::string text) {
  if (!text.empty() && text[0] >= 'A' && text[0] <= 'Z') text[0] = static_cast<char>(text[0] - 'A' + 'a');
  return text;
}

// std::error_code rather than strerror(): the probe may run on several
// threads at once.
std::string errno_text(int err) { return lower_first(std::error_code(err, std::generic_category()).message()); }

struct AddrinfoFree {
  void operator()(addrinfo* a) const noexcept { ::freeaddrinfo(a); }
};

}  // namespace

Deadline Deadline::after(std::chrono::milliseconds timeout, std::string_view what) {
  std::string budget = fmt::format("{} ms", timeout.count());
  if (!what.empty()) fmt::format_to(std::back_inserter(budget), " {}", what);
  return {SteadyClock::now() + timeout, std::move(budget)};
}

std::string endpoint_text(const std::string& host, int port) {
  if (host.find(':') != std::string::npos) return fmt::format("[{}]:{}", host, port);
  return fmt::format("{}:{}", host, port);
}

Result<Connection> Connection::open(const std::string& host, int port, Deadline deadline) {
  std::string endpoint = endpoint_text(host, port);

  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_flags = AI_NUMERICSERV;
  addrinfo* found = nullptr;
  const std::string service = std::to_string(port);
  if (int rc = ::getaddrinfo(host.c_str(), service.c_str(), &hints, &found); rc != 0) {
    std::string why = rc == EAI_SYSTEM ? errno_text(errno) : lower_first(::gai_strerror(rc));
    return make_error(Errc::network, "cannot resolve the host name: " + why, endpoint);
  }
  std::unique_ptr<addrinfo, AddrinfoFree> addresses(found);

  // The addresses in the resolver's order (RFC 6724), one after the other,
  // all within the one deadline: a probe checks a server, it does not need
  // the fastest path to it.
  std::string last_error = "the host name has no address";
  for (const addrinfo* a = addresses.get(); a != nullptr; a = a->ai_next) {
    UniqueFd fd(::socket(a->ai_family, a->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC, a->ai_protocol));
    if (!fd.valid()) {
      last_error = "cannot create a socket: " + errno_text(errno);
      continue;
    }
    // Requests and handshakes are small writes the peer answers: Nagle's
    // algorithm would hold one back for the other side's delayed ACK (40 ms
    // on Linux) each time.
    const int on = 1;
    (void)::setsockopt(fd.get(), IPPROTO_TCP, TCP_NODELAY, &on, sizeof on);
    Connection c(std::move(fd), endpoint, deadline);
    if (::connect(c.fd_.get(), a->ai_addr, a->ai_addrlen) == 0) return c;
    if (errno != EINPROGRESS) {
      last_error = errno_text(errno);
      continue;
    }
    if (auto ready = c.wait(POLLOUT, "connecting"); !ready) return std::move(ready).error();
    int err = 0;
    socklen_t len = sizeof err;
    if (::getsockopt(c.fd_.get(), SOL_SOCKET, SO_ERROR, &err, &len) != 0) err = errno;
    if (err == 0) return c;
    last_error = errno_text(err);
  }
  return make_error(Errc::network, last_error, endpoint);
}

bool Connection::stale() const {
  if (!fd_.valid()) return true;
  pollfd p{fd_.get(), POLLIN, 0};
  // Readable on an idle connection means end of file, a reset, or bytes the
  // server should not have sent; all the same to a client about to reuse it.
  return ::poll(&p, 1, 0) != 0;
}

Error Connection::fail(Errc code, std::string message) const { return make_error(code, std::move(message), endpoint_); }

Error Connection::timed_out(std::string_view doing) const {
  return fail(Errc::timeout, fmt::format("timed out ({}) while {}", deadline_.budget, doing));
}

Status Connection::wait(short events, std::string_view doing) {
  while (true) {
    const auto left = std::chrono::ceil<std::chrono::milliseconds>(deadline_.at - SteadyClock::now()).count();
    if (left <= 0) return timed_out(doing);
    pollfd p{fd_.get(), events, 0};
    int rc = ::poll(&p, 1, static_cast<int>(std::min<long long>(left, INT_MAX)));
    if (rc > 0) return {};  // ready, or an error the next call will report
    if (rc < 0 && errno != EINTR)
      return fail(Errc::network, fmt::format("poll failed while {}: {}", doing, errno_text(errno)));
  }
}

Status Connection::send_all(std::string_view data, std::string_view doing) {
  while (!data.empty()) {
    ssize_t n = ::send(fd_.get(), data.data(), data.size(), MSG_NOSIGNAL);
    if (n > 0) {
      data.remove_prefix(static_cast<std::size_t>(n));
    } else if (n < 0 && errno == EINTR) {
      continue;
    } else if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
      if (auto ready = wait(POLLOUT, doing); !ready) return ready;
    } else {
      return fail(Errc::network, fmt::format("the connection broke while {}: {}", doing, errno_text(errno)));
    }
  }
  return {};
}

Result<std::size_t> Connection::receive(char* buffer, std::size_t size, std::string_view doing) {
  while (true) {
    ssize_t n = ::recv(fd_.get(), buffer, size, 0);
    if (n >= 0) return static_cast<std::size_t>(n);
    if (errno == EINTR) continue;
    if (errno != EAGAIN && errno != EWOULDBLOCK) {
      return fail(Errc::network, fmt::format("the connection broke while {}: {}", doing, errno_text(errno)));
    }
    if (auto ready = wait(POLLIN, doing); !ready) return std::move(ready).error();
  }
}

}  // namespace certkeeper::net
