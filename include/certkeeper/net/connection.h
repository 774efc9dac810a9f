// A TCP connection with a deadline: connect (non-blocking connect + poll),
// then every read and write bounded by the deadline in force. Every error
// names the endpoint (as its subject) and says what was going on. Used by the
// HTTPS client (a deadline per request on a kept-alive connection) and by
// the deploy module's probe (one deadline for the whole probe).
#pragma once

#include <chrono>
#include <cstddef>
#include <string>
#include <string_view>

#include "certkeeper/util/result.h"
#include "certkeeper/util/unique_fd.h"

namespace certkeeper::net {

using SteadyClock = std::chrono::steady_clock;

// "host:port", "[v6]:port".
std::string endpoint_text(const std::string& host, int port);

// When time runs out, and how a timeout message describes the budget
// ("300 ms for the whole probe").
struct Deadline {
  SteadyClock::time_point at;
  std::string budget;

  // `timeout` from now; `what` is appended to "N ms" in messages.
  static Deadline after(std::chrono::milliseconds timeout, std::string_view what = {});
};

// What a protocol spoken over a connection needs of it: bytes out, bytes in,
// and errors about the endpoint. The socket is one, TLS over it another; the
// fuzz harnesses feed a server's bytes through a third.
class Channel {
 public:
  virtual ~Channel() = default;
  // All of `data`. `doing` completes "... while <doing>" in messages.
  virtual Status send_all(std::string_view data, std::string_view doing) = 0;
  // Up to `size` bytes, waiting for at least one; 0 when the peer closed.
  virtual Result<std::size_t> receive(char* buffer, std::size_t size, std::string_view doing) = 0;
  // An error about this endpoint.
  virtual Error fail(Errc code, std::string message) const = 0;
};

class Connection final : public Channel {
 public:
  // Resolves `host` (a name or an IP literal, IPv6 without brackets) and
  // connects to the first address that answers, all before `deadline`.
  // Errc::timeout when the time runs out, Errc::network otherwise. The name
  // lookup itself (getaddrinfo) is not bounded by the deadline.
  static Result<Connection> open(const std::string& host, int port, Deadline deadline);

  Connection(Connection&&) noexcept = default;
  Connection& operator=(Connection&&) noexcept = default;

  const std::string& endpoint() const { return endpoint_; }
  // From now on reads and writes are bounded by `deadline` instead.
  void set_deadline(Deadline deadline) { deadline_ = std::move(deadline); }

  // Until the socket is ready for `events` (POLLIN / POLLOUT) or the
  // deadline passes. `doing` completes "... while <doing>" in messages.
  Status wait(short events, std::string_view doing);
  // All of `data`, never raising SIGPIPE.
  Status send_all(std::string_view data, std::string_view doing) override;
  // Up to `size` bytes, waiting for at least one; 0 when the server closed
  // the connection.
  Result<std::size_t> receive(char* buffer, std::size_t size, std::string_view doing) override;
  // Whether the peer has closed the connection or sent bytes nobody asked
  // for: either way it cannot carry another request.
  bool stale() const;

  // An error about this endpoint: subject = endpoint().
  Error fail(Errc code, std::string message) const override;

 private:
  Connection(UniqueFd fd, std::string endpoint, Deadline deadline)
      : fd_(std::move(fd)), endpoint_(std::move(endpoint)), deadline_(std::move(deadline)) {}
  Error timed_out(std::string_view doing) const;

  UniqueFd fd_;
  std::string endpoint_;
  Deadline deadline_;
};

}  // namespace certkeeper::net
