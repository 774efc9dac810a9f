// The desired version (issue 12, db/sqlite/0012_pins.sql): an install or
// rollback pins an older version or clears the pin in its finish_install
// transaction, a new version ends the pin, and the report rows judge the
// desired version. On both backends.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "certkeeper/store/inventory.h"
#include "store/store_backends.h"
#include "store/store_fixtures.h"
#include "support/temp_dir.h"

namespace certkeeper::store {
namespace {

using testing::definition;
using testing::kDay;
using testing::kNow;

VersionRecord dated(UnixTime not_after, const std::string& fingerprint) {
  VersionRecord v = testing::acme_version(fingerprint);
  v.not_before = not_after - 90 * kDay;
  v.not_after = not_after;
  v.origin = "import-pem";
  return v;
}

class PinsTest : public ::testing::TestWithParam<testing::StoreBackend> {
 protected:
  void SetUp() override {
    auto inv = testing::open_fresh(GetParam(), dir_, path_);
    ASSERT_TRUE(inv) << inv.error().what();
    inv_.emplace(std::move(*inv));
  }

  // Appends a version of `name` expiring `days` from kNow; its number.
  int add(const std::string& name, int days) {
    auto n = inv_->append_version(definition(name), dated(kNow + days * kDay, name + std::to_string(days)),
                                  event::imported, "{}", "t", kNow);
    EXPECT_TRUE(n) << n.error().what();
    return n ? *n : 0;
  }

  std::int64_t target(const std::string& name) {
    TargetRecord t;
    t.certificate_name = name;
    t.dir = "/srv/" + name;
    auto saved = inv_->save_target(t, "t", kNow);
    EXPECT_TRUE(saved) << saved.error().what();
    return saved ? saved->id : 0;
  }

  // An install transaction of `version` that asks for it as desired.
  void install(const std::string& name, std::int64_t t, int version, const char* kind = event::installed) {
    auto done = inv_->finish_install(name, {{t, version}}, kind, R"({"probes":[]})", "cli:test", kNow,
                                     PinRequest::desire(version));
    ASSERT_TRUE(done) << done.error().what();
  }

  CertificateRecord cert(const std::string& name) {
    auto c = inv_->find_certificate(name);
    EXPECT_TRUE(c && *c);
    return c && *c ? **c : CertificateRecord{};
  }

  std::vector<EventRecord> events_of(const std::string& name, const std::string& kind) {
    std::vector<EventRecord> out;
    auto all = inv_->events(name);
    EXPECT_TRUE(all);
    for (const auto& e : *all) {
      if (e.kind == kind) out.push_back(e);
    }
    return out;
  }

  ReportRow row(const std::string& name) {
    auto rows = inv_->report_rows(std::nullopt);
    EXPECT_TRUE(rows) << rows.error().what();
    for (auto& r : *rows) {
      if (r.name == name) return r;
    }
    ADD_FAILURE() << "no row " << name;
    return {};
  }

  testing::TempDir dir_;
  std::string path_;
  std::optional<Inventory> inv_;
};

TEST_P(PinsTest, TheDesiredVersionIsTheNewestUntilAnOlderOneIsInstalled) {
  add("mail", 30);
  add("mail", 60);
  add("mail", 90);
  auto t = target("mail");
  EXPECT_FALSE(cert("mail").pinned_version);
  EXPECT_EQ(desired_version(cert("mail")), 3);

  install("mail", t, 1, event::rolled_back);
  EXPECT_EQ(cert("mail").pinned_version, 1);
  EXPECT_EQ(desired_version(cert("mail")), 1);
  EXPECT_EQ(cert("mail").current_version, 3) << "the newest stays the newest";
  auto pinned = events_of("mail", event::pinned);
  ASSERT_EQ(pinned.size(), 1u);
  auto detail = nlohmann::json::parse(pinned[0].detail_json);
  EXPECT_EQ(detail["version"], 1);
  EXPECT_TRUE(detail["previous_pinned_version"].is_null());
  EXPECT_EQ(detail["newest_version"], 3);
  EXPECT_EQ(pinned[0].actor, "cli:test");

  install("mail", t, 1);  // the same pin again: no second event
  EXPECT_EQ(events_of("mail", event::pinned).size(), 1u);

  install("mail", t, 2);
  EXPECT_EQ(cert("mail").pinned_version, 2);
  pinned = events_of("mail", event::pinned);
  ASSERT_EQ(pinned.size(), 2u);
  EXPECT_EQ(nlohmann::json::parse(pinned[1].detail_json)["previous_pinned_version"], 1);

  install("mail", t, 3);  // the newest: the pin is cleared
  EXPECT_FALSE(cert("mail").pinned_version);
  EXPECT_EQ(desired_version(cert("mail")), 3);
  auto unpinned = events_of("mail", event::unpinned);
  ASSERT_EQ(unpinned.size(), 1u);
  EXPECT_EQ(nlohmann::json::parse(unpinned[0].detail_json)["version"], 2);

  install("mail", t, 3);  // nothing pinned, nothing to clear
  EXPECT_EQ(events_of("mail", event::unpinned).size(), 1u);
}

TEST_P(PinsTest, AReconcileOrAPlainFinishKeepsThePin) {
  add("mail", 30);
  add("mail", 60);
  auto t = target("mail");
  install("mail", t, 1, event::rolled_back);
  ASSERT_TRUE(inv_->finish_install("mail", {{t, 2}}, event::install_reconciled, "{}", "t", kNow));
  EXPECT_EQ(cert("mail").pinned_version, 1);
}

TEST_P(PinsTest, TheEventsAreInTheInstallsTransaction) {
  add("mail", 30);
  add("mail", 60);
  auto t = target("mail");
  install("mail", t, 1, event::install_rolled_back);  // the operator's choice holds when the install was undone
  auto all = inv_->events("mail");
  ASSERT_TRUE(all);
  ASSERT_GE(all->size(), 2u);
  EXPECT_EQ((*all)[all->size() - 2].kind, event::pinned);
  EXPECT_EQ(all->back().kind, event::install_rolled_back) << "the outcome stays the last event";
  EXPECT_EQ(cert("mail").pinned_version, 1);
}

TEST_P(PinsTest, ANewVersionEndsThePinWithAnEvent) {
  add("mail", 5);
  add("mail", 60);
  auto t = target("mail");
  install("mail", t, 1, event::rolled_back);
  ASSERT_EQ(add("mail", 90), 3);
  EXPECT_FALSE(cert("mail").pinned_version);
  EXPECT_EQ(desired_version(cert("mail")), 3);
  auto all = inv_->events("mail");
  ASSERT_TRUE(all);
  EXPECT_EQ((*all)[all->size() - 2].kind, event::imported) << "the version first, then the pin's end";
  EXPECT_EQ(all->back().kind, event::pin_ended);
  auto detail = nlohmann::json::parse(all->back().detail_json);
  EXPECT_EQ(detail["pinned_version"], 1);
  EXPECT_EQ(detail["new_version"], 3);
  EXPECT_EQ(detail["pinned_not_after"], format_utc(kNow + 5 * kDay));
  EXPECT_NE(detail["reason"].get<std::string>().find("version 3 was stored (imported, by t) while version 1 was pinned"),
            std::string::npos)
      << detail.dump();
  // Not pinned: a new version writes no pin-ended.
  add("mail", 91);
  EXPECT_EQ(events_of("mail", event::pin_ended).size(), 1u);
}

TEST_P(PinsTest, ThePinOfAnUnknownCertificateIsRefused) {
  auto done = inv_->finish_install("nope", {}, event::installed, "{}", "t", kNow, PinRequest::desire(1));
  ASSERT_FALSE(done);
  EXPECT_EQ(done.error().code, Errc::not_found);
}

TEST_P(PinsTest, TheReportJudgesTheDesiredVersion) {
  add("mail", 5);   // v1: expiring
  add("mail", 80);  // v2: valid
  add("web", 80);
  auto t = target("mail");
  auto before = row("mail");
  EXPECT_EQ(before.version, 2);
  EXPECT_FALSE(before.pinned_version);
  EXPECT_EQ(before.newest_version, 2);
  EXPECT_EQ(before.not_after, kNow + 80 * kDay);

  install("mail", t, 1, event::rolled_back);
  auto r = row("mail");
  EXPECT_EQ(r.version, 1);
  EXPECT_EQ(r.pinned_version, 1);
  EXPECT_EQ(r.newest_version, 2);
  EXPECT_EQ(r.not_after, kNow + 5 * kDay);
  EXPECT_EQ(r.fingerprint_sha256, "mail5");

  // Soonest first: by the desired version's date.
  auto rows = inv_->report_rows(std::nullopt);
  ASSERT_TRUE(rows);
  ASSERT_EQ(rows->size(), 2u);
  EXPECT_EQ((*rows)[0].name, "mail");

  // --within 30 days: the pinned version is due, the newest would not be.
  auto within = inv_->report_rows(kNow + 30 * kDay);
  ASSERT_TRUE(within);
  ASSERT_EQ(within->size(), 1u);
  EXPECT_EQ((*within)[0].name, "mail");
  EXPECT_EQ(*inv_->count_expiring(kNow + 30 * kDay), 1u);

  auto with_history = inv_->report_rows_with_history(kNow + 30 * kDay, 5, 5);
  ASSERT_TRUE(with_history);
  ASSERT_EQ(with_history->rows.size(), 1u);
  EXPECT_EQ(with_history->history.size(), 1u);
  const auto& versions = with_history->history["mail"].versions;
  ASSERT_EQ(versions.size(), 2u) << "the desired version once, beside the other";
  EXPECT_EQ(versions[0].version, 1);
  EXPECT_EQ(versions[1].version, 2);
}

TEST_P(PinsTest, APinnedVersionThatExpiresLateIsNotDueWhenOnlyTheNewestIs) {
  // An imported older certificate may outlive the newest one.
  add("odd", 300);
  add("odd", 10);
  add("other", 20);
  auto t = target("odd");
  EXPECT_EQ(*inv_->count_expiring(kNow + 30 * kDay), 2u);
  install("odd", t, 1, event::rolled_back);
  auto within = inv_->report_rows(kNow + 30 * kDay);
  ASSERT_TRUE(within);
  ASSERT_EQ(within->size(), 1u);
  EXPECT_EQ((*within)[0].name, "other");
  EXPECT_EQ(*inv_->count_expiring(kNow + 30 * kDay), 1u);
  auto with_history = inv_->report_rows_with_history(kNow + 30 * kDay, 5, 5);
  ASSERT_TRUE(with_history);
  EXPECT_EQ(with_history->history.count("odd"), 0u) << "no history for a row not shown";
}

TEST_P(PinsTest, ListingAndDueReadsCarryThePin) {
  add("mail", 30);
  add("mail", 60);
  auto t = target("mail");
  install("mail", t, 1, event::rolled_back);
  auto all = inv_->list_certificates();
  ASSERT_TRUE(all);
  ASSERT_EQ(all->size(), 1u);
  EXPECT_EQ(all->front().pinned_version, 1);
  auto due = inv_->due_certificates(kNow);
  ASSERT_TRUE(due);
  ASSERT_EQ(due->size(), 1u);
  EXPECT_EQ(due->front().pinned_version, 1);
}

CK_ON_BOTH_BACKENDS(PinsTest);

}  // namespace
}  // namespace certkeeper::store
