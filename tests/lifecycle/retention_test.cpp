// keep_versions (issue 14 point 11): what retention counts and what it never
// removes, on real target directories: the sets of installs that were
// switched back never count, and neither the live set nor the one a
// rollback would restore is ever pruned.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>

#include "certkeeper/deploy/target_dir.h"
#include "certkeeper/lifecycle/check.h"
#include "certkeeper/lifecycle/init.h"
#include "certkeeper/lifecycle/install.h"
#include "certkeeper/lifecycle/targets.h"
#include "support/temp_dir.h"
#include "support/test_pki.h"
#include "lifecycle/imported_versions.h"

namespace certkeeper::lifecycle {
namespace {

using namespace certkeeper::testing;

class RetentionTest : public ImportedVersionsTest {
 protected:
  void start(std::optional<int> keep) {
    import_versions(4, keep);
  }

  void target(const std::string& reload) {
    TargetRequest t;
    t.name = "web";
    t.dir = dir_.file("t");
    if (!reload.empty()) t.reload = {reload};
    auto added = add_target(ctx_, t);
    ASSERT_TRUE(added) << added.error().what();
  }

  Result<InstallOutcome> install_version(int v) {
    InstallRequest r;
    r.name = "web";
    r.version = v;
    r.probe_wait = std::chrono::milliseconds(0);
    return install(ctx_, r);
  }

  // The sets on disk, by version ("0" = adopted), oldest first.
  std::vector<int> sets_on_disk() {
    deploy::TargetSpec spec;
    spec.dir = dir_.file("t");
    auto state = deploy::inspect(spec);
    EXPECT_TRUE(state) << state.error().what();
    std::vector<int> out;
    if (state) {
      for (const auto& s : state->sets) out.push_back(s.version);
    }
    return out;
  }

  TempDir dir_;
};

TEST_F(RetentionTest, FailedInstallsDoNotPushOutTheAdoptedAndGoodVersions) {
  start(std::nullopt);  // keep_versions 5
  // The operator's own files: adopted as version 0 by the first install.
  std::filesystem::create_directories(dir_.file("t"));
  for (const char* f : {"cert.pem", "chain.pem", "fullchain.pem", "privkey.pem"}) {
    write_file(dir_.file(std::string("t/") + f), "the operator's file\n");
  }
  target("");
  ASSERT_TRUE(install_version(1));
  EXPECT_EQ(sets_on_disk(), (std::vector<int>{0, 1}));

  target("false");  // the service refuses every reload: three installs switched back
  for (int i = 0; i < 3; ++i) {
    auto failed = install_version(2);
    ASSERT_TRUE(failed) << failed.error().what();
    EXPECT_TRUE(failed->rolled_back);
  }
  EXPECT_EQ(sets_on_disk(), (std::vector<int>{0, 1})) << "a set that never served is not kept";

  target("true");
  ASSERT_TRUE(install_version(3));
  ASSERT_TRUE(install_version(4));
  EXPECT_EQ(sets_on_disk(), (std::vector<int>{0, 1, 3, 4})) << "4 sets were live: all kept under 5";
  EXPECT_EQ(read_file(dir_.file("t/cert.pem")), read_file(pki_.path("v4-cert.pem")));
}

TEST_F(RetentionTest, TheSetARollbackWouldRestoreIsNeverPruned) {
  start(1);
  target("");
  ASSERT_TRUE(install_version(1));
  ASSERT_TRUE(install_version(2));
  // keep_versions 1: the live set, and version 1, which a rollback restores.
  EXPECT_EQ(sets_on_disk(), (std::vector<int>{1, 2}));
  ASSERT_TRUE(install_version(4));
  // A rollback from 4 picks 3 (the newest older version), never installed
  // here: it is staged anew from the inventory; 2 was live before.
  EXPECT_EQ(sets_on_disk(), (std::vector<int>{2, 4}));
  InstallRequest back;
  back.name = "web";
  back.probe_wait = std::chrono::milliseconds(0);
  auto rolled = rollback(ctx_, back);
  ASSERT_TRUE(rolled) << rolled.error().what();
  EXPECT_EQ(rolled->version, 3);
  EXPECT_EQ(read_file(dir_.file("t/cert.pem")), read_file(pki_.path("v3-cert.pem")));
}

}  // namespace
}  // namespace certkeeper::lifecycle
