// account register | show | rollover | deactivate as whole processes against
// Debian's pebble (5% bad nonces on), with and without External Account
// Binding.
#include "cli/pebble_cli_fixture.h"

namespace certkeeper::testing {
namespace {

class AccountTest : public PebbleCliTest<> {};

TEST_F(AccountTest, RegisterIsIdempotent) {
  auto r = ck({"--json", "account", "register"});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  auto doc = json(r);
  EXPECT_TRUE(doc["registered"]);
  EXPECT_EQ(doc["action"], "register");
  auto a = doc["account"];
  EXPECT_EQ(a["directory_url"], pebble_->directory_url());
  EXPECT_EQ(a["contact"], "mailto:ops@example.test");
  EXPECT_EQ(a["status"], "valid");
  EXPECT_EQ(a["key_type"], "ec-p256");
  EXPECT_EQ(a["key_thumbprint"].get<std::string>().size(), 43u) << "base64url of a SHA-256";
  ASSERT_EQ(a["account_url"].get<std::string>().rfind("https://127.0.0.1:", 0), 0u) << a;

  auto again = ck({"--json", "account", "register"});
  ASSERT_EQ(again.exit_code, 0) << again.err;
  EXPECT_FALSE(json(again)["registered"]);
  EXPECT_EQ(json(again)["account"]["account_url"], a["account_url"]);
  EXPECT_EQ(json(again)["account"]["key_thumbprint"], a["key_thumbprint"]);

  auto text = ck({"account", "register"});
  ASSERT_EQ(text.exit_code, 0) << text.err;
  EXPECT_NE(text.out.find(a["account_url"].get<std::string>()), std::string::npos) << text.out;
}

TEST_F(AccountTest, ShowsTheStoredAccountAndTheCasView) {
  auto none = ck({"account", "show"});
  EXPECT_EQ(none.exit_code, 1);
  EXPECT_NE(none.err.find("certkeeper account register"), std::string::npos) << none.err;

  auto registered = account({"register"});
  auto a = account({"show"});
  EXPECT_EQ(a["account_url"], registered["account_url"]);
  EXPECT_EQ(a["status"], "valid");
  EXPECT_EQ(a["server_status"], "valid");
  EXPECT_TRUE(a["server_error"].is_null());

  auto offline = account({"show", "--offline"});
  EXPECT_TRUE(offline["server_status"].is_null());
  EXPECT_EQ(offline["key_thumbprint"], registered["key_thumbprint"]);

  auto text = ck({"account", "show"});
  ASSERT_EQ(text.exit_code, 0) << text.err;
  EXPECT_NE(text.out.find("the CA says: valid"), std::string::npos) << text.out;
  EXPECT_NE(text.out.find("ec-p256"), std::string::npos) << text.out;
}

TEST_F(AccountTest, RolloverChangesTheKeyAndIssueKeepsWorking) {
  EXPECT_EQ(ck({"account", "rollover"}).exit_code, 1) << "no account to roll over";
  auto before = account({"register"});
  auto after = account({"rollover"});
  EXPECT_EQ(after["account_url"], before["account_url"]);
  EXPECT_NE(after["key_thumbprint"], before["key_thumbprint"]);
  EXPECT_EQ(account({"show"})["server_status"], "valid") << "the CA finds the account by its new key";

  ASSERT_EQ(ck({"add", "web", "--domain", "www.example.test", "--listen", http_listen()}).exit_code, 0);
  auto issue = ck({"issue", "web"});
  ASSERT_EQ(issue.exit_code, 0) << issue.out << issue.err;
  auto events = json(ck({"--json", "history", "web"}))["events"];
  bool issued_by_same_account = false;
  for (const auto& e : events) {
    if (e["kind"] == "issued") issued_by_same_account = e["detail"]["account_url"] == before["account_url"];
  }
  EXPECT_TRUE(issued_by_same_account) << events;
  EXPECT_EQ(account({"show", "--offline"})["key_thumbprint"], after["key_thumbprint"]);
}

TEST_F(AccountTest, DeactivatedAccountIsReplacedByTheNextRegistration) {
  auto before = account({"register"});
  auto r = ck({"--json", "account", "deactivate"});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_EQ(json(r)["account"]["status"], "deactivated");
  auto shown = account({"show"});
  EXPECT_EQ(shown["status"], "deactivated");
  EXPECT_EQ(shown["account_url"], before["account_url"]);
  EXPECT_EQ(shown["server_status"], "deactivated") << shown;
  EXPECT_EQ(ck({"account", "deactivate"}).exit_code, 0) << "deactivating again changes nothing";

  auto rollover = ck({"account", "rollover"});
  EXPECT_EQ(rollover.exit_code, 1);
  EXPECT_NE(rollover.err.find("deactivated"), std::string::npos) << rollover.err;

  // issue does not use the deactivated account: it registers a new one.
  ASSERT_EQ(ck({"add", "web", "--domain", "www.example.test", "--listen", http_listen()}).exit_code, 0);
  auto issue = ck({"issue", "web"});
  ASSERT_EQ(issue.exit_code, 0) << issue.out << issue.err;
  auto now = account({"show"});
  EXPECT_EQ(now["status"], "valid");
  EXPECT_EQ(now["server_status"], "valid");
  EXPECT_NE(now["account_url"], before["account_url"]);
  EXPECT_NE(now["key_thumbprint"], before["key_thumbprint"]);
}

TEST_F(AccountTest, EabFlagsComeInPairs) {
  auto r = ck({"account", "register", "--eab-kid", "kid-1"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("--eab-hmac-key"), std::string::npos) << r.err;
  EXPECT_EQ(ck({"account", "register", "--eab-kid", "k", "--eab-hmac-key", "not base64!"}).exit_code, 2);
  EXPECT_EQ(ck({"account"}).exit_code, 2) << "a subcommand is required";
}

class AccountEabTest : public PebbleCliTest</*kEab=*/true> {};

TEST_F(AccountEabTest, RegistrationNeedsTheBinding) {
  auto refused = ck({"account", "register"});
  EXPECT_EQ(refused.exit_code, 2) << refused.out << refused.err;
  EXPECT_NE(refused.err.find("--eab-kid"), std::string::npos) << refused.err;
  EXPECT_NE(refused.err.find("--eab-hmac-key"), std::string::npos) << refused.err;

  // issue says the same rather than failing at the CA.
  ASSERT_EQ(ck({"add", "web", "--domain", "www.example.test", "--webroot", pki_.make_dir("www")}).exit_code, 0);
  auto issue = ck({"issue", "web"});
  EXPECT_EQ(issue.exit_code, 2) << issue.out << issue.err;
  EXPECT_NE(issue.err.find("account register --eab-kid"), std::string::npos) << issue.err;

  auto r = ck({"--json", "account", "register", "--eab-kid", Pebble::kEabKid, "--eab-hmac-key", Pebble::kEabHmacKey});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_TRUE(json(r)["registered"]);
  EXPECT_EQ(json(r)["account"]["status"], "valid");
  EXPECT_EQ(account({"show"})["server_status"], "valid");
  EXPECT_FALSE(account({"register"}).is_null()) << "registered: no binding needed again";
}

TEST_F(AccountEabTest, AWrongBindingIsRefusedByTheCa) {
  auto r = ck({"account", "register", "--eab-kid", Pebble::kEabKid, "--eab-hmac-key",
               "c29tZSBvdGhlciBrZXkgdGhhdCBwZWJibGUgZG9lcyBub3Qga25vdw"});
  EXPECT_EQ(r.exit_code, 4) << r.out << r.err;
}

}  // namespace
}  // namespace certkeeper::testing
