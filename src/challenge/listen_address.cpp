#include "listen_address.h"

#include <netdb.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <charconv>
#include <cstring>
#include <thread>

#include <fmt/format.h>

#include "certkeeper/util/log.h"

namespace certkeeper::challenge::detail {
namespace {

Error bad_listen(const std::string& listen) {
  return make_error(Errc::usage,
                    "is not a listen address; give ADDR:PORT, e.g. 0.0.0.0:80, 127.0.0.1:5002 or [::]:443", listen);
}

struct AddrInfoList {
  addrinfo* head = nullptr;
  ~AddrInfoList() {
    if (head != nullptr) ::freeaddrinfo(head);
  }
};

// Binds and listens on the first address that works; the socket, or -errno.
int bind_listener(const ListenAddress& address) {
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV;
  AddrInfoList list;
  std::string port = std::to_string(address.port);
  if (::getaddrinfo(address.host.c_str(), port.c_str(), &hints, &list.head) != 0) return -EADDRNOTAVAIL;
  int last = EADDRNOTAVAIL;
  for (addrinfo* ai = list.head; ai != nullptr; ai = ai->ai_next) {
    int fd = ::socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC | SOCK_NONBLOCK, ai->ai_protocol);
    if (fd < 0) {
      last = errno;
      continue;
    }
    // SO_REUSEADDR only (not SO_REUSEPORT): restarting right after a previous
    // run works, sharing the port with another live listener does not.
    int yes = 1;
    ::setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof yes);
    if (::bind(fd, ai->ai_addr, ai->ai_addrlen) == 0 && ::listen(fd, 64) == 0) return fd;
    last = errno;
    ::close(fd);
  }
  return -last;
}

}  // namespace

Result<ListenAddress> parse_listen_address(const std::string& listen) {
  ListenAddress out;
  out.text = listen;
  std::string port_text;
  if (!listen.empty() && listen.front() == '[') {
    auto close = listen.find(']');
    if (close == std::string::npos || close + 1 >= listen.size() || listen[close + 1] != ':') {
      return bad_listen(listen);
    }
    out.host = listen.substr(1, close - 1);
    port_text = listen.substr(close + 2);
    if (out.host.empty()) return bad_listen(listen);
  } else {
    auto colon = listen.rfind(':');
    if (colon == std::string::npos) return bad_listen(listen);
    out.host = listen.substr(0, colon);
    port_text = listen.substr(colon + 1);
    if (out.host.find(':') != std::string::npos) return bad_listen(listen);  // IPv6 needs brackets
    if (out.host.empty()) out.host = "0.0.0.0";
  }
  const char* end = port_text.data() + port_text.size();
  auto [ptr, ec] = std::from_chars(port_text.data(), end, out.port);
  if (port_text.empty() || ec != std::errc() || ptr != end || out.port < 1 || out.port > 65535) {
    return bad_listen(listen);
  }
  return out;
}

Error listen_error(const ListenAddress& address, int err, std::chrono::seconds waited) {
  std::string hint;
  switch (err) {
    case EADDRINUSE:
      hint = "another program holds this port; stop it while certkeeper validates, or choose another challenge "
             "(http-01 with --webroot through the running web server, or dns-01)";
      break;
    case EACCES:
    case EPERM:
      hint = "ports below 1024 need root or CAP_NET_BIND_SERVICE; run with that right or choose a port that "
             "is forwarded from the standard one";
      break;
    case EADDRNOTAVAIL:
      hint = "this host has no such address; give one of its own addresses or 0.0.0.0";
      break;
    default:
      hint = "check the --listen address";
  }
  // The address is in the message; the subject stays free for the caller
  // (the certificate being validated).
  std::string wait = waited.count() > 0 ? fmt::format(" (waited {} s for it)", waited.count()) : std::string();
  return make_error(Errc::io,
                    fmt::format("cannot listen on {}: {}{}; {}", address.text, std::strerror(err), wait, hint));
}

Result<int> open_listener(const ListenAddress& address) {
  int fd = bind_listener(address);
  if (fd < 0) return listen_error(address, -fd);
  return fd;
}

Result<int> open_listener_waiting(const ListenAddress& address, std::chrono::seconds wait) {
  using Clock = std::chrono::steady_clock;
  const auto give_up = Clock::now() + wait;
  bool said = false;
  while (true) {
    int fd = bind_listener(address);
    if (fd >= 0) return fd;
    if (-fd != EADDRINUSE || wait.count() <= 0) return listen_error(address, -fd);
    if (Clock::now() >= give_up) return listen_error(address, -fd, wait);
    if (!said) {
      log::warn(fmt::format("certkeeper: {} is in use by another program (another certkeeper validating on it?); "
                            "waiting for it (at most {} s)",
                            address.text, wait.count()));
      said = true;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
}

int probe_bind_error(const ListenAddress& address) {
  int fd = bind_listener(address);
  if (fd < 0) return -fd;
  ::close(fd);
  return 0;
}

}  // namespace certkeeper::challenge::detail
