// The install transaction's rules that depend on time and on the inventory,
// with a fixed clock: what may go live without --force, and which version a
// rollback picks.
#include "certkeeper/lifecycle/install.h"

#include <gtest/gtest.h>

#include "certkeeper/lifecycle/check.h"
#include "certkeeper/lifecycle/init.h"
#include "certkeeper/lifecycle/targets.h"
#include "certkeeper/store/inventory.h"
#include "support/temp_dir.h"
#include "support/test_pki.h"
#include "lifecycle/imported_versions.h"

namespace certkeeper::lifecycle {
namespace {

using namespace certkeeper::testing;

class InstallRulesTest : public ImportedVersionsTest {
 protected:
  void SetUp() override {
    import_versions(3);
    TargetRequest t;
    t.name = "web";
    t.dir = dir_.file("t");
    ASSERT_TRUE(add_target(ctx_, t));
  }

  Result<InstallOutcome> install_version(int v, bool force = false) {
    InstallRequest r;
    r.name = "web";
    r.version = v;
    r.force = force;
    return install(ctx_, r);
  }
};

TEST_F(InstallRulesTest, AnExpiredVersionNeedsForce) {
  ASSERT_TRUE(install_version(1));
  clock_.set(leaves_[0].facts().not_after + 1);
  auto refused = install_version(2);
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().code, Errc::rejected);
  EXPECT_NE(refused.error().message.find("expired on"), std::string::npos) << refused.error().message;
  EXPECT_NE(refused.error().message.find("--force"), std::string::npos);
  EXPECT_EQ(read_file(dir_.file("t/cert.pem")), leaves_[0].pem()) << "nothing changed";
  auto forced = install_version(2, true);
  ASSERT_TRUE(forced) << forced.error().what();
  EXPECT_EQ(read_file(dir_.file("t/cert.pem")), leaves_[1].pem());
}

TEST_F(InstallRulesTest, ANotYetValidVersionNeedsForce) {
  clock_.set(leaves_[0].facts().not_before - 1);
  auto refused = install_version(1);
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().code, Errc::rejected);
  EXPECT_NE(refused.error().message.find("not valid before"), std::string::npos);
}

TEST_F(InstallRulesTest, RollbackToARevokedVersionNeedsForce) {
  ASSERT_TRUE(install_version(3));
  auto inv = store::Inventory::open(ctx_.db_path, store::OpenMode::existing);
  ASSERT_TRUE(inv->mark_revoked("web", 2, "keyCompromise", "test", pki_.now()));
  InstallRequest r;
  r.name = "web";
  auto refused = rollback(ctx_, r);
  ASSERT_FALSE(refused) << "the version before 3 is 2, which was revoked";
  EXPECT_EQ(refused.error().code, Errc::rejected);
  EXPECT_NE(refused.error().message.find("version 2 was revoked"), std::string::npos) << refused.error().message;
  r.force = true;
  auto forced = rollback(ctx_, r);
  ASSERT_TRUE(forced) << forced.error().what();
  EXPECT_EQ(forced->version, 2);
  EXPECT_EQ(read_file(dir_.file("t/cert.pem")), leaves_[1].pem());
}

TEST_F(InstallRulesTest, RollbackPicksTheNewestOlderVersionOrTheOneAsked) {
  ASSERT_TRUE(install_version(3));
  InstallRequest r;
  r.name = "web";
  auto back = rollback(ctx_, r);
  ASSERT_TRUE(back) << back.error().what();
  EXPECT_EQ(back->version, 2);
  EXPECT_EQ(back->previous_version, 3);
  r.version = 1;
  auto to_one = rollback(ctx_, r);
  ASSERT_TRUE(to_one);
  EXPECT_EQ(to_one->version, 1);
  r.version = 9;
  auto missing = rollback(ctx_, r);
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().code, Errc::not_found);
}

TEST_F(InstallRulesTest, EventsRecordEachInstallWithTheInjectedTime) {
  ASSERT_TRUE(install_version(1));
  clock_.set(pki_.now() + 60);
  ASSERT_TRUE(install_version(2));
  auto inv = store::Inventory::open(ctx_.db_path, store::OpenMode::read_only);
  auto events = inv->events("web");
  ASSERT_TRUE(events);
  ASSERT_GE(events->size(), 2u);
  EXPECT_EQ(events->back().kind, "installed");
  EXPECT_EQ(events->back().at, pki_.now() + 60);
  EXPECT_NE(events->back().detail_json.find("\"previous_version\":1"), std::string::npos) << events->back().detail_json;
  EXPECT_EQ(events->back().detail_json.find("PRIVATE KEY"), std::string::npos);
}

}  // namespace
}  // namespace certkeeper::lifecycle
