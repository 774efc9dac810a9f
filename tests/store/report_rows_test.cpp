// The report query: the renewal, install, probe, revocation and ARI facts of
// each row, the probe_ok rule, remote rows, the plan, and the history query.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include <sqlite3.h>

#include "certkeeper/store/inventory.h"
#include "support/temp_dir.h"
#include "store/store_backends.h"
#include "store/store_fixtures.h"

namespace certkeeper::store {
namespace {

using testing::kNow;
using testing::kDay;
using testing::definition;
using testing::raw_exec;

using testing::TempDir;


VersionRecord version_expiring(UnixTime not_after, const std::string& fingerprint) {
  VersionRecord v;
  v.leaf_pem = "-----BEGIN CERTIFICATE-----\nleaf\n-----END CERTIFICATE-----\n";
  v.key_pem = "-----BEGIN PRIVATE KEY-----\nsecret\n-----END PRIVATE KEY-----\n";
  v.fingerprint_sha256 = fingerprint;
  v.serial = "01";
  v.subject = "CN=a.example.test";
  v.issuer = "CN=Test CA";
  v.issuer_cn = "Test CA";
  v.names = {"a.example.test"};
  v.key_type = "ec-p256";
  v.not_before = not_after - 90 * kDay;
  v.not_after = not_after;
  v.origin = "import-pem";
  return v;
}

std::string probes_detail(std::vector<bool> oks) {
  nlohmann::json probes = nlohmann::json::array();
  for (bool ok : oks) probes.push_back({{"endpoint", "127.0.0.1:443"}, {"ok", ok}, {"detail", ""}});
  return nlohmann::json{{"version", 1}, {"probes", probes}}.dump();
}

class ReportRowsTest : public ::testing::TestWithParam<testing::StoreBackend> {
 protected:
  void SetUp() override {
    auto inv = testing::open_fresh(GetParam(), dir_, path_);
    ASSERT_TRUE(inv) << inv.error().what();
    inv_.emplace(std::move(*inv));
  }

  void add(const std::string& name, int days_left, const std::string& source = "manual") {
    auto v = version_expiring(kNow + days_left * kDay, name + "-fp");
    if (source == "remote") v.key_pem.clear();
    ASSERT_TRUE(inv_->append_version(definition(name, source), v, "imported", "{}", "t", kNow));
  }

  // Adds a target at `dir` and returns its id.
  std::int64_t target(const std::string& name, const std::string& dir) {
    TargetRecord t;
    t.certificate_name = name;
    t.dir = dir;
    auto saved = inv_->save_target(t, "t", kNow);
    EXPECT_TRUE(saved) << saved.error().what();
    return saved ? saved->id : 0;
  }

  ReportRow only(const std::string& name) {
    auto rows = inv_->report_rows(std::nullopt);
    EXPECT_TRUE(rows) << rows.error().what();
    for (auto& r : *rows) {
      if (r.name == name) return r;
    }
    ADD_FAILURE() << "no row " << name;
    return {};
  }

  TempDir dir_;
  std::string path_;
  std::optional<Inventory> inv_;
};

TEST_P(ReportRowsTest, UnknownFactsAreUnknownNotZero) {
  // An ACME definition never issued: no attempt, no success, no version.
  auto web = definition("fresh", "acme");
  web.domains = {"www.example.test"};
  web.challenge = "http-01";
  ASSERT_TRUE(inv_->define_certificate(web, "t", kNow));
  auto r = only("fresh");
  EXPECT_FALSE(r.version);
  EXPECT_FALSE(r.last_attempt);
  EXPECT_FALSE(r.last_success);
  EXPECT_EQ(r.failures, 0);
  EXPECT_EQ(r.targets, 0);
  EXPECT_FALSE(r.installed_version);
  EXPECT_FALSE(r.probe_ok);
  EXPECT_FALSE(r.revoked_at);
  EXPECT_FALSE(r.ari_start);
  EXPECT_FALSE(r.ari_end);
}

TEST_P(ReportRowsTest, AStoredVersionIsTheLastSuccess) {
  add("mail", 60);
  auto r = only("mail");
  EXPECT_EQ(r.last_attempt, kNow);
  EXPECT_EQ(r.last_success, kNow);
}

TEST_P(ReportRowsTest, RenewalRecordAriWindowAndRevocation) {
  add("web", 20);
  ASSERT_TRUE(inv_->record_failure("web", "CA down", kNow + 3600, "t", kNow - 100));
  ASSERT_TRUE(inv_->record_failure("web", "CA down again", kNow + 3600, "t", kNow - 50));
  ASSERT_TRUE(testing::raw_sql(path_, "UPDATE certificates SET last_success = " + std::to_string(kNow - 1000)));
  ASSERT_TRUE(inv_->set_schedule("web", {kNow + 10, kNow + 5 * kDay, kNow + 6 * kDay, std::nullopt}));
  ASSERT_TRUE(*inv_->mark_revoked("web", 1, "keyCompromise", "t", kNow - 10));
  auto r = only("web");
  EXPECT_EQ(r.failures, 2);
  EXPECT_EQ(r.last_error, "CA down again");
  EXPECT_EQ(r.last_attempt, kNow - 50);
  EXPECT_EQ(r.last_success, kNow - 1000);
  EXPECT_EQ(r.ari_start, kNow + 5 * kDay);
  EXPECT_EQ(r.ari_end, kNow + 6 * kDay);
  EXPECT_EQ(r.revoked_at, kNow - 10);
  EXPECT_EQ(r.revoke_reason, "keyCompromise");
}

TEST_P(ReportRowsTest, InstalledVersionIsTheLowestOverTheTargets) {
  add("mail", 60);
  ASSERT_TRUE(inv_->append_version(definition("mail"), version_expiring(kNow + 80 * kDay, "v2"), "imported", "{}",
                                   "t", kNow));
  auto a = target("mail", "/srv/a"), b = target("mail", "/srv/b");
  target("mail", "/srv/never");
  ASSERT_TRUE(inv_->finish_install("mail", {{a, 2}, {b, 1}}, "installed", probes_detail({true}), "t", kNow));
  auto r = only("mail");
  EXPECT_EQ(r.targets, 3);
  EXPECT_EQ(r.installed_version, 1);
}

TEST_P(ReportRowsTest, ProbeOkFollowsTheLastInstall) {
  add("mail", 60);
  auto t = target("mail", "/srv/mail");
  EXPECT_FALSE(only("mail").probe_ok) << "never installed";

  ASSERT_TRUE(inv_->finish_install("mail", {{t, 1}}, "installed", probes_detail({true, true}), "t", kNow));
  EXPECT_EQ(only("mail").probe_ok, std::optional<bool>(true));

  // Other events after the install do not change the answer.
  ASSERT_TRUE(inv_->record_event("mail", "install-failed", R"({"reason":"disk full"})", "t", kNow));
  ASSERT_TRUE(inv_->record_failure("mail", "x", std::nullopt, "t", kNow));
  EXPECT_EQ(only("mail").probe_ok, std::optional<bool>(true));

  ASSERT_TRUE(inv_->finish_install("mail", {{t, 1}}, "install-rolled-back", probes_detail({true, false}), "t", kNow));
  EXPECT_EQ(only("mail").probe_ok, std::optional<bool>(false)) << "one of two probes failed";

  ASSERT_TRUE(inv_->finish_install("mail", {{t, 1}}, "rolled-back", probes_detail({true}), "t", kNow));
  EXPECT_EQ(only("mail").probe_ok, std::optional<bool>(true)) << "a rollback is an install too";

  ASSERT_TRUE(inv_->finish_install("mail", {{t, 1}}, "installed", probes_detail({}), "t", kNow));
  EXPECT_FALSE(only("mail").probe_ok) << "the last install ran no probe";
}

TEST_P(ReportRowsTest, RemoteRowsTakeProbeOkFromTheirRecord) {
  add("remote-ok", 40, "remote");
  add("remote-down", 40, "remote");
  // Watched but not probed yet: no version, no attempt.
  ASSERT_TRUE(testing::raw_sql(path_, "INSERT INTO certificates (name, source, created_at, updated_at) "
                            "VALUES ('remote-new', 'remote', 1, 1)"));
  ASSERT_TRUE(testing::raw_sql(path_, "UPDATE certificates SET last_attempt = 5, last_success = 5 WHERE name = 'remote-ok'"));
  ASSERT_TRUE(testing::raw_sql(path_, "UPDATE certificates SET last_attempt = 9, last_success = 5, failures = 3, "
                            "last_error = 'connection refused' WHERE name = 'remote-down'"));
  EXPECT_EQ(only("remote-ok").probe_ok, std::optional<bool>(true));
  EXPECT_EQ(only("remote-down").probe_ok, std::optional<bool>(false));
  EXPECT_EQ(only("remote-down").failures, 3);
  EXPECT_FALSE(only("remote-new").probe_ok) << "never probed";
  EXPECT_EQ(only("remote-ok").source, "remote");
}

TEST_P(ReportRowsTest, TheFilteredQueryIsAnIndexRangeScan) {
  CK_SQLITE_ONLY("SQLite's query plan (bench/store.sh measures PostgreSQL's at 100k)");
  add("a", 10);
  auto plan = inv_->report_rows_plan(kNow + 30 * kDay);
  ASSERT_TRUE(plan) << plan.error().what();
  // The ids: a range of the expiry index and the pinned ones (issue 12),
  // both covering; then each row by its id.
  EXPECT_NE(plan->find("USING COVERING INDEX certificates_by_expiry (current_not_after<?)"), std::string::npos)
      << *plan;
  EXPECT_NE(plan->find("USING COVERING INDEX certificates_pinned"), std::string::npos) << *plan;
  EXPECT_NE(plan->find("SEARCH c USING INTEGER PRIMARY KEY"), std::string::npos) << *plan;
  for (const char* scan : {"SCAN c", "SCAN certificates", "SCAN v", "SCAN t", "SCAN e"}) {
    EXPECT_EQ(plan->find(scan), std::string::npos) << scan << " in\n" << *plan;
  }
}

TEST_P(ReportRowsTest, HistoryHoldsTheMostRecentVersionsAndEvents) {
  add("soon", 5);
  add("late", 300);
  for (int i = 2; i <= 4; ++i) {
    ASSERT_TRUE(inv_->append_version(definition("soon"), version_expiring(kNow + (5 + i) * kDay, "s" + std::to_string(i)),
                                     "imported", "{}", "t", kNow + i));
  }
  ASSERT_TRUE(*inv_->mark_revoked("soon", 4, "superseded", "t", kNow + 9));
  // soon: created + 4 imported + revoked = 6 events, 4 versions.
  auto all = inv_->report_rows_with_history(std::nullopt, 2, 3);
  ASSERT_TRUE(all) << all.error().what();
  ASSERT_EQ(all->rows.size(), 2u);
  EXPECT_EQ(all->rows[0].name, "soon") << "the rows are report_rows'";
  ASSERT_EQ(all->history.size(), 2u);
  const auto& soon = all->history.at("soon");
  ASSERT_EQ(soon.versions.size(), 2u);
  EXPECT_EQ(soon.versions[0].version, 3);
  EXPECT_EQ(soon.versions[0].fingerprint_sha256, "s3");
  // The current version comes from the row, with the facts the history shows.
  EXPECT_EQ(soon.versions[1].version, 4);
  EXPECT_EQ(soon.versions[1].fingerprint_sha256, "s4");
  EXPECT_EQ(soon.versions[1].origin, "import-pem");
  EXPECT_EQ(soon.versions[1].created_at, kNow + 4);
  EXPECT_EQ(soon.versions[1].not_after, kNow + 9 * kDay);
  EXPECT_EQ(soon.versions[1].revoke_reason, "superseded");
  EXPECT_EQ(soon.versions_total, 4);
  EXPECT_TRUE(soon.versions[1].key_pem.empty());
  EXPECT_TRUE(soon.versions[0].leaf_pem.empty());
  ASSERT_EQ(soon.events.size(), 3u);
  EXPECT_EQ(soon.events_total, 6);
  EXPECT_LT(soon.events[0].id, soon.events[2].id) << "oldest first";
  EXPECT_EQ(soon.events[1].at, kNow + 4);
  const auto& late = all->history.at("late");
  EXPECT_EQ(late.events.size(), 2u);
  EXPECT_EQ(late.events_total, 2) << "fewer than the limit: all of them";
  ASSERT_EQ(late.versions.size(), 1u);
  EXPECT_EQ(late.versions_total, 1);

  auto due = inv_->report_rows_with_history(kNow + 30 * kDay, 10, 10);
  ASSERT_TRUE(due);
  ASSERT_EQ(due->rows.size(), 1u);
  EXPECT_EQ(due->history.count("late"), 0u);
  ASSERT_EQ(due->history.at("soon").versions.size(), 4u);
  EXPECT_EQ(due->history.at("soon").versions[0].version, 1);
  EXPECT_EQ(due->history.at("soon").events.size(), 6u);
  EXPECT_EQ(due->history.at("soon").events_total, 6);
}

TEST_P(ReportRowsTest, HistoryAfterARollbackToAnOlderVersion) {
  add("web", 5);
  for (int i = 2; i <= 4; ++i) {
    ASSERT_TRUE(inv_->append_version(definition("web"), version_expiring(kNow + (5 + i) * kDay, "w" + std::to_string(i)),
                                     "imported", "{}", "t", kNow + i));
  }
  // Version 1 current again: it is not among the 2 most recent.
  ASSERT_TRUE(testing::raw_sql(path_, "UPDATE certificates SET current_version = 1, current_not_after = " +
                                std::to_string(kNow + 5 * kDay)));
  auto h = inv_->report_rows_with_history(std::nullopt, 2, 10);
  ASSERT_TRUE(h) << h.error().what();
  EXPECT_EQ(h->rows.at(0).version, 1);
  const auto& web = h->history.at("web");
  ASSERT_EQ(web.versions.size(), 2u);
  EXPECT_EQ(web.versions[0].version, 3);
  EXPECT_EQ(web.versions[1].version, 4);
  EXPECT_EQ(web.versions[1].fingerprint_sha256, "w4") << "read from the table, not the row";
  // Version 3 current: among the most recent, taken from the row.
  ASSERT_TRUE(testing::raw_sql(path_, "UPDATE certificates SET current_version = 3"));
  auto again = inv_->report_rows_with_history(std::nullopt, 2, 10);
  ASSERT_TRUE(again);
  const auto& web3 = again->history.at("web");
  ASSERT_EQ(web3.versions.size(), 2u);
  EXPECT_EQ(web3.versions[0].version, 3);
  EXPECT_EQ(web3.versions[0].fingerprint_sha256, "w3");
  EXPECT_EQ(web3.versions[1].version, 4);
}

TEST_P(ReportRowsTest, RowsAreSortedByExpiryThenNameWithoutAVersionLast) {
  add("b", 10);
  add("a", 10);
  add("c", 5);
  ASSERT_TRUE(inv_->define_certificate(definition("0-new"), "t", kNow));
  auto rows = inv_->report_rows(std::nullopt);
  ASSERT_TRUE(rows);
  std::vector<std::string> names;
  for (const auto& r : *rows) names.push_back(r.name);
  EXPECT_EQ(names, (std::vector<std::string>{"c", "a", "b", "0-new"}));
}

TEST_P(ReportRowsTest, NamesSurviveTheStoredListWhateverTheyHold) {
  auto v = version_expiring(kNow + 10 * kDay, "fp");
  v.names = {"a.example.test", "quote\"and\\back", "caf\u00e9.example.test", "", "10.0.0.1"};
  ASSERT_TRUE(inv_->append_version(definition("odd"), v, "imported", "{}", "t", kNow));
  EXPECT_EQ(only("odd").names, v.names);
  auto plain = version_expiring(kNow + 10 * kDay, "fp2");
  plain.names = {"a.example.test", "b.example.test"};
  ASSERT_TRUE(inv_->append_version(definition("plain"), plain, "imported", "{}", "t", kNow));
  EXPECT_EQ(only("plain").names, plain.names);
}

CK_ON_BOTH_BACKENDS(ReportRowsTest);

}  // namespace
}  // namespace certkeeper::store
