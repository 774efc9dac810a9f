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
#include <memory>
#include <string>
#include <vector>

#include "support/temp_dir.h"

namespace certkeeper::testing {

class Postgres {
 public:
  // Makes the temp dir; nothing runs until start(). `bin_dir` holds
  // initdb and pg_ctl (another one only to test the fixture's own failure).
  explicit Postgres(std::string bin_dir = "/usr/lib/postgresql/15/bin");
  // The same in a fixed directory `dir` (made, or emptied when it exists),
  // kept after the end: the CTest fixture's server (tests/support/pg_test_server.cpp).
  Postgres(std::string bin_dir, const std::string& dir);
  // The server that runs in `dir` (started by another process, its port in
  // DIR/port): running, and neither stopped nor removed at the end.
  // Throws when no server runs there.
  static std::unique_ptr<Postgres> attach(const std::string& dir);
  ~Postgres();  // stop(), then the dir is removed (neither when attached or released)
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
  // Leaves the server running and its dir in place at the end (the CTest
  // fixture's set-up; its clean-up stops it through attach()).
  void release() { owned_ = false; }
  // attach()'s server ends with the object, dir and all (the fixture's clean-up).
  void take_over() { owned_ = true; }

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
  const std::string& socket_dir() const { return dir_path_; }
  int port() const { return port_; }
  // The postmaster's pid (first line of DATA/postmaster.pid), or -1.
  pid_t postmaster_pid() const;
  // The last `max_bytes` of the server log.
  std::string log_tail(std::size_t max_bytes = 4000) const;

 private:
  std::vector<std::string> as_server_user(std::vector<std::string> argv) const;
  std::string program(const std::string& name) const;
  Postgres(std::string bin_dir, const std::string& dir, bool attached);
  void own_dir();
  std::string bin_dir_;
  std::unique_ptr<TempDir> temp_;  // the dir, unless fixed
  std::string dir_path_;
  bool owned_ = true;
  std::string data_, log_;
  bool as_root_ = false;
  bool initialised_ = false;
  bool running_ = false;
  int port_ = 0;
  int databases_ = 0;
};

// The one server of this test binary: started on first use (later calls
// return it, or throw the first start's error again), stopped at exit.
// Under CTest it is the run's one server (the fixture `postgres` of
// tests/CMakeLists.txt): $CERTKEEPER_TEST_PG names its dir, and it is
// attached to, never started nor stopped here. Tests make a fresh database
// each (create_database()); a test that stops, kills or reconfigures a
// server in a way others would notice starts its own Postgres instead.
// Call it from a test or SetUpTestSuite, and turn a throw into a failure.
Postgres& shared_postgres();

}  // namespace certkeeper::testing
