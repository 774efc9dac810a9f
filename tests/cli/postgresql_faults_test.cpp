// The faults of a PostgreSQL inventory (issue 11), as whole certkeeper
// processes: each ends with exit 1, a one-line message that names the
// server and says what happened, and nothing partial: the next command sees
// the inventory as it was before (db_snapshot(): `db check`, list, show,
// history and targets). Run only on PostgreSQL ("...@postgresql" in CTest).
// The tests that stop or kill a server start their own; the others use a
// fresh database of the run's server.
#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <functional>
#include <iostream>
#include <thread>

#include "cli/cli_fixture.h"
#include "support/pg_session.h"
#include "support/race.h"

namespace certkeeper::testing {
namespace {

using namespace std::chrono_literals;

// What a failing command must look like: exit 1, one line on stderr
// naming the server (`server`: text of its address) and saying `what`.
void expect_clean_failure(const ProcessResult& r, const std::string& server, const std::string& what) {
  EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
  EXPECT_NE(r.err.find(server), std::string::npos) << "names the server " << server << ": " << r.err;
  EXPECT_NE(r.err.find(what), std::string::npos) << r.err;
  EXPECT_LE(std::count(r.err.begin(), r.err.end(), '\n'), 1) << "one line: " << r.err;
  EXPECT_EQ(r.err.find("PRIVATE KEY"), std::string::npos) << r.err;
}

// A fresh database of the run's server, on PostgreSQL whatever the
// environment says.
class PostgresqlFaultTest : public CliTest {
 protected:
  PostgresqlFaultTest() : PostgresqlFaultTest(&shared_postgres()) {}
  explicit PostgresqlFaultTest(Postgres* server) : CliTest(server) {}

  // init, and version 1 of "web" imported.
  void import_first() {
    init();
    auto f = write_set(pki_.leaf(), "v1-");
    auto r = ck({"import", "web", "--cert", f.cert, "--key", f.key, "--chain", f.chain});
    ASSERT_EQ(r.exit_code, 0) << r.err;
  }

  // The import of a version 2 of "web" against `uri` (with this test's key file).
  std::vector<std::string> import_second(const std::string& uri, const std::string& key_file = "") {
    if (second_.cert.empty()) second_ = write_set(pki_.leaf(), "v2-");
    return {"--db", uri, "--key-file", key_file.empty() ? key_file_ : key_file, "import", "web", "--cert",
            second_.cert, "--key", second_.key, "--chain", second_.chain};
  }

  // After the fault: the import of version 2 works and makes version 2.
  void expect_next_import_works() {
    auto r = run_certkeeper(import_second(db()));
    ASSERT_EQ(r.exit_code, 0) << r.err;
    auto show = json(ck({"--json", "show", "web"}));
    EXPECT_EQ(show["current"]["version"], 2);
  }

  std::string tcp_server() const { return "127.0.0.1:" + std::to_string(server_->port()); }
  std::string tcp_uri(const std::string& user, const std::string& query) const {
    return "postgresql://" + user + "@" + tcp_server() + "/" + database_ + "?" + query;
  }

  Files second_;
};

// A server of the test's own, started before the fixture makes its database.
struct OwnServer {
  OwnServer() { own.start(); }
  Postgres own;
};

class PostgresqlFaultOwnServerTest : protected OwnServer, public PostgresqlFaultTest {
 protected:
  PostgresqlFaultOwnServerTest() : PostgresqlFaultTest(&own) {}

  // An import of version 2 that waits mid-transaction: a session of the
  // test holds certkeeper.events in EXCLUSIVE mode, so the import has
  // written its version and waits to write its event. `fault` then runs;
  // the import must fail cleanly, and after a restart the inventory is as
  // before and the same import works.
  void fault_mid_transaction(const std::function<void()>& fault) {
    import_first();
    const std::string before = db_snapshot();
    {
      PgSession holder(own.conninfo(database_));
      holder.exec("BEGIN");
      holder.exec("LOCK TABLE certkeeper.events IN EXCLUSIVE MODE");
      Running import(import_second(db()));
      ASSERT_TRUE(holder.wait_for_waiters(1, "relation = 'certkeeper.events'::regclass"))
          << "the import waits for the events table";
      fault();
      const auto& r = import.result();
      ProcessResult seen{r.signal == 0 ? r.exit_code : -1, r.out, r.err};
      expect_clean_failure(seen, own.socket_dir(), "was lost and the transaction was rolled back");
      std::cout << "[ message  ] " << seen.err;
    }
    // Back up: the inventory is as before, and the import works.
    restart();
    EXPECT_EQ(db_snapshot(), before) << "nothing of the import was written";
    expect_next_import_works();
  }

  void restart() {
    own.stop();  // no-op for a stopped server; forgets a killed one
    for (int attempt = 1;; ++attempt) {
      try {
        own.start();
        return;
      } catch (const std::exception& e) {
        // A killed postmaster's backends may still hold the shared memory a moment.
        if (attempt == 20) FAIL() << e.what();
        std::this_thread::sleep_for(250ms);
      }
    }
  }
};

TEST_F(PostgresqlFaultOwnServerTest, TheServerStoppedMidCommand) {
  fault_mid_transaction([&] { own.stop(); });
}

TEST_F(PostgresqlFaultOwnServerTest, TheServerKilledMidTransaction) {
  fault_mid_transaction([&] {
    const pid_t postmaster = own.postmaster_pid();
    ASSERT_GT(postmaster, 0);
    ASSERT_EQ(::kill(postmaster, SIGKILL), 0);
    const auto give_up = std::chrono::steady_clock::now() + 10s;
    while (::kill(postmaster, 0) == 0 && std::chrono::steady_clock::now() < give_up) std::this_thread::sleep_for(20ms);
  });
}

// Stopped while an install's reload command runs (it reads a fifo): the
// files are switched, the journal entry is open, and the commit cannot be
// written. The install fails naming the server; once it is back the next
// install reconciles, and the inventory and the disk agree.
TEST_F(PostgresqlFaultOwnServerTest, TheServerStoppedWhileAReloadRuns) {
  import_first();
  const std::string dir = pki_.path("live-web");
  std::filesystem::create_directories(dir);
  const std::string fifo = pki_.path("reload.fifo");
  ASSERT_EQ(::mkfifo(fifo.c_str(), 0600), 0);
  auto add = ck({"target", "add", "web", "--dir", dir, "--reload", "/bin/cat " + fifo});
  ASSERT_EQ(add.exit_code, 0) << add.err;
  {
    Running install({"--db", db(), "--key-file", key_file_, "install", "web"});
    // The reload runs once it has opened the fifo for reading.
    int fd = -1;
    const auto give_up = std::chrono::steady_clock::now() + 30s;
    while (fd < 0 && std::chrono::steady_clock::now() < give_up) {
      fd = ::open(fifo.c_str(), O_WRONLY | O_NONBLOCK);
      if (fd < 0) std::this_thread::sleep_for(20ms);
    }
    ASSERT_GE(fd, 0) << "the reload never ran: " << install.result().err;
    own.stop();
    ::close(fd);  // the reload ends, and succeeds
    const auto& r = install.result();
    ProcessResult seen{r.signal == 0 ? r.exit_code : -1, r.out, r.err};
    expect_clean_failure(seen, own.socket_dir(), "PostgreSQL");
    std::cout << "[ message  ] " << seen.err;
  }
  // The next reload reads an empty file and ends at once.
  std::filesystem::remove(fifo);
  write_file(fifo, "");
  restart();
  auto next = ck({"--json", "install", "web"});
  ASSERT_EQ(next.exit_code, 0) << next.out << next.err;
  EXPECT_NE(json(next)["reconciled"].dump().find("interrupted"), std::string::npos)
      << "the open journal entry is reconciled: " << next.out;
  auto targets = json(ck({"--json", "target", "list", "web"}))["targets"];
  ASSERT_EQ(targets.size(), 1u);
  EXPECT_EQ(targets[0]["installed_version"], 1) << targets.dump();
  EXPECT_TRUE(targets[0]["pending_version"].is_null()) << targets.dump();
  EXPECT_EQ(std::filesystem::read_symlink(dir + "/.certkeeper/live").filename().string().rfind("-v1"),
            std::filesystem::read_symlink(dir + "/.certkeeper/live").filename().string().size() - 3)
      << "the live set is version 1";
}

TEST_F(PostgresqlFaultTest, ALockHeldPastLockTimeoutSaysWhoHoldsIt) {
  import_first();
  const std::string before = db_snapshot();
  PgSession holder(server_->conninfo(database_));
  holder.exec("SET application_name = 'fault-test-holder'");
  holder.exec("BEGIN");
  holder.exec("LOCK TABLE certkeeper.certificates IN ACCESS EXCLUSIVE MODE");
  // The URI's own lock_timeout is kept (the driver only fills in a 0).
  const auto started = std::chrono::steady_clock::now();
  auto r = run_certkeeper(import_second(db() + "&options=-c%20lock_timeout%3D500"));
  const auto took = std::chrono::steady_clock::now() - started;
  expect_clean_failure(r, server_->socket_dir(), "is busy");
  std::cout << "[ message  ] " << r.err;
  EXPECT_NE(r.err.find("lock_timeout (500ms)"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("fault-test-holder"), std::string::npos) << "says who holds it: " << r.err;
  EXPECT_LT(took, 15s) << "waited within the URI's bound";
  holder.exec("ROLLBACK");
  EXPECT_EQ(db_snapshot(), before);
  expect_next_import_works();
}

TEST_F(PostgresqlFaultTest, AWrongPasswordIsRefusedNamingTheServer) {
  import_first();
  const std::string before = db_snapshot();
  // One role that must give a password over TCP (scram); the same line and
  // role as tests/store/postgresql_driver_test.cpp, so either may add it.
  std::string hba = server_->psql(database_, "SHOW hba_file");
  hba.erase(hba.find_last_not_of('\n') + 1);
  {
    std::ifstream in(hba);
    std::string old((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    if (old.find("ck_pw_role") == std::string::npos) {
      std::ofstream out(hba, std::ios::trunc);
      out << "host all ck_pw_role 127.0.0.1/32 scram-sha-256\n" << old;
      ASSERT_TRUE(out.good()) << hba;
    }
  }
  server_->psql(database_,
                "DO $$ BEGIN CREATE ROLE ck_pw_role LOGIN PASSWORD 'right-one'; "
                "EXCEPTION WHEN duplicate_object THEN NULL; END $$");
  server_->psql(database_, "SELECT pg_reload_conf()");
  const std::string passfile = pki_.path("pgpass");
  write_file(passfile, "127.0.0.1:" + std::to_string(server_->port()) + ":*:ck_pw_role:wrong-one\n");
  ::chmod(passfile.c_str(), 0600);

  // The reload is asynchronous: until the line applies, trust lets it in
  // (and the role may not write: still exit 1). Wait for the refusal.
  ProcessResult r;
  for (int i = 0; i < 50; ++i) {
    r = run_certkeeper(import_second(tcp_uri("ck_pw_role", "passfile=" + passfile)));
    if (r.err.find("refused the login") != std::string::npos) break;
    std::this_thread::sleep_for(100ms);
  }
  expect_clean_failure(r, tcp_server() + "/" + database_, "refused the login");
  EXPECT_NE(r.err.find("password authentication failed"), std::string::npos) << r.err;
  EXPECT_EQ(r.err.find("wrong-one"), std::string::npos) << "never the password: " << r.err;
  EXPECT_EQ(db_snapshot(), before);
}

TEST_F(PostgresqlFaultTest, TlsRequiredButNotOfferedIsRefused) {
  import_first();
  const std::string before = db_snapshot();
  auto r = run_certkeeper(import_second(tcp_uri("ck", "sslmode=require")));
  expect_clean_failure(r, tcp_server(), "SSL");
  EXPECT_NE(r.err.find("cannot connect to PostgreSQL"), std::string::npos) << r.err;
  EXPECT_EQ(db_snapshot(), before);
}

TEST_F(PostgresqlFaultTest, AnotherApplicationsTablesInTheSchemaAreLeftAlone) {
  server_->psql(database_,
                "CREATE SCHEMA certkeeper; CREATE TABLE certkeeper.invoices (id int PRIMARY KEY, item text); "
                "INSERT INTO certkeeper.invoices VALUES (1, 'theirs')");
  const std::string tables_sql =
      "SELECT string_agg(table_name, ',' ORDER BY table_name) FROM information_schema.tables "
      "WHERE table_schema = 'certkeeper'";
  const std::string tables = server_->psql(database_, tables_sql);
  auto r = ck({"init", "--external-url", "https://www.example.test/"});
  expect_clean_failure(r, server_->socket_dir(), "certkeeper");
  EXPECT_NE(r.err.find("invoices"), std::string::npos) << "names what is in the way: " << r.err;
  EXPECT_EQ(server_->psql(database_, tables_sql), tables) << "nothing was created beside it";
  EXPECT_EQ(server_->psql(database_, "SELECT item FROM certkeeper.invoices"), "theirs\n");
  auto list = ck({"list"});
  EXPECT_EQ(list.exit_code, 1) << list.out << list.err;
  EXPECT_EQ(server_->psql(database_, tables_sql), tables);
  backend_checked_ = true;  // never ours: there is no certkeeper inventory to check
}

TEST_F(PostgresqlFaultTest, ANewerSchemaIsRefused) {
  import_first();
  server_->psql(database_, "INSERT INTO certkeeper.schema_version VALUES (9999, '9999_future.sql', 0)");
  const std::string rows_sql =
      "SELECT (SELECT count(*) FROM certkeeper.cert_versions) || ' ' || (SELECT count(*) FROM certkeeper.events) || ' ' || "
      "(SELECT max(version) FROM certkeeper.schema_version)";
  const std::string rows = server_->psql(database_, rows_sql);
  for (const auto& args : {std::vector<std::string>{"list"}, import_second(db())}) {
    auto r = args.front() == "list" ? ck(args) : run_certkeeper(args);
    expect_clean_failure(r, server_->socket_dir(), "newer");
    EXPECT_NE(r.err.find("9999"), std::string::npos) << r.err;
  }
  EXPECT_EQ(server_->psql(database_, rows_sql), rows) << "never rewritten";
  server_->psql(database_, "DELETE FROM certkeeper.schema_version WHERE version = 9999");
}

TEST_F(PostgresqlFaultTest, AWrongKeyFileIsRefusedNamingIt) {
  import_first();
  const std::string before = db_snapshot();
  const std::string other = pki_.path("other.key");
  ASSERT_EQ(run_certkeeper({"keys", "new", "--out", other}).exit_code, 0);
  auto r = run_certkeeper(import_second(db(), other));
  EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
  EXPECT_NE(r.err.find(other), std::string::npos) << "names the key file: " << r.err;
  EXPECT_LE(std::count(r.err.begin(), r.err.end(), '\n'), 1) << r.err;
  EXPECT_EQ(db_snapshot(), before);
  expect_next_import_works();
}

// A fleet node's daemon while its inventory is down (issue 12): it keeps
// what is installed, says "inventory unreachable" once (not at every
// pass), never crashes or touches its files, and catches up once the
// server is back.
TEST_F(PostgresqlFaultOwnServerTest, ADaemonKeepsWhatIsInstalledWhileTheServerIsDownAndCatchesUp) {
  import_first();
  const std::string dir = pki_.path("live-web");
  std::filesystem::create_directories(dir);
  ASSERT_EQ(ck({"--node", "mx2", "target", "add", "web", "--dir", dir}).exit_code, 0);
  Running daemon({"--db", db(), "--key-file", key_file_, "--node", "mx2", "run", "--poll", "1"});
  auto serves = [&](const std::string& pem_file) {
    for (int i = 0; i < 400; ++i) {
      if (exists(dir + "/cert.pem") && read_file(dir + "/cert.pem") == read_file(pem_file)) return true;
      std::this_thread::sleep_for(50ms);
    }
    return false;
  };
  ASSERT_TRUE(serves(pki_.path("v1-cert.pem"))) << "the first pass installs version 1";
  const FileState installed = file_state(dir + "/cert.pem");
  own.stop();
  ASSERT_TRUE(daemon.wait_for_stderr("inventory unreachable", 20s));
  std::this_thread::sleep_for(4s);  // several --poll 1 passes meet the stopped server
  EXPECT_EQ(file_state(dir + "/cert.pem"), installed) << "what is installed stays";
  restart();
  auto r = run_certkeeper(import_second(db()));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_TRUE(serves(pki_.path("v2-cert.pem"))) << "the node caught up with version 2";
  EXPECT_TRUE(daemon.wait_for_stderr("inventory reachable again", 20s));
  ::kill(daemon.pid(), SIGTERM);
  const auto& done = daemon.result();
  EXPECT_TRUE(done.exited(0)) << done.describe() << done.err;
  std::size_t said = 0;
  for (auto at = done.err.find("inventory unreachable"); at != std::string::npos;
       at = done.err.find("inventory unreachable", at + 1)) {
    ++said;
  }
  EXPECT_EQ(said, 1u) << "said once for the outage: " << done.err;
  EXPECT_EQ(done.err.find("internal error"), std::string::npos) << done.err;
}

}  // namespace
}  // namespace certkeeper::testing
