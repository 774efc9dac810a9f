// revoke as a whole process against Debian's pebble: the CA revokes, the
// history records it.
#include <algorithm>

#include "cli/pebble_cli_fixture.h"

namespace certkeeper::testing {
namespace {

class RevokeTest : public PebbleCliTest<> {
 protected:
  void issue(const std::string& name) {
    ASSERT_EQ(ck({"add", name, "--domain", name + ".example.test", "--listen", http_listen()}).exit_code, 0);
    auto r = ck({"issue", name});
    ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  }

  static long count_events(const nlohmann::json& history, const std::string& kind) {
    return std::count_if(history["events"].begin(), history["events"].end(),
                         [&](const nlohmann::json& e) { return e["kind"] == kind; });
  }

};

TEST_F(RevokeTest, RevokesTheCurrentVersionAndRecordsIt) {
  issue("web");
  auto r = ck({"--json", "revoke", "web", "--reason", "keyCompromise"});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  auto doc = json(r);
  EXPECT_TRUE(doc["ok"]);
  EXPECT_EQ(doc["version"], 1);
  EXPECT_EQ(doc["reason"], "keyCompromise");
  EXPECT_EQ(doc["reason_code"], 1);
  EXPECT_TRUE(doc["newly_marked"]);

  auto history = json(ck({"--json", "history", "web"}));
  auto v = history["versions"][0];
  EXPECT_FALSE(v["revoked_at"].is_null()) << v;
  EXPECT_EQ(v["revoke_reason"], "keyCompromise");
  EXPECT_EQ(count_events(history, "revoked"), 1);

  // The CA answers alreadyRevoked: still a success, and the first mark stands.
  auto again = ck({"--json", "revoke", "web", "--reason", "superseded"});
  ASSERT_EQ(again.exit_code, 0) << again.out << again.err;
  EXPECT_FALSE(json(again)["newly_marked"]);
  EXPECT_EQ(json(again)["reason"], "keyCompromise");
  auto after = json(ck({"--json", "history", "web"}));
  EXPECT_EQ(after["versions"][0]["revoked_at"], v["revoked_at"]);
  EXPECT_EQ(count_events(after, "revoked"), 1);
}

TEST_F(RevokeTest, TheDefaultReasonIsUnspecified) {
  issue("plain");
  auto r = ck({"revoke", "plain"});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_NE(r.out.find("plain: revoked version 1"), std::string::npos) << r.out;
  EXPECT_EQ(json(ck({"--json", "history", "plain"}))["versions"][0]["revoke_reason"], "unspecified");
}

TEST_F(RevokeTest, UsageAndLookupErrors) {
  auto bad = ck({"revoke", "web", "--reason", "tired"});
  EXPECT_EQ(bad.exit_code, 2);
  EXPECT_NE(bad.err.find("cessationOfOperation"), std::string::npos) << "the valid reasons are listed: " << bad.err;
  auto unknown = ck({"--json", "revoke", "nope"});
  EXPECT_EQ(unknown.exit_code, 1);
  EXPECT_EQ(json(unknown)["error"]["code"], "not-found");
  EXPECT_EQ(ck({"revoke"}).exit_code, 2);

  ASSERT_EQ(ck({"add", "never", "--domain", "never.example.test", "--webroot", pki_.make_dir("www")}).exit_code, 0);
  auto unissued = ck({"revoke", "never"});
  EXPECT_EQ(unissued.exit_code, 1);
  EXPECT_NE(unissued.err.find("no version"), std::string::npos) << unissued.err;
}

TEST_F(RevokeTest, AManualCertificateIsNotRevoked) {
  auto f = write_set(pki_.leaf());
  ASSERT_EQ(ck({"import", "manual", "--cert", f.cert, "--key", f.key, "--chain", f.chain}).exit_code, 0);
  auto r = ck({"revoke", "manual"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("ACME"), std::string::npos) << r.err;
  EXPECT_TRUE(json(ck({"--json", "history", "manual"}))["versions"][0]["revoked_at"].is_null());
}

}  // namespace
}  // namespace certkeeper::testing
