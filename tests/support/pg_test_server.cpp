// The one PostgreSQL server of a test run (issue 11), as the CTest fixture
// `postgres` of tests/CMakeLists.txt runs it:
//
//   pg_test_server start DIR   initdb + pg_ctl start in DIR (a server left
//                              there by an interrupted run is stopped first),
//                              its port written to DIR/port; the server keeps
//                              running after this program ends
//   pg_test_server stop DIR    pg_ctl stop -m fast (SIGKILL when that fails)
//                              and DIR removed; exit 0 when nothing ran there
//
// The tests find it through $CERTKEEPER_TEST_PG=DIR (shared_postgres() in
// support/postgres.h) and make a fresh database each.
#include <cstdio>
#include <exception>
#include <filesystem>
#include <string>

#include "support/postgres.h"
#include "support/temp_dir.h"

namespace {

int stop_server(const std::string& dir) {
  if (!std::filesystem::exists(dir)) return 0;
  try {
    auto server = certkeeper::testing::Postgres::attach(dir);
    server->take_over();  // stopped and removed with the object
  } catch (const std::exception&) {
    // Nothing runs there (a failed start, or already stopped): remove what is left.
  }
  std::error_code ec;
  std::filesystem::remove_all(dir, ec);
  if (std::filesystem::exists(dir)) {
    std::fprintf(stderr, "pg_test_server: cannot remove %s\n", dir.c_str());
    return 1;
  }
  std::printf("pg_test_server: stopped the server in %s\n", dir.c_str());
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  const std::string usage = "usage: pg_test_server start|stop DIR\n";
  if (argc != 3) {
    std::fputs(usage.c_str(), stderr);
    return 2;
  }
  const std::string command = argv[1];
  const std::string dir = std::filesystem::absolute(argv[2]).lexically_normal().string();
  try {
    if (command == "stop") return stop_server(dir);
    if (command != "start") {
      std::fputs(usage.c_str(), stderr);
      return 2;
    }
    if (stop_server(dir) != 0) return 1;  // what an interrupted run left behind
    certkeeper::testing::Postgres server("/usr/lib/postgresql/15/bin", dir);
    server.start();
    // The role that must give a password over TCP, for the tests of a wrong
    // password (store/postgresql_driver_test.cpp, cli/postgresql_faults_test.cpp):
    // in place before they run, so that none of them rewrites pg_hba.conf
    // while another reads it.
    const std::string hba = dir + "/data/pg_hba.conf";
    certkeeper::testing::write_file(hba, "host all ck_pw_role 127.0.0.1/32 scram-sha-256\n" +
                                             certkeeper::testing::read_file(hba));
    server.psql("postgres", "SELECT pg_reload_conf()");
    certkeeper::testing::write_file(dir + "/port", std::to_string(server.port()) + "\n");
    server.release();
    std::printf("pg_test_server: PostgreSQL runs in %s on port %d (CERTKEEPER_TEST_PG=%s)\n", dir.c_str(),
                server.port(), dir.c_str());
    return 0;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "pg_test_server: %s\n", e.what());
    return 1;
  }
}
