// certkeeper db copy --from URL --to URL (README "db copy"): the whole
// inventory into a new database, SQLite and a real PostgreSQL; text and
// --json output; exit 0, 1 for a destination that holds something, 2 for a
// missing location, a password or a plaintext key bound for PostgreSQL
// without --key-file (nothing written); the source's bytes stay.
#include "cli/cli_fixture.h"
#include "support/postgres.h"

namespace certkeeper::testing {
namespace {

std::int64_t copied_rows(const nlohmann::json& doc, const std::string& name) {
  for (const auto& t : doc["tables"]) {
    if (t["name"] == name) return t["rows"].get<std::int64_t>();
  }
  ADD_FAILURE() << "no table " << name << " in " << doc.dump();
  return -1;
}

class DbCopyTest : public CliTest {
 protected:
  void import_web() {
    init();
    const Files f = write_set(leaf_);
    auto r = ck({"import", "web", "--cert", f.cert, "--key", f.key, "--chain", f.chain});
    ASSERT_EQ(r.exit_code, 0) << r.err;
  }
  std::string fresh_postgresql() {
    auto& server = shared_postgres();
    return server.uri(server.create_database());
  }
  Cert leaf_ = pki_.leaf();
};

TEST_F(DbCopyTest, CopiesASqliteInventoryIntoANewFileAndLeavesTheSourceAsItWas) {
  import_web();
  const std::string before = db_snapshot();
  const std::string copy = pki_.path("copy/ck.db");
  auto r = ck({"--json", "db", "copy", "--from", db(), "--to", "sqlite:" + copy});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto doc = json(r);
  EXPECT_EQ(doc["ok"], true);
  EXPECT_EQ(doc["from"], db());
  EXPECT_EQ(doc["from_backend"], "sqlite");
  EXPECT_EQ(doc["to"], copy);
  EXPECT_EQ(doc["to_backend"], "sqlite");
  EXPECT_EQ(copied_rows(doc, "certificates"), 1);
  EXPECT_EQ(copied_rows(doc, "cert_versions"), 1);
  EXPECT_EQ(doc["keys_sealed"], 0);
  EXPECT_GE(doc["elapsed_ms"].get<std::int64_t>(), 0);
  std::int64_t sum = 0;
  for (const auto& t : doc["tables"]) sum += t["rows"].get<std::int64_t>();
  EXPECT_EQ(doc["rows"], sum);
  EXPECT_EQ(db_snapshot(), before) << "db copy wrote to its source";

  // The copy is an inventory like the source, its history ends with the copy.
  auto list = run_certkeeper({"--db", copy, "--json", "list"});
  ASSERT_EQ(list.exit_code, 0) << list.err;
  EXPECT_NE(list.out.find("\"web\""), std::string::npos) << list.out;
  auto source_show = ck({"--json", "show", "web"});
  auto copy_show = run_certkeeper({"--db", copy, "--json", "show", "web"});
  ASSERT_EQ(copy_show.exit_code, 0) << copy_show.err;
  EXPECT_EQ(json(copy_show), json(source_show));
  auto check = run_certkeeper({"--db", copy, "--json", "db", "check"});
  ASSERT_EQ(check.exit_code, 0) << check.err;
  EXPECT_EQ(json(check)["private_keys"]["plaintext"], 1) << "a SQLite copy gets what the source had";

  // Text: what was copied, table by table.
  r = ck({"db", "copy", "--from", db(), "--to", pki_.path("text.db")});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("copied " + db() + " (sqlite) to " + pki_.path("text.db") + " (sqlite)"), std::string::npos)
      << r.out;
  EXPECT_NE(r.out.find("verified"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("cert_versions"), std::string::npos) << r.out;
}

TEST_F(DbCopyTest, RefusesWhatItCannotDoWithItsExitCodes) {
  import_web();
  const std::string before = db_snapshot();
  // Both locations are needed; --from has no default.
  auto r = ck({"db", "copy", "--to", pki_.path("x.db")});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("--from"), std::string::npos) << r.err;
  EXPECT_EQ(ck({"db", "copy", "--from", db()}).exit_code, 2);
  EXPECT_FALSE(exists(pki_.path("x.db")));

  // A destination that holds something: exit 1, untouched.
  const std::string other = pki_.path("other.db");
  ASSERT_EQ(run_certkeeper({"--db", other, "init"}).exit_code, 0);
  const std::string other_bytes = read_file(other) + read_file(other + "-wal");
  r = ck({"--json", "db", "copy", "--from", db(), "--to", other});
  EXPECT_EQ(r.exit_code, 1) << r.out;
  EXPECT_EQ(json(r)["error"]["code"], "conflict");
  EXPECT_NE(r.out.find("is not empty"), std::string::npos) << r.out;
  EXPECT_EQ(read_file(other) + read_file(other + "-wal"), other_bytes);

  // A password on the command line: exit 2, never printed.
  const std::string secret = "s3cr3t-Pa55";
  for (const std::string& to : {"postgresql://ck:" + secret + "@127.0.0.1/db",
                                "postgresql://127.0.0.1/db?password=" + secret}) {
    r = ck({"db", "copy", "--from", db(), "--to", to});
    EXPECT_EQ(r.exit_code, 2) << r.err;
    EXPECT_EQ(r.out.find(secret), std::string::npos) << r.out;
    EXPECT_EQ(r.err.find(secret), std::string::npos) << r.err;
    EXPECT_NE(r.err.find("password"), std::string::npos) << r.err;
    r = ck({"--json", "db", "copy", "--from", to, "--to", pki_.path("y.db")});
    EXPECT_EQ(r.exit_code, 2);
    EXPECT_EQ(r.out.find(secret), std::string::npos) << r.out;
    EXPECT_EQ(r.err.find(secret), std::string::npos) << r.err;
  }
  // A source that is no inventory: exit 1, nothing made.
  r = ck({"db", "copy", "--from", pki_.path("missing.db"), "--to", pki_.path("z.db")});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_FALSE(exists(pki_.path("z.db")));
  EXPECT_EQ(db_snapshot(), before);
}

TEST_F(DbCopyTest, CopiesIntoPostgresqlSealingThePlaintextKeysUnderTheKeyFile) {
  import_web();
  const std::string before = db_snapshot();
  const std::string pg = fresh_postgresql();
  // Without a key file a plaintext key would reach the server: exit 2, nothing written.
  auto r = ck({"db", "copy", "--from", db(), "--to", pg});
  EXPECT_EQ(r.exit_code, 2) << r.err;
  EXPECT_NE(r.err.find("--key-file"), std::string::npos) << r.err;
  EXPECT_EQ(run_certkeeper({"--db", pg, "db", "check"}).exit_code, 1) << "no inventory was made on the server";

  const std::string key = pki_.path("inventory.key");
  ASSERT_EQ(ck({"keys", "new", "--out", key}).exit_code, 0);
  r = ck({"--json", "--key-file", key, "db", "copy", "--from", db(), "--to", pg});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto doc = json(r);
  EXPECT_EQ(doc["to_backend"], "postgresql");
  EXPECT_EQ(doc["to"], pg);
  EXPECT_EQ(doc["keys_sealed"], 1);
  EXPECT_EQ(db_snapshot(), before);

  auto check = run_certkeeper({"--db", pg, "--json", "db", "check"});
  ASSERT_EQ(check.exit_code, 0) << check.err;
  EXPECT_EQ(json(check)["private_keys"]["encryption"], "encrypted");
  // The key opens on the server (its key file is the setting key_file now).
  auto exported = run_certkeeper({"--db", pg, "export", "web", "--format", "pem", "--include-key", "--out",
                                  pki_.path("out")});
  ASSERT_EQ(exported.exit_code, 0) << exported.err;
  EXPECT_TRUE(leaf_.key().same_as_pem(read_file(pki_.path("out/privkey.pem"))));
  auto history = run_certkeeper({"--db", pg, "--json", "history", "web"});
  ASSERT_EQ(history.exit_code, 0) << history.err;

  // And back into SQLite, with no key file needed.
  const std::string back = pki_.path("back.db");
  r = ck({"db", "copy", "--from", pg, "--to", back});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(json(run_certkeeper({"--db", back, "--json", "show", "web"})), json(ck({"--json", "show", "web"})));
}

}  // namespace
}  // namespace certkeeper::testing
