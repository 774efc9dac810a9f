// "ADDR:PORT" for the built-in responders, and the listening socket the TLS
// responder uses. Internal to the challenge module.
#pragma once

#include <chrono>
#include <string>

#include "certkeeper/util/result.h"

namespace certkeeper::challenge::detail {

struct ListenAddress {
  std::string host;  // numeric address or name, without IPv6 brackets
  int port = 0;
  std::string text;  // as the user wrote it, for messages
};

// "127.0.0.1:5002", "0.0.0.0:80", "[::1]:5002", "[::]:443"; an empty host
// (":80") means every IPv4 address. Errc::usage otherwise.
Result<ListenAddress> parse_listen_address(const std::string& listen);

// The one-line error for a failed bind/listen: names the address, the
// reason, how long it waited for the port (when it did), and what to do.
Error listen_error(const ListenAddress& address, int err, std::chrono::seconds waited = std::chrono::seconds(0));

// A non-blocking, close-on-exec TCP socket listening on `address`.
// Errc::io (listen_error) when it cannot be had.
Result<int> open_listener(const ListenAddress& address);

// open_listener, but while another program holds the port (EADDRINUSE:
// another certkeeper validating on the same address, say) it says so once on
// stderr and tries again every 100 ms, at most `wait`; then listen_error
// with the time waited. Other errors fail at once.
Result<int> open_listener_waiting(const ListenAddress& address, std::chrono::seconds wait);

// Why `address` cannot be bound right now (errno), or 0 when it can: for a
// clear message after a library that does not say why its bind failed.
int probe_bind_error(const ListenAddress& address);

}  // namespace certkeeper::challenge::detail
