// Shared set-up of the CLI tests: a test PKI dated at the real clock (the
// binary reads the system time), an inventory path, and a helper to run the
// binary against it.
//
// The inventory is a SQLite file, or, when CERTKEEPER_TEST_BACKEND=postgresql
// (the "...@postgresql" entries of tests/CMakeLists.txt), a fresh database
// of the run's PostgreSQL server (support/postgres.h): db() is its URI, a
// key file is made once per test (`certkeeper keys new`), every ck() passes
// it, and init gets --encrypt-keys. After a successful init the fixture
// asserts `db check` says "backend":"postgresql" (never a silent SQLite),
// and at the end that a pg_dump of the database holds no "PRIVATE KEY".
#pragma once

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <sys/stat.h>

#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <ctime>
#include <stdexcept>
#include <string>
#include <vector>

#include "support/postgres.h"
#include "support/program.h"
#include "support/run_binary.h"
#include "support/test_pki.h"

namespace certkeeper::testing {

// A file as the "changes nothing" checks compare it: bytes, mode and
// modification time.
struct FileState {
  std::string bytes;
  mode_t mode = 0;
  std::int64_t mtime_ns = 0;
  bool operator==(const FileState&) const = default;
};

inline FileState file_state(const std::string& path) {
  struct stat st {};
  EXPECT_EQ(::stat(path.c_str(), &st), 0) << path;
  return {read_file(path), st.st_mode, st.st_mtim.tv_sec * 1'000'000'000LL + st.st_mtim.tv_nsec};
}

inline bool exists(const std::string& path) {
  struct stat st {};
  return ::stat(path.c_str(), &st) == 0;
}

// CERTKEEPER_TEST_BACKEND=postgresql: the CLI tests run on PostgreSQL.
inline bool cli_on_postgresql() {
  const char* backend = std::getenv("CERTKEEPER_TEST_BACKEND");
  return backend != nullptr && std::string(backend) == "postgresql";
}

class CliTest : public ::testing::Test {
 protected:
  CliTest() : CliTest(cli_on_postgresql() ? &shared_postgres() : nullptr) {}  // a throw fails the test
  // On PostgreSQL when `server` is given (a fresh database of it), whatever
  // CERTKEEPER_TEST_BACKEND says.
  explicit CliTest(Postgres* server) : pki_(static_cast<UnixTime>(std::time(nullptr))), server_(server) {
    if (server_ == nullptr) return;
    database_ = server_->create_database();
    key_file_ = pki_.path("inventory.key");
    auto made = run_certkeeper({"keys", "new", "--out", key_file_});
    if (made.exit_code != 0) throw std::runtime_error("certkeeper keys new: " + made.err);
  }

  ~CliTest() override {
    if (server_ == nullptr) return;
    EXPECT_TRUE(backend_checked_) << "the test never initialised its PostgreSQL inventory";
    const std::string dump = pg_dump();
    EXPECT_NE(dump.find("certkeeper"), std::string::npos) << "pg_dump saw no certkeeper schema";
    EXPECT_EQ(dump.find("PRIVATE KEY"), std::string::npos) << "a private key is stored in plaintext";
  }

  bool on_postgresql() const { return server_ != nullptr; }

  std::string db() const {
    return server_ != nullptr ? server_->uri(database_) : pki_.path("state/certkeeper.db");
  }

  // On PostgreSQL: the key file before the command, and --encrypt-keys
  // after `init`.
  std::vector<std::string> backend_args(std::vector<std::string> args) const {
    if (server_ == nullptr) return args;
    auto command = std::find_if(args.begin(), args.end(), [](const std::string& a) { return a.rfind("-", 0) != 0; });
    if (command != args.end() && *command == "init" &&
        std::find(args.begin(), args.end(), "--encrypt-keys") == args.end()) {
      args.insert(command + 1, "--encrypt-keys");
    }
    args.insert(args.begin(), {"--key-file", key_file_});
    return args;
  }

  ProcessResult ck(std::vector<std::string> args) const {
    const bool is_init = server_ != nullptr && std::find(args.begin(), args.end(), "init") != args.end();
    args = backend_args(std::move(args));
    args.insert(args.begin(), {"--db", db()});
    ProcessResult r = run_certkeeper(args);
    if (is_init && r.exit_code == 0 && !backend_checked_) {
      backend_checked_ = true;
      auto check = run_certkeeper({"--db", db(), "--key-file", key_file_, "--json", "db", "check"});
      EXPECT_EQ(check.exit_code, 0) << check.out << check.err;
      EXPECT_EQ(nlohmann::json::parse(check.out, nullptr, false).value("backend", ""), "postgresql")
          << "the inventory is not on PostgreSQL: " << check.out;
    }
    return r;
  }

  // The test's database as pg_dump writes it (PostgreSQL only).
  std::string pg_dump() const {
    TempDir work;  // run_program's out and err
    ProgramResult r = run_program({"/usr/lib/postgresql/15/bin/pg_dump", "-h", server_->socket_dir(), "-p",
                                   std::to_string(server_->port()), "-U", "ck", database_},
                                  work.path());
    EXPECT_EQ(r.exit_code, 0) << r.err;
    return r.out;
  }

  // init with the external URL that the default leaf covers.
  void init(const std::string& url = "https://www.example.test/") {
    auto r = ck({"init", "--external-url", url});
    ASSERT_EQ(r.exit_code, 0) << r.err;
  }

  struct Files {
    std::string cert, key, chain;
  };
  // The three files of the admin page for `leaf`: cert, key, CA file
  // (intermediate + root).
  Files write_set(const Cert& leaf, const std::string& prefix = "") const {
    return {pki_.write(prefix + "cert.pem", leaf.pem()), pki_.write(prefix + "key.pem", leaf.key().pem()),
            pki_.write(prefix + "ca.pem", pem_concat({pki_.intermediate().pem(), pki_.root().pem()}))};
  }

  // The database file and its side files, byte for byte. On PostgreSQL:
  // what the inventory says of itself, `db check`'s counts and every
  // certificate's show, history and targets.
  std::string db_snapshot() const {
    if (server_ == nullptr) return read_file(db()) + "\n--wal--\n" + read_file(db() + "-wal");
    auto check = ck({"--json", "db", "check"});
    EXPECT_EQ(check.exit_code, 0) << check.err;
    auto checked = nlohmann::json::parse(check.out, nullptr, false);
    if (checked.is_object()) checked.erase("database");  // its URI: a restarted server may have another port
    std::string out = "--check--\n" + checked.dump() + "\n";
    auto list = ck({"--json", "list"});
    EXPECT_EQ(list.exit_code, 0) << list.err;
    auto listed = nlohmann::json::parse(list.out, nullptr, false);
    if (listed.is_discarded()) return out + list.out;
    for (auto& c : listed["certificates"]) c.erase("days_left");  // the clock's, not the inventory's
    out += "--list--\n" + listed.dump() + "\n";
    for (const auto& c : listed["certificates"]) {
      const std::string name = c["name"];
      for (const char* view : {"show", "history"}) out += "--" + name + "--\n" + ck({"--json", view, name}).out;
      out += ck({"--json", "target", "list", name}).out;
    }
    return out;
  }

  static nlohmann::json json(const ProcessResult& r) { return nlohmann::json::parse(r.out); }

  // Runs `sql` on the inventory outside certkeeper, to set up what no
  // command makes (a heartbeat long ago): Debian's sqlite3 on the file, or
  // psql with the schema certkeeper first on the search path.
  void raw_sql(const std::string& sql) const {
    if (server_ != nullptr) {
      server_->psql(database_, "SET search_path = certkeeper; " + sql);
      return;
    }
    auto sqlite3 = which("sqlite3");
    ASSERT_TRUE(sqlite3) << "Debian's sqlite3 is a build package (contrib/lib/setup.sh)";
    auto r = run_program({*sqlite3, db(), sql}, pki_.path(""));
    ASSERT_EQ(r.exit_code, 0) << r.err;
  }

  TestPki pki_;
  Postgres* server_ = nullptr;  // on PostgreSQL: the run's server
  std::string database_, key_file_;
  mutable bool backend_checked_ = false;
};

}  // namespace certkeeper::testing
