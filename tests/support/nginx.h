// A real nginx (Debian's /usr/sbin/nginx) for reload and probe tests: its own
// nginx.conf in the test's folder, TLS servers on free 127.0.0.1 ports
// serving certificate files the test (or certkeeper) installs, a bounded
// start, and a stop that always reaps it.
//
// nginx runs in the foreground as a child of the test (`daemon off`, master
// plus one worker, in its own process group), so the fixture knows the
// master's pid without trusting the pid file, sees a failed start at once,
// and can always kill what is left. The pid file is still written (inside
// the folder): `nginx -s reload` finds the master through it.
//
// Everything nginx writes stays in the folder: pid file, error log (also
// given with -e, so nothing touches /var/log/nginx), lock file and all five
// *_temp_path directories. Works as root (the master reads the certificates,
// the worker runs as nginx's default unprivileged user) and as a normal user.
//
// Independent of certkeeper's own modules. Set-up failures throw
// std::runtime_error with the error log (a test bug or a broken host).
#pragma once

#include <sys/types.h>

#include <chrono>
#include <cstddef>
#include <optional>
#include <string>
#include <vector>

#include "support/run_binary.h"

namespace certkeeper::testing {

// One `server { listen 127.0.0.1:PORT ssl; ... }`. nginx reads both files
// when it starts and on every reload, never in between; they may be
// symlinks.
struct NginxServer {
  std::string certificate;  // ssl_certificate: leaf first, then the chain
  // ssl_certificate_key; "" = the key is in `certificate` too (a combined
  // file: key, leaf, chain in any order of blocks).
  std::string key;
};

class Nginx {
 public:
  // Nothing runs until start(). `work_dir` must exist (e.g. a TempDir);
  // the fixture writes nginx.conf, nginx.pid, error.log, nginx.stderr and
  // the temp directories into it.
  Nginx(std::string work_dir, std::vector<NginxServer> servers);
  ~Nginx();  // stop()
  Nginx(const Nginx&) = delete;
  Nginx& operator=(const Nginx&) = delete;

  // Chooses free loopback ports (again when another process took one
  // before nginx bound it: up to 3 attempts), writes nginx.conf, runs
  // `nginx -c CONF -e ERRLOG` and waits (at most 10 s) until the pid file
  // names the master and every port accepts TCP. Throws with the error log
  // when nginx does not come up. Ports chosen once are kept on a later
  // start() after stop().
  void start();

  // SIGTERM to the master, up to 5 s for it to exit, then SIGKILL to the
  // whole process group (workers included); always reaped. No-op when not
  // running.
  void stop();

  // Whether the master is still alive.
  bool running();

  // The master's live worker processes (from /proc: children of the master
  // that are not zombies). Empty when not running.
  std::vector<pid_t> workers() const;

  // After a reload the master starts new workers and only then tells the
  // old ones to finish; until they exit an old worker may still accept a
  // connection and serve the old certificate. Waits (at most `timeout`)
  // until none of `old_workers` (workers() taken before the reload) is
  // alive; whether that happened.
  bool wait_for_workers_gone(const std::vector<pid_t>& old_workers,
                             std::chrono::milliseconds timeout = std::chrono::seconds(10)) const;

  // What a certkeeper reload command for this nginx is:
  // {"/usr/sbin/nginx", "-c", CONF, "-e", ERRLOG, "-s", "reload"}.
  // nginx parses the whole configuration (certificates and keys included)
  // before it signals the master: broken files make it exit 1 and the
  // master keeps serving the old ones.
  std::vector<std::string> reload_argv() const;
  // The same as one `--reload` value (its words joined by spaces).
  std::string reload_command() const;

  int port(std::size_t index = 0) const;  // 0 before the first start()
  std::string address(std::size_t index = 0) const;  // "127.0.0.1:PORT"
  pid_t master_pid() const { return pid_; }       // -1 when not running
  const std::string& conf_path() const { return conf_; }
  const std::string& error_log() const { return error_log_; }  // the path
  const std::string& pid_path() const { return pid_file_; }
  // The last `max_bytes` of the error log and of nginx's stderr.
  std::string log_tail(std::size_t max_bytes = 4000) const;

 private:
  void choose_ports();
  void write_config() const;
  void spawn();
  std::string wait_ready();  // "" when up, else why not (nginx then stopped)

  std::string dir_;
  std::vector<NginxServer> servers_;
  std::vector<int> ports_;
  std::string conf_, error_log_, pid_file_, stderr_log_;
  pid_t pid_ = -1;
};

// The DER of the leaf certificate served on 127.0.0.1:`port` (TLS, no
// verification: tests compare bytes), with SNI `servername` when not empty;
// nullopt when the connection or the handshake fails (every socket read and
// write is bounded to 3 s).
std::optional<std::string> served_leaf_der(int port, const std::string& servername = "");

// Polls served_leaf_der every 100 ms until it equals `der` (old workers may
// answer for a moment after a reload); whether it did within `timeout`.
bool wait_for_leaf(int port, const std::string& der,
                   std::chrono::milliseconds timeout = std::chrono::seconds(10));

// Runs `argv` (argv[0] looked up in PATH when it has no '/'; no shell),
// stdin /dev/null, capturing stdout and stderr; killed after `timeout`
// (exit_code 128 + 9 then).
ProcessResult run_command(const std::vector<std::string>& argv,
                          std::chrono::milliseconds timeout = std::chrono::seconds(10));

}  // namespace certkeeper::testing
