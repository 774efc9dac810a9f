// --db naming a file that is not an inventory (README "The inventory
// file"), and init's --external-url (README "init"): another program's
// SQLite database or a zero-byte file is refused by every command but init
// (exit 1) and left byte for byte, checked with stat and the bytes; an
// external URL with control characters or a user name and password is
// refused (exit 2) without storing it and without echoing the password.
#include <sys/stat.h>

#include "cli/cli_fixture.h"
#include "support/program.h"

namespace certkeeper::testing {
namespace {

class InventoryFileTest : public CliTest {
 protected:
  // Every command that opens the inventory, each given `db`.
  std::vector<std::vector<std::string>> commands(const std::string& db) const {
    const Files f = write_set(pki_.leaf());
    std::vector<std::vector<std::string>> out = {
        {"import", "web", "--cert", f.cert, "--key", f.key, "--chain", f.chain},
        {"list"},
        {"show", "web"},
        {"history", "web"},
        {"report"},
        {"report", "--format", "json", "--fail-within", "30"},
        {"add", "acme", "--domain", "www.example.test"},
        {"target", "add", "web", "--dir", pki_.path("live")},
        {"target", "list", "web"},
        {"install", "web"},
        {"renew"},
        {"renew", "--dry-run"},
        {"watch", "list"},
        {"watch", "check"},
        {"check", "--cert", f.cert, "--key", f.key, "--chain", f.chain},
    };
    for (auto& args : out) args.insert(args.begin(), {"--db", db});
    return out;
  }

  void expect_refused_and_untouched(const std::string& db) {
    ::chmod(db.c_str(), 0644);
    const FileState before = file_state(db);
    for (const auto& args : commands(db)) {
      auto r = run_certkeeper(args);
      const std::string what = args[2] + (args.size() > 3 ? " " + args[3] : "");
      if (args[2] == "check") {
        // check reads the inventory only for its external URL: without one
        // it still judges the files, and never writes.
        EXPECT_EQ(r.exit_code, 0) << what << ": " << r.err;
      } else {
        EXPECT_EQ(r.exit_code, 1) << what << ": " << r.err;
        EXPECT_NE(r.err.find("not a certkeeper inventory"), std::string::npos) << what << ": " << r.err;
      }
      EXPECT_TRUE(file_state(db) == before) << what << " changed " << db;
      for (const char* side : {"-wal", "-shm", "-journal"}) EXPECT_FALSE(exists(db + side)) << what << side;
    }
  }
};

TEST_F(InventoryFileTest, AnotherProgramsDatabaseIsRefusedAndLeftByteForByte) {
  auto sqlite3 = which("sqlite3");
  ASSERT_TRUE(sqlite3) << "Debian's sqlite3 is a build package (contrib/lib/setup.sh)";
  const std::string db = pki_.path("mail.db");
  auto made = run_program({*sqlite3, db, "CREATE TABLE messages (id INTEGER, body TEXT); "
                                         "INSERT INTO messages VALUES (1, 'hello');"},
                          pki_.path(""));
  ASSERT_EQ(made.exit_code, 0) << made.err;
  expect_refused_and_untouched(db);
  auto init = run_certkeeper({"--db", db, "init"});
  EXPECT_EQ(init.exit_code, 1) << "init does not take over another program's file either: " << init.err;
  EXPECT_NE(init.err.find("another program's SQLite database"), std::string::npos) << init.err;
}

// SQLite makes a WAL database's -wal and -shm files even for a read-only
// look, unless the look is immutable.
TEST_F(InventoryFileTest, AnotherProgramsWalDatabaseGetsNoSideFiles) {
  auto sqlite3 = which("sqlite3");
  ASSERT_TRUE(sqlite3);
  const std::string db = pki_.path("wal.db");
  auto made = run_program({*sqlite3, db, "PRAGMA journal_mode = WAL; CREATE TABLE messages (id INTEGER);"},
                          pki_.path(""));
  ASSERT_EQ(made.exit_code, 0) << made.err;
  ASSERT_FALSE(exists(db + "-wal"));
  expect_refused_and_untouched(db);
}

TEST_F(InventoryFileTest, AZeroByteFileIsAnInventoryOnlyAfterInit) {
  const std::string db = pki_.path("empty.db");
  write_file(db, "");
  expect_refused_and_untouched(db);
  auto init = run_certkeeper({"--db", db, "init"});
  ASSERT_EQ(init.exit_code, 0) << init.err;
  EXPECT_EQ(run_certkeeper({"--db", db, "list"}).exit_code, 0);
}

TEST_F(InventoryFileTest, ExternalUrlWithControlCharactersIsRefused) {
  for (const std::string url : {"https://mail.example.test/\nforged", "https://mail.example.test/\x1B[2J",
                                "https://mail.example.test/\x07", "https://mail.example.test/\r"}) {
    auto r = ck({"init", "--external-url", url});
    EXPECT_EQ(r.exit_code, 2) << r.err;
    EXPECT_NE(r.err.find("control characters"), std::string::npos) << r.err;
    EXPECT_EQ(r.err.find('\x1B'), std::string::npos) << "the message escapes what it quotes";
    EXPECT_FALSE(exists(db())) << "nothing was created";
  }
}

TEST_F(InventoryFileTest, ExternalUrlWithAPasswordIsRefusedWithoutEchoingIt) {
  init();
  const std::string before = db_snapshot();
  for (const std::string url : {"https://admin:s3cr3t-pw@mail.example.test/", "admin:s3cr3t-pw@mail.example.test",
                                "https://s3cr3t-pw@mail.example.test:8443/owa"}) {
    for (bool as_json : {false, true}) {
      std::vector<std::string> args = {"init", "--external-url", url};
      if (as_json) args.insert(args.begin(), "--json");
      auto r = ck(args);
      EXPECT_EQ(r.exit_code, 2) << r.err;
      EXPECT_EQ((r.out + r.err).find("s3cr3t-pw"), std::string::npos) << "the password is echoed: " << r.out << r.err;
      EXPECT_NE((r.out + r.err).find("user name or password"), std::string::npos) << r.out << r.err;
    }
  }
  EXPECT_EQ(db_snapshot(), before) << "nothing stored, no event written";
  auto history = ck({"--json", "report", "--format", "json"});
  EXPECT_EQ(history.out.find("s3cr3t"), std::string::npos);
}

TEST_F(InventoryFileTest, AnExternalUrlWithoutUserinfoIsStillStored) {
  init("https://mail.example.test:8443/owa?x=1#top");
  auto r = ck({"--json", "init"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(json(r)["settings"]["external_url"], "https://mail.example.test:8443/owa?x=1#top");
}

}  // namespace
}  // namespace certkeeper::testing
