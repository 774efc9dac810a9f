// The desired version (issue 12) through the install transaction: install
// --version of an older version and rollback pin it, install of the newest
// clears the pin, a dry run or a refused request changes none, and a
// transaction switched back still records the operator's choice.
#include <gtest/gtest.h>

#include "certkeeper/lifecycle/check.h"
#include "certkeeper/lifecycle/init.h"
#include "certkeeper/lifecycle/install.h"
#include "certkeeper/lifecycle/targets.h"
#include "certkeeper/store/inventory.h"
#include "support/temp_dir.h"
#include "support/test_pki.h"
#include "lifecycle/imported_versions.h"

namespace certkeeper::lifecycle {
namespace {

using namespace certkeeper::testing;

class PinRulesTest : public ImportedVersionsTest {
 protected:
  void SetUp() override {
    import_versions(3);
  }

  void target(const std::string& reload = "") {
    TargetRequest t;
    t.name = "web";
    t.dir = dir_.file("t");
    if (!reload.empty()) t.reload = {reload};
    ASSERT_TRUE(add_target(ctx_, t));
  }

  InstallRequest request(std::optional<int> version) {
    InstallRequest r;
    r.name = "web";
    r.version = version;
    r.probe_wait = std::chrono::milliseconds(0);
    return r;
  }

  store::CertificateRecord record() {
    auto inv = store::Inventory::open(ctx_.db_path, store::OpenMode::existing);
    EXPECT_TRUE(inv);
    auto c = inv->find_certificate("web");
    EXPECT_TRUE(c && *c);
    return **c;
  }

  std::vector<std::string> kinds() {
    auto inv = store::Inventory::open(ctx_.db_path, store::OpenMode::existing);
    std::vector<std::string> out;
    auto events = inv->events("web");
    EXPECT_TRUE(events);
    for (const auto& e : *events) out.push_back(e.kind);
    return out;
  }

  TempDir dir_;
};

TEST_F(PinRulesTest, InstallOfAnOlderVersionPinsItAndInstallOfTheNewestClearsIt) {
  target();
  auto older = install(ctx_, request(2));
  ASSERT_TRUE(older) << older.error().what();
  EXPECT_EQ(older->pinned_version, 2);
  EXPECT_EQ(record().pinned_version, 2);
  EXPECT_EQ(store::desired_version(record()), 2);
  auto k = kinds();
  ASSERT_GE(k.size(), 2u);
  EXPECT_EQ(k[k.size() - 2], store::event::pinned);
  EXPECT_EQ(k.back(), store::event::installed);

  auto newest = install(ctx_, request(std::nullopt));
  ASSERT_TRUE(newest) << newest.error().what();
  EXPECT_EQ(newest->version, 3);
  EXPECT_FALSE(newest->pinned_version);
  EXPECT_FALSE(record().pinned_version);
  k = kinds();
  EXPECT_EQ(k[k.size() - 2], store::event::unpinned);

  // --version of the newest is the same as none.
  ASSERT_TRUE(install(ctx_, request(1)));
  ASSERT_TRUE(install(ctx_, request(3)));
  EXPECT_FALSE(record().pinned_version);
}

TEST_F(PinRulesTest, RollbackPinsAndARollbackToTheNewestClears) {
  target();
  ASSERT_TRUE(install(ctx_, request(3)));
  auto back = rollback(ctx_, request(std::nullopt));
  ASSERT_TRUE(back) << back.error().what();
  EXPECT_EQ(back->version, 2);
  EXPECT_EQ(back->pinned_version, 2);
  EXPECT_EQ(record().pinned_version, 2);

  auto to_one = rollback(ctx_, request(1));
  ASSERT_TRUE(to_one);
  EXPECT_EQ(record().pinned_version, 1);

  auto to_newest = rollback(ctx_, request(3));
  ASSERT_TRUE(to_newest);
  EXPECT_FALSE(to_newest->pinned_version);
  EXPECT_FALSE(record().pinned_version);
}

TEST_F(PinRulesTest, ARefusedOrPlannedRequestChangesNoPin) {
  target();
  ASSERT_TRUE(rollback(ctx_, request(2)));
  const auto before = kinds();

  auto missing = rollback(ctx_, request(9));
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().code, Errc::not_found);
  EXPECT_NE(missing.error().message.find("has no version 9"), std::string::npos) << missing.error().message;

  auto plan = request(1);
  plan.dry_run = true;
  auto planned = rollback(ctx_, plan);
  ASSERT_TRUE(planned) << planned.error().what();
  EXPECT_EQ(planned->pinned_version, 1) << "what it would be";

  clock_.set(pki_.leaf().facts().not_after + kSecondsPerDay);  // every version has expired
  auto expired = install(ctx_, request(1));
  ASSERT_FALSE(expired);
  EXPECT_EQ(expired.error().code, Errc::rejected);

  EXPECT_EQ(record().pinned_version, 2);
  EXPECT_EQ(kinds(), before);
}

TEST_F(PinRulesTest, AnInstallSwitchedBackStillPinsTheVersionAsked) {
  target("false");  // every reload fails: the transaction switches back
  auto out = rollback(ctx_, request(1));
  ASSERT_TRUE(out) << out.error().what();
  EXPECT_TRUE(out->rolled_back);
  EXPECT_EQ(out->pinned_version, 1);
  EXPECT_EQ(record().pinned_version, 1);
  auto k = kinds();
  ASSERT_GE(k.size(), 2u);
  EXPECT_EQ(k[k.size() - 2], store::event::pinned);
  EXPECT_EQ(k.back(), store::event::install_rolled_back);
}

TEST_F(PinRulesTest, AnInstallThatDoesNotSetTheDesiredVersionKeepsThePin) {
  // As a version just stored is installed (issue, import --install, the
  // scheduler): an operator's pin made meanwhile stays.
  target();
  ASSERT_TRUE(rollback(ctx_, request(1)));
  auto r = request(3);
  r.set_desired = false;
  auto out = install(ctx_, r);
  ASSERT_TRUE(out) << out.error().what();
  EXPECT_EQ(out->version, 3);
  EXPECT_EQ(out->pinned_version, 1);
  EXPECT_EQ(record().pinned_version, 1);
}

TEST_F(PinRulesTest, WithoutTargetsNothingIsPinned) {
  auto out = rollback(ctx_, request(1));
  ASSERT_FALSE(out);
  EXPECT_EQ(out.error().code, Errc::not_found);
  EXPECT_FALSE(record().pinned_version);
}

}  // namespace
}  // namespace certkeeper::lifecycle
