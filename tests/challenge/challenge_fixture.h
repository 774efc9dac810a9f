// Helpers for the challenge solver tests: tasks, free loopback ports, a
// port held by another listener.
#pragma once

#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstdint>
#include <stdexcept>
#include <string>

#include "certkeeper/challenge/solver.h"

namespace certkeeper::challenge::testing {

// 43 base64url characters, as real CAs send (256 bits).
inline std::string token_of(char c) { return std::string(40, c) + "-_9"; }

inline Task task_of(std::string type, std::string identifier, std::string token) {
  Task t;
  t.type = std::move(type);
  t.identifier = std::move(identifier);
  t.key_authorization = token + ".thumbprint-of-the-account-key_0123456789";
  t.token = std::move(token);
  return t;
}

// A listening IPv4 loopback socket on a kernel-chosen port, closed on scope
// exit. Use port() while it lives to test "port in use"; let it go to get a
// port that was free a moment ago.
class PortHolder {
 public:
  PortHolder() {
    fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof addr;
    if (fd_ < 0 || ::bind(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 || ::listen(fd_, 4) != 0 ||
        ::getsockname(fd_, reinterpret_cast<sockaddr*>(&addr), &len) != 0) {
      throw std::runtime_error("cannot bind a loopback port");
    }
    port_ = ntohs(addr.sin_port);
  }
  ~PortHolder() {
    if (fd_ >= 0) ::close(fd_);
  }
  PortHolder(const PortHolder&) = delete;
  PortHolder& operator=(const PortHolder&) = delete;
  int port() const { return port_; }

 private:
  int fd_ = -1;
  int port_ = 0;
};

// A loopback port nobody listens on right now.
inline int free_port() { return PortHolder().port(); }

// Whether a listener could take 127.0.0.1:port now (SO_REUSEADDR, as any
// restarted server would).
inline bool can_listen_on(int port) {
  int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  int yes = 1;
  ::setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof yes);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = htons(static_cast<std::uint16_t>(port));
  bool ok = fd >= 0 && ::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0 && ::listen(fd, 1) == 0;
  if (fd >= 0) ::close(fd);
  return ok;
}

inline std::string loopback(int port) { return "127.0.0.1:" + std::to_string(port); }

}  // namespace certkeeper::challenge::testing
