// Loopback sockets for the fixtures that start real servers (pebble,
// challtestsrv, nginx, BIND): free ports chosen by the kernel, and whether a
// server accepts connections yet. Tests bind 127.0.0.1 only.
#pragma once

#include <cstddef>
#include <vector>

#include "certkeeper/util/unique_fd.h"

namespace certkeeper::testing {

// A socket of `type` (SOCK_STREAM, SOCK_DGRAM) bound to 127.0.0.1:`port`
// (0 = any free one); not valid() when the port is taken.
UniqueFd bind_loopback(int type, int port);

// The port a bound socket holds, or -1.
int bound_port(int fd);

// `count` distinct free loopback ports: each is held open until all are
// chosen, so the kernel cannot hand out the same one twice. The first is
// free for both TCP and UDP (a DNS server takes both). Another process may
// still take one before the server binds it: fixtures retry with new ports.
std::vector<int> free_ports(std::size_t count);

// A TCP connection to 127.0.0.1:`port` with 3 s send/receive timeouts; not
// valid() when nothing accepts there.
UniqueFd connect_loopback(int port);

}  // namespace certkeeper::testing
