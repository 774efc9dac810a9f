// Programs certkeeper runs as root (README "Programs certkeeper runs"): a
// reload command, --on-event program or --dns-hook that someone else could
// change is refused with exit 3, when it is configured and before it runs,
// with a message that names the path and the chmod or chown that fixes it.
// Real files, real modes, a real owner (`nobody`); the tests run as root.
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>

#include "cli/cli_fixture.h"

namespace certkeeper::testing {
namespace {

constexpr uid_t kNobody = 65534;
constexpr gid_t kNogroup = 65534;

class ProgramSafetyTest : public CliTest {
 protected:
  void SetUp() override { init(); }

  // A script that leaves a mark when it runs.
  std::string script(const std::string& name, mode_t mode) {
    const std::string path = pki_.path(name);
    std::filesystem::create_directories(std::filesystem::path(path).parent_path());
    write_file(path, "#!/bin/sh\ntouch '" + ran_ + "'\n");
    EXPECT_EQ(::chmod(path.c_str(), mode), 0);
    return path;
  }
  bool ran() const { return file_mode(ran_) >= 0; }

  void import_web() {
    const Files f = write_set(pki_.leaf());
    auto r = ck({"import", "web", "--cert", f.cert, "--key", f.key, "--chain", f.chain});
    ASSERT_EQ(r.exit_code, 0) << r.err;
  }

  static ::testing::AssertionResult RefusedNaming(const ProcessResult& r, const std::string& path,
                                                  const std::string& fix) {
    if (r.exit_code != 3) return ::testing::AssertionFailure() << "exit " << r.exit_code << ": " << r.err;
    if (r.err.find(path) == std::string::npos) return ::testing::AssertionFailure() << "no " << path << " in " << r.err;
    if (r.err.find(fix) == std::string::npos) return ::testing::AssertionFailure() << "no '" << fix << "' in " << r.err;
    return ::testing::AssertionSuccess();
  }

  std::string ran_ = pki_.path("ran");
};

TEST_F(ProgramSafetyTest, TargetAddRefusesAReloadProgramOthersCanWrite) {
  import_web();
  const std::string reload = script("reload.sh", 0757);
  const std::string before = db_snapshot();
  auto r = ck({"target", "add", "web", "--dir", pki_.path("live"), "--reload", reload + " now"});
  EXPECT_TRUE(RefusedNaming(r, reload, "chmod o-w '" + reload + "'"));
  EXPECT_EQ(db_snapshot(), before) << "no target was stored";
  EXPECT_FALSE(ran());
}

TEST_F(ProgramSafetyTest, InstallRefusesAReloadProgramThatBecameWritableAndChangesNothing) {
  import_web();
  const std::string reload = script("reload.sh", 0755);
  const std::string live = pki_.path("live");
  ASSERT_EQ(ck({"target", "add", "web", "--dir", live, "--reload", reload}).exit_code, 0);
  ASSERT_EQ(::chmod(reload.c_str(), 0775), 0);
  const std::string before = db_snapshot();
  auto r = ck({"install", "web"});
  EXPECT_TRUE(RefusedNaming(r, reload, "chmod g-w '" + reload + "'"));
  EXPECT_FALSE(std::filesystem::exists(live)) << "nothing was written into the target";
  EXPECT_EQ(db_snapshot(), before);
  EXPECT_FALSE(ran());
  EXPECT_EQ(ck({"install", "web", "--dry-run"}).exit_code, 3) << "a dry run says so too";

  ASSERT_EQ(::chmod(reload.c_str(), 0755), 0);
  auto fixed = ck({"install", "web"});
  EXPECT_EQ(fixed.exit_code, 0) << fixed.err;
  EXPECT_TRUE(ran()) << "the fix in the message works";
}

TEST_F(ProgramSafetyTest, RenewRefusesAnEventProgramOwnedBySomeoneElse) {
  const std::string hook = script("hooks/on-event", 0755);
  ASSERT_EQ(::chown(hook.c_str(), kNobody, kNogroup), 0);
  const std::string before = db_snapshot();
  for (const char* command : {"renew", "run"}) {
    auto r = ck({command, "--on-event", hook});
    EXPECT_TRUE(RefusedNaming(r, hook, "chown root '" + hook + "'")) << command;
  }
  EXPECT_EQ(db_snapshot(), before);
  EXPECT_FALSE(ran());
}

TEST_F(ProgramSafetyTest, RenewRefusesAnEventProgramInADirectoryOthersCanWrite) {
  const std::string hook = script("shared/on-event", 0755);
  const std::string shared = pki_.path("shared");
  ASSERT_EQ(::chmod(shared.c_str(), 0777), 0);
  auto r = ck({"renew", "--on-event", hook});
  EXPECT_TRUE(RefusedNaming(r, shared, "chmod o-w '" + shared + "'"));
  EXPECT_FALSE(ran());
}

TEST_F(ProgramSafetyTest, AddRefusesADnsHookOthersCanWrite) {
  const std::string hook = script("dns-hook", 0777);
  const std::string before = db_snapshot();
  auto r = ck({"add", "wild", "--domain", "*.example.test", "--challenge", "dns-01", "--dns-hook", hook});
  EXPECT_TRUE(RefusedNaming(r, hook, "chmod o-w '" + hook + "'"));
  EXPECT_EQ(db_snapshot(), before);
}

// `systemctl reload nginx`: a name found through PATH is checked at its
// real path (here a link to a file anyone may write).
TEST_F(ProgramSafetyTest, AProgramFoundThroughPathIsCheckedAtItsRealPath) {
  import_web();
  const std::string real = script("opt/realctl", 0777);
  const std::string bin = pki_.path("bin");
  std::filesystem::create_directories(bin);
  std::filesystem::create_symlink(real, bin + "/fakectl");
  auto r = run_certkeeper({"--db", db(), "target", "add", "web", "--dir", pki_.path("live"), "--reload",
                           "fakectl reload nginx"},
                          {{"PATH", bin + ":/usr/bin:/bin"}});
  EXPECT_TRUE(RefusedNaming(r, real, "chmod o-w '" + real + "'"));
  ASSERT_EQ(::chmod(real.c_str(), 0755), 0);
  auto ok = run_certkeeper({"--db", db(), "target", "add", "web", "--dir", pki_.path("live"), "--reload",
                            "fakectl reload nginx"},
                           {{"PATH", bin + ":/usr/bin:/bin"}});
  EXPECT_EQ(ok.exit_code, 0) << ok.err;
}

}  // namespace
}  // namespace certkeeper::testing
