// The JSON reference (src/cli/json_reference.cpp, report/catalogue.cpp) and
// what the commands print, both ways: every CLI test checks that each member
// it sees is documented (tests/support/json_reference.h); here, the checker
// itself, and that what the reference lists for the commands whose
// documents always carry every member is what they print.
#include <set>

#include "cli/cli_fixture.h"
#include "support/json_reference.h"

namespace certkeeper::testing {
namespace {

TEST(JsonReference, TheCheckerFindsAnUndocumentedMember) {
  const std::string doc = R"({"ok": true, "targets": [{"dir": "/x", "files": [{"mode": "0600", "extra": 1}]}],
                              "settings": {"a": "1", "b": {"c": 2}}})";
  std::vector<std::string> documented = {"ok",           "targets[]", "targets[].dir", "targets[].files[]",
                                         "targets[].files[].mode", "settings", "settings.*"};
  EXPECT_EQ(undocumented_paths(doc, documented), (std::vector<std::string>{"targets[].files[].extra"}));
  documented.push_back("targets[].files[].extra");
  EXPECT_TRUE(undocumented_paths(doc, documented).empty());
  EXPECT_EQ(command_path({"--db", "x.db", "--json", "target", "list", "web"}), "target list");
  EXPECT_EQ(command_path({"account", "show", "--offline"}), "account");
}

// The member paths the reference lists for `command`, from the binary.
std::set<std::string> documented(const std::string& command) {
  auto run = run_certkeeper({"docs", "--format", "json"});
  auto doc = nlohmann::json::parse(run.out);
  std::set<std::string> out;
  for (const auto& c : doc["commands"]) {
    if (c["path"] != command) continue;
    for (const auto& p : c["json"]) {
      std::string path = p.get<std::string>();
      if (path.size() > 2 && path.compare(path.size() - 2, 2, "[]") == 0) path.resize(path.size() - 2);
      if (path.size() > 2 && path.compare(path.size() - 2, 2, ".*") == 0) continue;  // members of any name
      out.insert(path);
    }
  }
  return out;
}

class JsonReferenceCli : public CliTest {
 protected:
  // Every member the reference lists for `command` is in one of the
  // documents `runs` printed.
  void expect_complete(const std::string& command, const std::vector<ProcessResult>& runs) {
    std::set<std::string> seen;
    std::string printed;
    for (const auto& r : runs) {
      ASSERT_EQ(r.exit_code, 0) << command << ": " << r.err;
      printed += r.out;
      for (auto path : json_member_paths(r.out)) {
        for (std::size_t at; (at = path.find("[]")) != std::string::npos;) path.erase(at, 2);
        seen.insert(path);
      }
    }
    for (const auto& path : documented(command)) {
      std::string plain = path;
      for (std::size_t at; (at = plain.find("[]")) != std::string::npos;) plain.erase(at, 2);
      EXPECT_TRUE(seen.count(plain)) << command << " --json: the reference lists '" << path
                                     << "', which it did not print:\n"
                                     << printed;
    }
  }
};

TEST_F(JsonReferenceCli, DocumentsThatAlwaysCarryEveryMemberCarryExactlyTheListedOnes) {
  init();
  auto f = write_set(pki_.leaf());
  expect_complete("check", {ck({"--json", "check", "--cert", f.cert, "--key", f.key, "--chain", f.chain})});
  ASSERT_EQ(ck({"import", "web", "--cert", f.cert, "--key", f.key, "--chain", f.chain}).exit_code, 0);
  // A target installed by a pass: the rows' fleet (nodes[]) has a node.
  ASSERT_EQ(ck({"target", "add", "web", "--dir", pki_.path("live/installed")}).exit_code, 0);
  ASSERT_EQ(ck({"renew"}).exit_code, 0);
  expect_complete("list", {ck({"--json", "list"})});
  expect_complete("show", {ck({"--json", "show", "web"})});
  expect_complete("history", {ck({"--json", "history", "web"})});
  expect_complete("report", {ck({"--json", "report"}),
                             ck({"--json", "report", "--format", "csv", "--output", pki_.path("report.csv")})});
  const std::string dir = pki_.path("live/web");
  expect_complete("target add", {ck({"--json", "target", "add", "web", "--dir", dir, "--reload", "true", "--probe",
                                     "127.0.0.1:1,starttls=smtp"})});
  expect_complete("target list", {ck({"--json", "target", "list", "web"})});
  expect_complete("target remove", {ck({"--json", "target", "remove", "web", "--dir", dir})});
  expect_complete("init", {ck({"--json", "init"})});
}

}  // namespace
}  // namespace certkeeper::testing
