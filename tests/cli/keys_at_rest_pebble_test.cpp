// Private keys at rest with ACME (README "Private keys at rest"): on an
// encrypted inventory, issuing against Debian's pebble stores the account
// key, the order's key and the version's key encrypted; a second issue and
// a renewal read the account key back; without the key file, issuing is
// exit 1 naming it and stores nothing.
#include <cstdio>

#include "cli/pebble_cli_fixture.h"
#include "support/program.h"

namespace certkeeper::testing {
namespace {

class KeysAtRestPebbleTest : public PebbleCliTest<> {};

TEST_F(KeysAtRestPebbleTest, IssueRenewAndAccountKeysAreEncrypted) {
  const std::string key = pki_.path("inventory.key");
  ASSERT_EQ(ck({"keys", "new", "--out", key}).exit_code, 0);
  ASSERT_EQ(ck({"--key-file", key, "init", "--encrypt-keys"}).exit_code, 0);
  ASSERT_EQ(ck({"add", "web", "--domain", "www.example.test", "--challenge", "http-01", "--listen", http_listen()})
                .exit_code,
            0);
  auto r = ck({"issue", "web"});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  r = ck({"renew", "web", "--force"});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_EQ(account({"rollover"}).is_null(), false);
  r = ck({"--json", "db", "check"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto keys = json(r)["private_keys"];
  EXPECT_EQ(keys["plaintext"], 0) << keys.dump();
  // Two versions, the account key (the rollover's pending key is empty once confirmed), two orders.
  EXPECT_GE(keys["encrypted"].get<int>(), 5) << keys.dump();
  auto sqlite3 = which("sqlite3");
  ASSERT_TRUE(sqlite3);
  ASSERT_EQ(run_program({*sqlite3, db(), "PRAGMA wal_checkpoint(TRUNCATE);"}, pki_.path("")).exit_code, 0);
  EXPECT_EQ((read_file(db()) + read_file(db() + "-wal")).find("PRIVATE KEY"), std::string::npos);

  ASSERT_EQ(::rename(key.c_str(), (key + ".away").c_str()), 0);
  r = ck({"issue", "web"});
  EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
  EXPECT_NE(r.err.find(key), std::string::npos) << r.err;
  r = ck({"--json", "history", "web"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(json(r)["versions"].size(), 2u);
}

}  // namespace
}  // namespace certkeeper::testing
