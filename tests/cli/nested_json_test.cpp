// A CA that sends JSON nested far deeper than any ACME document needs
// (issue 14, point 1): `issue` must fail cleanly, record the failure, and
// say why, instead of overflowing the stack.
#include <string>

#include "cli/cli_fixture.h"
#include "support/acme_stub.h"

namespace certkeeper::testing {
namespace {

// {"a":{"a":...{"a":1}...}}, `levels` objects deep.
std::string nested_objects(int levels) {
  std::string text;
  text.reserve(static_cast<std::size_t>(levels) * 6 + 1);
  for (int i = 0; i < levels; ++i) text += "{\"a\":";
  text += '1';
  text.append(static_cast<std::size_t>(levels), '}');
  return text;
}

class NestedJsonTest : public CliTest {
 protected:
  void SetUp() override {
    ASSERT_EQ(ck({"init", "--acme-server", stub_.directory_url(), "--acme-ca-file", stub_.ca_file(), "--email",
                  "ops@example.test"})
                  .exit_code,
              0);
    ASSERT_EQ(ck({"add", "web", "--domain", "www.example.test", "--webroot", pki_.make_dir("webroot")}).exit_code, 0);
  }

  // Every POST-as-GET of an order answers `body` (the order is then
  // "invalid" with that error, or carries it in an unknown member).
  void serve_order(const std::string& body) {
    stub_.set_override([body](const StubRequest& r) -> std::optional<StubResponse> {
      if (r.path.rfind("/order/", 0) != 0 || !r.post_as_get) return std::nullopt;
      StubResponse out;
      out.body = body;
      return out;
    });
  }

  std::string order_with(const std::string& status, const std::string& member, const std::string& value) const {
    return "{\"status\":\"" + status + "\",\"finalize\":\"" + stub_.base_url() +
           "/finalize/1\",\"identifiers\":[{\"type\":\"dns\",\"value\":\"www.example.test\"}],"
           "\"authorizations\":[\"" + stub_.base_url() + "/authz/1\"],\"" + member + "\":" + value + "}";
  }

  AcmeStub stub_{[] {
    AcmeStubOptions o;
    o.processing_polls = 1;  // finalize answers "processing": the client polls the order
    return o;
  }()};
};

TEST_F(NestedJsonTest, AnOrderErrorNestedTooDeeplyFailsCleanlyAndIsRecorded) {
  // A problem document whose extra member holds 100,000 levels.
  serve_order(order_with("invalid", "error",
                         "{\"type\":\"urn:ietf:params:acme:error:malformed\",\"detail\":\"x\",\"deep\":" +
                             nested_objects(100'000) + "}"));
  auto r = ck({"issue", "web"});
  EXPECT_EQ(r.exit_code, 4) << r.out << r.err;
  EXPECT_NE(r.err.find("nested too deeply"), std::string::npos) << r.err;

  auto c = json(ck({"--json", "list"}))["certificates"][0];
  EXPECT_TRUE(c["version"].is_null());
  EXPECT_EQ(c["failures"], 1);
  EXPECT_NE(c["last_error"].get<std::string>().find("nested too deeply"), std::string::npos) << c["last_error"];
  auto history = json(ck({"--json", "history", "web"}));
  bool failed_event = false;
  for (const auto& e : history["events"]) failed_event = failed_event || e["kind"] == "issue-failed";
  EXPECT_TRUE(failed_event) << history.dump();
}

TEST_F(NestedJsonTest, TheSameNestingInAnUnknownMemberIsRefusedAlike) {
  // Not read by anyone, but no document from a CA gets past the limit.
  serve_order(order_with("valid", "x-unknown", nested_objects(100'000)));
  auto r = ck({"issue", "web"});
  EXPECT_EQ(r.exit_code, 4) << r.out << r.err;
  EXPECT_NE(r.err.find("nested too deeply"), std::string::npos) << r.err;
}

TEST_F(NestedJsonTest, SixtyFourLevelsAreStillRead) {
  // 64 levels in all: the order, its error and 62 more.
  serve_order(order_with("invalid", "error",
                         "{\"type\":\"urn:ietf:params:acme:error:malformed\",\"detail\":\"boom\",\"deep\":" +
                             nested_objects(62) + "}"));
  auto r = ck({"issue", "web"});
  EXPECT_EQ(r.exit_code, 4) << r.out << r.err;
  EXPECT_EQ(r.err.find("nested too deeply"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("boom"), std::string::npos) << r.err;
}

}  // namespace
}  // namespace certkeeper::testing
