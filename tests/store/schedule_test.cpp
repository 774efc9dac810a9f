// The scheduler's columns: what is due, the earliest check, and what a new
// version, a redefinition and a failure reset or record.
#include <gtest/gtest.h>
#include <sqlite3.h>

#include "certkeeper/store/inventory.h"
#include "support/temp_dir.h"
#include "store/store_backends.h"
#include "store/store_fixtures.h"

namespace certkeeper::store {
namespace {

using testing::kNow;
using testing::definition;

using certkeeper::testing::TempDir;


VersionRecord version(UnixTime not_after, const std::string& fp) {
  VersionRecord v;
  v.leaf_pem = "LEAF";
  v.key_pem = "KEY";
  v.fingerprint_sha256 = fp;
  v.serial = "01";
  v.names = {"www.example.test"};
  v.not_before = not_after - 90 * kSecondsPerDay;
  v.not_after = not_after;
  v.origin = "import-pem";
  return v;
}

class ScheduleTest : public ::testing::TestWithParam<testing::StoreBackend> {
 protected:
  void SetUp() override {
    auto opened = testing::open_fresh(GetParam(), dir_, location_);
    ASSERT_TRUE(opened);
    inv_.emplace(std::move(*opened));
    for (const char* n : {"a", "b", "c"}) {
      ASSERT_TRUE(inv_->append_version(definition(n), version(kNow + 90 * kSecondsPerDay, n), "imported", "{}", "t", kNow));
    }
  }
  std::vector<std::string> due(UnixTime now) {
    std::vector<std::string> names;
    auto rows = inv_->due_certificates(now);
    EXPECT_TRUE(rows);
    for (const auto& c : *rows) names.push_back(c.name);
    std::sort(names.begin(), names.end());
    return names;
  }
  TempDir dir_;
  std::string location_;
  std::optional<Inventory> inv_;
};

TEST_P(ScheduleTest, UnscheduledAndDueCertificatesAreDue) {
  EXPECT_EQ(due(kNow), (std::vector<std::string>{"a", "b", "c"})) << "never scheduled: due at once";
  EXPECT_EQ(*inv_->earliest_check(), 0);
  ASSERT_TRUE(inv_->set_schedule("a", {kNow + 100, std::nullopt, std::nullopt, std::nullopt}));
  ASSERT_TRUE(inv_->set_schedule("b", {kNow + 200, kNow + 10, kNow + 20, kNow + 30}));
  ASSERT_TRUE(inv_->set_schedule("c", {kNow + 300, std::nullopt, std::nullopt, std::nullopt}));
  EXPECT_EQ(due(kNow), std::vector<std::string>{});
  EXPECT_EQ(due(kNow + 200), (std::vector<std::string>{"a", "b"}));
  EXPECT_EQ(*inv_->earliest_check(), kNow + 100);
  auto b = *inv_->find_certificate("b");
  EXPECT_EQ(b->ari_start, kNow + 10);
  EXPECT_EQ(b->ari_end, kNow + 20);
  EXPECT_EQ(b->ari_next_fetch, kNow + 30);
  EXPECT_FALSE(inv_->set_schedule("nosuch", {}));
}

TEST_P(ScheduleTest, TheDueQueryUsesTheIndex) {
  CK_SQLITE_ONLY("SQLite's query plan");
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(location_.c_str(), &db), SQLITE_OK);
  sqlite3_stmt* st = nullptr;
  ASSERT_EQ(sqlite3_prepare_v2(db, "EXPLAIN QUERY PLAN SELECT name FROM certificates WHERE next_check <= 5", -1, &st,
                               nullptr),
            SQLITE_OK);
  std::string plan;
  while (sqlite3_step(st) == SQLITE_ROW) plan += reinterpret_cast<const char*>(sqlite3_column_text(st, 3));
  sqlite3_finalize(st);
  sqlite3_close(db);
  EXPECT_NE(plan.find("certificates_by_next_check"), std::string::npos) << plan;
}

TEST_P(ScheduleTest, AFailureIsRecordedAndANewVersionClearsIt) {
  ASSERT_TRUE(inv_->set_schedule("a", {kNow + 100, kNow, kNow + 10, kNow + 50}));
  ASSERT_TRUE(inv_->record_failure("a", "badCSR: no", kNow + 3600, "t", kNow, true));
  auto a = *inv_->find_certificate("a");
  EXPECT_TRUE(a->failure_permanent);
  EXPECT_EQ(a->retry_after, kNow + 3600);
  EXPECT_EQ(a->failures, 1);
  ASSERT_TRUE(inv_->append_version(definition("a"), version(kNow + 100 * kSecondsPerDay, "a2"), "imported", "{}", "t",
                                   kNow + 5));
  a = *inv_->find_certificate("a");
  EXPECT_FALSE(a->failure_permanent);
  EXPECT_FALSE(a->retry_after);
  EXPECT_FALSE(a->next_check) << "a new version is scheduled afresh";
  EXPECT_FALSE(a->ari_start) << "the window belonged to the old certificate";
  EXPECT_EQ(a->failures, 0);
}

TEST_P(ScheduleTest, RedefiningClearsAPermanentFailure) {
  CertificateRecord def;
  def.name = "web";
  def.source = "acme";
  def.domains = {"www.example.test"};
  ASSERT_TRUE(inv_->define_certificate(def, "t", kNow));
  ASSERT_TRUE(inv_->record_failure("web", "rejectedIdentifier", std::nullopt, "t", kNow, true));
  EXPECT_TRUE((*inv_->find_certificate("web"))->failure_permanent);
  ASSERT_TRUE(inv_->define_certificate(def, "t", kNow + 1));
  EXPECT_FALSE((*inv_->find_certificate("web"))->failure_permanent);
}

CK_ON_BOTH_BACKENDS(ScheduleTest);

}  // namespace
}  // namespace certkeeper::store
