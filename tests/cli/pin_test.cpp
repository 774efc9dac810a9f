// The desired version (issue 12) through the whole process: `rollback --to`
// pins an older version, and then every view (list, show, report as table,
// JSON, CSV, Prometheus, HTML) shows it and judges its expiry, and the
// scheduler judges it; `install` clears the pin; a new version ends it with
// the event "pin-ended"; a rollback to a version that does not exist is
// refused as before and changes nothing. Certificates dated by the test PKI.
#include <filesystem>

#include "cli/cli_fixture.h"
#include "support/temp_dir.h"

namespace certkeeper::testing {
namespace {

constexpr std::int64_t kPinDay = 86'400;

class PinCliTest : public CliTest {
 protected:
  void SetUp() override {
    init();
    // Version 1 expires in 5 days (expiring), version 2 in 80 (valid).
    CertOptions soon;
    soon.not_before = pki_.now() - 85 * kPinDay;
    soon.not_after = pki_.now() + 5 * kPinDay;
    v1_ = pki_.leaf(soon);
    v2_ = pki_.leaf();
    import_version(*v1_, "v1-");
    import_version(*v2_, "v2-");
    dir_ = work_.file("live/web");
    auto t = ck({"target", "add", "web", "--dir", dir_});
    ASSERT_EQ(t.exit_code, 0) << t.err;
    auto r = ck({"install", "web"});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    // The install recorded this node's heartbeat: on PostgreSQL the views
    // judge the node too (node-down when it never beat).
  }

  void import_version(const Cert& leaf, const std::string& prefix) {
    auto f = write_set(leaf, prefix);
    auto r = ck({"import", "web", "--cert", f.cert, "--key", f.key, "--chain", f.chain});
    ASSERT_EQ(r.exit_code, 0) << r.err;
  }

  nlohmann::json listed() {
    auto r = ck({"--json", "list"});
    EXPECT_EQ(r.exit_code, 0) << r.err;
    return json(r)["certificates"][0];
  }

  std::vector<nlohmann::json> events() {
    auto r = ck({"--json", "history", "web"});
    EXPECT_EQ(r.exit_code, 0) << r.err;
    auto all = json(r)["events"];
    return {all.begin(), all.end()};
  }

  std::vector<std::string> kinds() {
    std::vector<std::string> out;
    for (const auto& e : events()) out.push_back(e["kind"]);
    return out;
  }

  std::string dir_;
  TempDir work_;
  std::optional<Cert> v1_, v2_;
};

TEST_F(PinCliTest, RollbackToPinsAndEveryViewJudgesThePinnedVersion) {
  EXPECT_EQ(listed()["status"], "valid");
  EXPECT_EQ(listed()["version"], 2);
  EXPECT_TRUE(listed()["pinned_version"].is_null());

  auto r = ck({"rollback", "web", "--to", "1"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("rolled back to version 1"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("pinned: version 1 is the desired version"), std::string::npos) << r.out;
  EXPECT_EQ(read_file(dir_ + "/cert.pem"), v1_->pem());

  // list --json: the row is the pinned version's.
  auto row = listed();
  EXPECT_EQ(row["version"], 1);
  EXPECT_EQ(row["pinned_version"], 1);
  EXPECT_EQ(row["newest_version"], 2);
  EXPECT_EQ(row["installed_version"], 1);
  EXPECT_EQ(row["status"], "expiring");
  EXPECT_EQ(row["fingerprint_sha256"], v1_->facts().fingerprint_sha256);
  EXPECT_EQ(row["days_left"], 4);
  auto table = ck({"list"});
  EXPECT_NE(table.out.find("1 (pinned; newest 2)"), std::string::npos) << table.out;

  // show: the desired version, and the pin.
  auto show = json(ck({"--json", "show", "web"}));
  EXPECT_EQ(show["certificate"]["pinned_version"], 1);
  EXPECT_EQ(show["certificate"]["desired_version"], 1);
  EXPECT_EQ(show["certificate"]["current_version"], 2);
  EXPECT_EQ(show["current"]["version"], 1);
  auto shown = ck({"show", "web"});
  EXPECT_NE(shown.out.find("status:       expiring"), std::string::npos) << shown.out;
  EXPECT_NE(shown.out.find("version:      1 of 2 (pinned; the newest is 2"), std::string::npos) << shown.out;

  // report, every format.
  auto report = json(ck({"--json", "report", "--within", "30"}));
  ASSERT_EQ(report["certificates"].size(), 1u) << "due within 30 days: the pinned version is";
  EXPECT_EQ(report["certificates"][0]["pinned_version"], 1);
  auto text = ck({"report"});
  EXPECT_NE(text.out.find("1 (pinned; newest 2)"), std::string::npos) << text.out;
  EXPECT_NE(text.out.find("1 expiring soon"), std::string::npos) << text.out;
  auto csv = ck({"report", "--format", "csv"});
  ASSERT_EQ(csv.exit_code, 0) << csv.err;
  const std::string header = csv.out.substr(0, csv.out.find('\n'));
  EXPECT_NE(header.find(",pinned_version,newest_version"), std::string::npos) << header;
  EXPECT_NE(csv.out.find(",expiring,1,"), std::string::npos) << csv.out;
  auto prom = ck({"report", "--format", "prometheus"});
  ASSERT_EQ(prom.exit_code, 0) << prom.err;
  EXPECT_NE(prom.out.find("certkeeper_certificate_pinned{name=\"web\""), std::string::npos) << prom.out;
  EXPECT_NE(prom.out.find("certkeeper_certificate_desired_version{name=\"web\""), std::string::npos) << prom.out;
  auto html = ck({"report", "--format", "html"});
  ASSERT_EQ(html.exit_code, 0) << html.err;
  EXPECT_NE(html.out.find("1 (pinned; newest 2)"), std::string::npos);

  // The scheduler judges it too: a manual certificate is warned about.
  auto plan = json(ck({"--json", "renew", "--dry-run"}));
  ASSERT_EQ(plan["certificates"].size(), 1u) << plan.dump();
  const std::string reason = plan["certificates"][0]["reason"];
  EXPECT_NE(reason.find("pinned version 1: manual certificate expires in 4 days"), std::string::npos) << reason;
}

TEST_F(PinCliTest, InstallOfTheNewestClearsThePin) {
  ASSERT_EQ(ck({"rollback", "web", "--to", "1"}).exit_code, 0);
  auto r = ck({"--json", "install", "web"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_TRUE(json(r)["pinned_version"].is_null());
  auto row = listed();
  EXPECT_EQ(row["version"], 2);
  EXPECT_TRUE(row["pinned_version"].is_null());
  EXPECT_EQ(row["status"], "valid");
  auto k = kinds();
  ASSERT_GE(k.size(), 2u);
  EXPECT_EQ(k[k.size() - 2], "unpinned");
  EXPECT_EQ(k.back(), "installed");
  EXPECT_EQ(json(ck({"--json", "report", "--within", "30"}))["certificates"].size(), 0u);
}

TEST_F(PinCliTest, InstallVersionOfAnOlderOnePinsIt) {
  auto r = ck({"--json", "install", "web", "--version", "1"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(json(r)["pinned_version"], 1);
  EXPECT_EQ(listed()["pinned_version"], 1);
  auto pinned = events()[events().size() - 2];
  EXPECT_EQ(pinned["kind"], "pinned");
  EXPECT_EQ(pinned["detail"]["version"], 1);
  EXPECT_EQ(pinned["detail"]["newest_version"], 2);
}

TEST_F(PinCliTest, ANewVersionEndsThePinWithItsEvent) {
  ASSERT_EQ(ck({"rollback", "web", "--to", "1"}).exit_code, 0);
  auto v3 = pki_.leaf();
  import_version(v3, "v3-");
  auto all = events();
  ASSERT_GE(all.size(), 2u);
  EXPECT_EQ(all[all.size() - 2]["kind"], "imported");
  const auto& ended = all.back();
  EXPECT_EQ(ended["kind"], "pin-ended");
  EXPECT_EQ(ended["detail"]["pinned_version"], 1);
  EXPECT_EQ(ended["detail"]["new_version"], 3);
  EXPECT_NE(ended["detail"]["reason"].get<std::string>().find("while version 1 was pinned"), std::string::npos)
      << ended.dump();
  auto row = listed();
  EXPECT_EQ(row["version"], 3);
  EXPECT_TRUE(row["pinned_version"].is_null());
  EXPECT_EQ(row["installed_version"], 1) << "import without --install installs nothing";
}

TEST_F(PinCliTest, RollbackToAVersionThatDoesNotExistChangesNothing) {
  ASSERT_EQ(ck({"rollback", "web", "--to", "1"}).exit_code, 0);
  auto before = db_snapshot();
  auto r = ck({"rollback", "web", "--to", "9"});
  EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
  EXPECT_NE(r.err.find("has no version 9"), std::string::npos) << r.err;
  auto zero = ck({"rollback", "web", "--to", "0"});
  EXPECT_NE(zero.exit_code, 0);
  EXPECT_EQ(db_snapshot(), before);
  EXPECT_EQ(listed()["pinned_version"], 1);
}

}  // namespace
}  // namespace certkeeper::testing
