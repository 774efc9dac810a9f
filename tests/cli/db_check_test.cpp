// certkeeper db check (README "db check"): the backend, the file, the schema
// version, the rows of every table and how the private keys are stored,
// read without writing anything: the file's bytes, mode and time stay, no
// migration runs on an older schema, and a missing file is not created.
#include "cli/cli_fixture.h"
#include "support/program.h"

namespace certkeeper::testing {
namespace {

// The inventory file and its WAL.
std::pair<FileState, std::string> db_file_state(const std::string& path) {
  return {file_state(path), read_file(path + "-wal")};
}

std::int64_t table_rows(const nlohmann::json& doc, const std::string& name) {
  for (const auto& t : doc["tables"]) {
    if (t["name"] == name) return t["rows"].get<std::int64_t>();
  }
  ADD_FAILURE() << "no table " << name << " in " << doc.dump();
  return -1;
}

class DbCheckTest : public CliTest {
 protected:
  void sql(const std::string& statements) {
    auto sqlite3 = which("sqlite3");
    ASSERT_TRUE(sqlite3) << "Debian's sqlite3 is a build package (contrib/lib/setup.sh)";
    auto r = run_program({*sqlite3, db(), statements}, pki_.path(""));
    ASSERT_EQ(r.exit_code, 0) << r.err;
  }
};

TEST_F(DbCheckTest, ReportsTheInventoryAndItsPlaintextKeys) {
  init();
  const Files f = write_set(pki_.leaf());
  ASSERT_EQ(ck({"import", "web", "--cert", f.cert, "--key", f.key, "--chain", f.chain}).exit_code, 0);
  const auto before = db_file_state(db());
  auto r = ck({"--json", "db", "check"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto doc = json(r);
  EXPECT_EQ(doc["ok"], true);
  EXPECT_EQ(doc["backend"], "sqlite");
  EXPECT_EQ(doc["database"], db());
  EXPECT_EQ(doc["schema_version"], doc["schema_latest"]);
  EXPECT_GE(doc["schema_version"].get<int>(), 8);
  EXPECT_EQ(table_rows(doc, "certificates"), 1);
  EXPECT_EQ(table_rows(doc, "cert_versions"), 1);
  // One row per migration applied.
  EXPECT_EQ(table_rows(doc, "schema_version"), doc["schema_version"].get<int>());
  EXPECT_EQ(doc["private_keys"]["encryption"], "plaintext");
  EXPECT_EQ(doc["private_keys"]["plaintext"], 1);
  EXPECT_EQ(doc["private_keys"]["encrypted"], 0);
  r = ck({"db", "check"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("inventory: " + db() + " (sqlite)"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("(current)"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("private keys: not encrypted (1 plaintext, 0 encrypted)"), std::string::npos) << r.out;
  EXPECT_TRUE(db_file_state(db()) == before) << "db check wrote to the inventory";
  EXPECT_EQ(r.out.find("PRIVATE KEY"), std::string::npos);
}

TEST_F(DbCheckTest, AnEmptyInventoryHasNoKeysAndEncryptedRowsAreCounted) {
  init();
  auto r = ck({"--json", "db", "check"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(json(r)["private_keys"]["encryption"], "none");
  EXPECT_NE(ck({"db", "check"}).out.find("private keys: none stored"), std::string::npos);
  // A row in the encrypted form (as init --encrypt-keys will store it).
  sql("INSERT INTO acme_accounts (directory_url, contact, key_pem, created_at) "
      "VALUES ('https://ca.example.test/dir', '', 'ck-aesgcm-v1:AAAA', 0);");
  r = ck({"--json", "db", "check"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(json(r)["private_keys"]["encryption"], "encrypted");
  EXPECT_EQ(json(r)["private_keys"]["encrypted"], 1);
  const Files f = write_set(pki_.leaf());
  ASSERT_EQ(ck({"import", "web", "--cert", f.cert, "--key", f.key, "--chain", f.chain}).exit_code, 0);
  r = ck({"--json", "db", "check"});
  const auto mixed = json(r);
  EXPECT_EQ(mixed["private_keys"]["encryption"], "mixed");
  bool seen = false;
  for (const auto& c : mixed["private_keys"]["columns"]) {
    if (c["table"] == "acme_accounts" && c["column"] == "key_pem") {
      seen = true;
      EXPECT_EQ(c["encrypted"], 1);
      EXPECT_EQ(c["plaintext"], 0);
    }
  }
  EXPECT_TRUE(seen) << r.out;
  EXPECT_NE(ck({"db", "check"}).out.find("partly encrypted (1 plaintext, 1 encrypted)"), std::string::npos);
}

TEST_F(DbCheckTest, AnOlderSchemaIsReportedNotMigrated) {
  init();
  sql("PRAGMA wal_checkpoint(TRUNCATE); DELETE FROM schema_version WHERE version = "
      "(SELECT max(version) FROM schema_version); PRAGMA wal_checkpoint(TRUNCATE);");
  const auto before = db_file_state(db());
  auto r = ck({"--json", "db", "check"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_LT(json(r)["schema_version"].get<int>(), json(r)["schema_latest"].get<int>());
  r = ck({"db", "check"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("older than"), std::string::npos) << r.out;
  EXPECT_TRUE(db_file_state(db()) == before) << "db check migrated or otherwise wrote the file";
}

TEST_F(DbCheckTest, AMissingFileOrAnotherFileIsAnErrorAndStaysSo) {
  auto r = ck({"db", "check"});
  EXPECT_EQ(r.exit_code, 1) << r.err;
  EXPECT_NE(r.err.find("certkeeper init"), std::string::npos) << r.err;
  EXPECT_FALSE(exists(db()));
  r = ck({"--json", "db", "check"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(json(r)["exit_code"], 1);
  const std::string other = pki_.write("notes.txt", "not a database at all, just some text\n");
  const std::string bytes = read_file(other);
  r = run_certkeeper({"--db", other, "db", "check"});
  EXPECT_EQ(r.exit_code, 1) << r.err;
  EXPECT_EQ(read_file(other), bytes);
  for (const char* side : {"-wal", "-shm", "-journal"}) EXPECT_FALSE(exists(other + side)) << side;
  r = run_certkeeper({"--db", "mysql://db.example.test/ck", "db", "check"});
  EXPECT_EQ(r.exit_code, 2) << r.err;
  r = ck({"db"});
  EXPECT_EQ(r.exit_code, 2) << r.err;
}

}  // namespace
}  // namespace certkeeper::testing
