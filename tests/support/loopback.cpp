#include "support/loopback.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/time.h>

#include <stdexcept>

namespace certkeeper::testing {
namespace {

sockaddr_in loopback_address(int port) {
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<std::uint16_t>(port));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  return addr;
}

}  // namespace

UniqueFd bind_loopback(int type, int port) {
  UniqueFd fd(::socket(AF_INET, type | SOCK_CLOEXEC, 0));
  if (!fd.valid()) return fd;
  sockaddr_in addr = loopback_address(port);
  if (::bind(fd.get(), reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) return UniqueFd();
  return fd;
}

int bound_port(int fd) {
  sockaddr_in addr{};
  socklen_t len = sizeof addr;
  if (::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) != 0) return -1;
  return ntohs(addr.sin_port);
}

std::vector<int> free_ports(std::size_t count) {
  std::vector<UniqueFd> held;
  std::vector<int> ports;
  for (int tries = 0; ports.size() < count && tries < 200; ++tries) {
    UniqueFd tcp = bind_loopback(SOCK_STREAM, 0);
    if (!tcp.valid()) continue;
    const int port = bound_port(tcp.get());
    if (port <= 0) continue;
    if (ports.empty()) {
      UniqueFd udp = bind_loopback(SOCK_DGRAM, port);
      if (!udp.valid()) continue;
      held.push_back(std::move(udp));
    }
    held.push_back(std::move(tcp));
    ports.push_back(port);
  }
  if (ports.size() != count) throw std::runtime_error("test fixture: no free loopback ports");
  return ports;
}

UniqueFd connect_loopback(int port) {
  UniqueFd fd(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
  if (!fd.valid()) return fd;
  timeval tv{3, 0};
  ::setsockopt(fd.get(), SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  ::setsockopt(fd.get(), SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
  sockaddr_in addr = loopback_address(port);
  if (::connect(fd.get(), reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) return UniqueFd();
  return fd;
}

}  // namespace certkeeper::testing
