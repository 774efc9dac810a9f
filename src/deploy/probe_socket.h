// The probe's TCP connection: connect with a deadline (non-blocking connect
// + poll), then every read and write bounded by that same deadline. Every
// error names the endpoint (as its subject) and says what was going on.
// Internal to the deploy module.
#pragma once

#include <chrono>
#include <cstddef>
#include <string>
#include <string_view>

#include "certkeeper/util/result.h"

namespace certkeeper::deploy::probe_detail {

using SteadyClock = std::chrono::steady_clock;

// "host:port", "[v6]:port".
std::string endpoint_text(const std::string& host, int port);

// What the STARTTLS dialogue (starttls.h) needs of a connection: bytes out,
// bytes in, and errors about the endpoint. The socket is one; the fuzz
// harness feeds the dialogue a server's bytes through another.
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
  // connects to the first address that answers, all within `timeout`.
  // Errc::timeout when the time runs out, Errc::network otherwise. The name
  // lookup itself (getaddrinfo) is not bounded by the deadline.
  static Result<Connection> open(const std::string& host, int port, std::chrono::milliseconds timeout);

  Connection(Connection&& other) noexcept;
  Connection& operator=(Connection&&) = delete;
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;
  ~Connection() override;

  const std::string& endpoint() const { return endpoint_; }

  // Until the socket is ready for `events` (POLLIN / POLLOUT) or the
  // deadline passes. `doing` completes "... while <doing>" in messages.
  Status wait(short events, std::string_view doing);
  // All of `data`, never raising SIGPIPE.
  Status send_all(std::string_view data, std::string_view doing) override;
  // Up to `size` bytes, waiting for at least one; 0 when the server closed
  // the connection.
  Result<std::size_t> receive(char* buffer, std::size_t size, std::string_view doing) override;

  // An error about this endpoint: subject = endpoint().
  Error fail(Errc code, std::string message) const override;

 private:
  Connection(int fd, std::string endpoint, SteadyClock::time_point deadline, std::chrono::milliseconds timeout)
      : fd_(fd), endpoint_(std::move(endpoint)), deadline_(deadline), timeout_(timeout) {}
  Error timed_out(std::string_view doing) const;

  int fd_ = -1;
  std::string endpoint_;
  SteadyClock::time_point deadline_;
  std::chrono::milliseconds timeout_;
};

}  // namespace certkeeper::deploy::probe_detail
