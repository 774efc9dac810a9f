// A real BIND 9 (Debian's bind9) for the dns-01 tests: authoritative on a
// free 127.0.0.1 port (UDP and TCP) for one zone that takes RFC 2136 updates
// signed with a TSIG key, started by the test and stopped at the end.
//
// named runs in the foreground (`named -g`) as a child of the test in its
// own process group, with everything it writes in the test's folder: the
// config, the keys, the zone file and its journal, the pid file, the
// session key, and its log (stderr). No control channel (rndc) is opened,
// so parallel tests never share a port. It gets SIGKILL if the test process
// dies. Set-up failures throw std::runtime_error with the log.
#pragma once

#include <sys/types.h>

#include <string>
#include <vector>

namespace certkeeper::testing {

class Bind {
 public:
  // Generates three TSIG keys (hmac-sha256): one allowed to update the zone,
  // one BIND knows but that may not (its updates are REFUSED), and a copy of
  // the first with another secret (BADSIG); writes the zone (SOA, NS, the
  // NS's A record, and A 127.0.0.1 for the apex) and starts named, waiting
  // (at most 15 s) until it answers for the zone.
  explicit Bind(const std::string& work_dir, const std::string& zone = "z.test");
  ~Bind();
  Bind(const Bind&) = delete;
  Bind& operator=(const Bind&) = delete;

  int port() const { return port_; }
  std::string address() const { return "127.0.0.1:" + std::to_string(port_); }
  const std::string& zone() const { return zone_; }
  std::string key_file() const { return dir_ + "/update.key"; }
  std::string refused_key_file() const { return dir_ + "/other.key"; }
  std::string wrong_key_file() const { return dir_ + "/wrong.key"; }
  std::string log() const;

  // The TXT values BIND serves at `fqdn` (a dig query), sorted.
  std::vector<std::string> txt(const std::string& fqdn) const;

 private:
  void write_files();
  void start();
  void stop();

  std::string dir_;
  std::string zone_;
  int port_ = 0;
  pid_t pid_ = -1;
};

}  // namespace certkeeper::testing
