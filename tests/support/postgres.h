// A real PostgreSQL 15 server (Debian's postgresql-15, binaries in
// /usr/lib/postgresql/15/bin) for the store's PostgreSQL tests, started as
// /work/shared/TESTING.md says: a fresh cluster made by initdb (trust
// authentication, superuser `ck`) in a temp dir owned by the `postgres`
// user when the tests run as root (initdb and the server refuse root; they
// run through `runuser -u postgres`), the Unix socket in the same dir and
// TCP on a free 127.0.0.1 port only. pg_ctl starts it with a bounded wait
// and stops it (`-m fast`, then SIGKILL of the postmaster when that does
// not end it in time); the destructor always stops it and removes the dir.
// The package's own cluster is never touched.
//
// Independent of certkeeper's own modules and of libpq (tests connect with
// the conninfo() string). Set-up failures throw std::runtime_error saying
// what is missing or what the server logged: a test that needs the server
// then fails with that message, it never skips.
#pragma once

#include <sys/types.h>

#include <cstddef>
#include <string>
#include <vector>

#include "support/temp_dir.h"

namespace certkeeper::testing {

class Postgres {
 public:
  // Makes the temp dir; nothing runs until start(). `bin_dir` holds
  // initdb and pg_ctl (another one only to test the fixture's own failure).
  explicit Postgres(std::string bin_dir = "/usr/lib/postgresql/15/bin");
  ~Postgres();  // stop(), then the dir is removed
  Postgres(const Postgres&) = delete;
  Postgres& operator=(const Postgres&) = delete;

  // initdb (once), then pg_ctl start on a free loopback port (new ports,
  // up to 3 attempts, when another process took one first), waiting at
  // most 30 s. Throws with the server log when it does not come up, or
  // naming the Debian package when a program is missing.
  void start();
  // pg_ctl -m fast -w stop (at most 20 s), then SIGKILL of the postmaster
  // if it still runs. No-op when not running.
  void stop();
  bool running() const { return running_; }

  // libpq conninfo over the Unix socket: "host=DIR port=PORT user=ck
  // dbname=DBNAME connect_timeout=10".
  std::string conninfo(const std::string& dbname = "postgres") const;
  // The libpq URI of `dbname` over the Unix socket (what --db takes):
  // "postgresql://ck@/DBNAME?host=DIR&port=PORT".
  std::string uri(const std::string& dbname) const;
  // A new, empty database on this server, "ck_N" (N counts up in this
  // process), made with psql; its name. Throws with psql's output.
  std::string create_database();
  // Runs `sql` on `dbname` with psql (ON_ERROR_STOP, unaligned, tuples
  // only) and returns its standard output; throws with psql's stderr.
  std::string psql(const std::string& dbname, const std::string& sql) const;
  const std::string& socket_dir() const { return dir_.path(); }
  int port() const { return port_; }
  // The postmaster's pid (first line of DATA/postmaster.pid), or -1.
  pid_t postmaster_pid() const;
  // The last `max_bytes` of the server log.
  std::string log_tail(std::size_t max_bytes = 4000) const;

 private:
  std::vector<std::string> as_server_user(std::vector<std::string> argv) const;
  std::string program(const std::string& name) const;
  std::string bin_dir_;
  TempDir dir_;
  std::string data_, log_;
  bool as_root_ = false;
  bool initialised_ = false;
  bool running_ = false;
  int port_ = 0;
  int databases_ = 0;
};

// The one server of this test binary: started on first use (later calls
// return it, or throw the first start's error again), stopped at exit.
// Call it from a test or SetUpTestSuite, and turn a throw into a failure.
Postgres& shared_postgres();

}  // namespace certkeeper::testing
