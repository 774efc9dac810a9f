// OpenSSH's StrictModes rule for the programs certkeeper runs
// (util/safe_path.h), on real files, modes and owners. The tests run as root
// (README "Running the tests"); giving a file away uses the user `nobody`.
#include "certkeeper/util/safe_path.h"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <optional>

#include "support/temp_dir.h"

namespace certkeeper {
namespace {

using testing::TempDir;

constexpr uid_t kNobody = 65534;
constexpr gid_t kNogroup = 65534;

bool root() { return ::geteuid() == 0; }

// Sets an environment variable for the scope.
class Env {
 public:
  Env(const char* name, const std::string& value) : name_(name) {
    if (const char* old = std::getenv(name)) old_ = old;
    ::setenv(name, value.c_str(), 1);
  }
  ~Env() {
    if (old_) {
      ::setenv(name_, old_->c_str(), 1);
    } else {
      ::unsetenv(name_);
    }
  }

 private:
  const char* name_;
  std::optional<std::string> old_;
};

class SafePathTest : public ::testing::Test {
 protected:
  // DIR/NAME, a shell script of mode `mode`.
  std::string program(const std::string& name, mode_t mode = 0755) {
    const std::string path = dir.file(name);
    std::filesystem::create_directories(std::filesystem::path(path).parent_path());
    testing::write_file(path, "#!/bin/sh\nexit 0\n");
    EXPECT_EQ(::chmod(path.c_str(), mode), 0);
    return path;
  }
  std::string subdir(const std::string& name, mode_t mode) {
    const std::string path = dir.file(name);
    std::filesystem::create_directories(path);
    EXPECT_EQ(::chmod(path.c_str(), mode), 0);
    return path;
  }

  ::testing::AssertionResult Refused(const Result<std::string>& r, const std::string& path, const std::string& fix) {
    if (r) return ::testing::AssertionFailure() << "accepted " << *r;
    if (r.error().code != Errc::rejected) return ::testing::AssertionFailure() << "not rejected: " << r.error().what();
    if (r.error().subject != path) return ::testing::AssertionFailure() << "names " << r.error().subject << ", not " << path;
    if (r.error().message.find(fix) == std::string::npos) {
      return ::testing::AssertionFailure() << "no '" << fix << "' in: " << r.error().message;
    }
    if (r.error().message.find("--reload") == std::string::npos) {
      return ::testing::AssertionFailure() << "the option is not named: " << r.error().message;
    }
    return ::testing::AssertionSuccess();
  }

  TempDir dir;
};

TEST_F(SafePathTest, AProgramOnlyRootCanChangeIsAccepted) {
  const std::string path = program("bin/reload");
  auto r = trusted_program(path, "--reload");
  ASSERT_TRUE(r) << r.error().what();
  EXPECT_EQ(*r, path);
  EXPECT_TRUE(trusted_program("/usr/bin/true", "--reload"));
}

TEST_F(SafePathTest, AProgramOthersCanWriteIsRefused) {
  const std::string world = program("world", 0757);
  EXPECT_TRUE(Refused(trusted_program(world, "--reload"), world, "chmod o-w '" + world + "'"));
  const std::string group = program("group", 0775);
  EXPECT_TRUE(Refused(trusted_program(group, "--reload"), group, "chmod g-w '" + group + "'"));
}

TEST_F(SafePathTest, AProgramOwnedBySomeoneElseIsRefused) {
  if (!root()) GTEST_SKIP() << "giving a file to nobody needs root";
  const std::string path = program("theirs");
  ASSERT_EQ(::chown(path.c_str(), kNobody, kNogroup), 0);
  EXPECT_TRUE(Refused(trusted_program(path, "--reload"), path, "chown root '" + path + "'"));
  EXPECT_NE(trusted_program(path, "--reload").error().message.find("owned by nobody"), std::string::npos);
}

TEST_F(SafePathTest, ADirectoryAboveThatOthersCanChangeIsRefused) {
  const std::string open = subdir("open", 0777);
  const std::string path = program("open/inner/reload");
  EXPECT_TRUE(Refused(trusted_program(path, "--reload"), open, "chmod o-w '" + open + "'"));
  ASSERT_EQ(::chmod(open.c_str(), 0775), 0);
  EXPECT_TRUE(Refused(trusted_program(path, "--reload"), open, "chmod g-w '" + open + "'"));
  ASSERT_EQ(::chmod(open.c_str(), 0755), 0);
  EXPECT_TRUE(trusted_program(path, "--reload"));
  if (!root()) return;
  ASSERT_EQ(::chown(open.c_str(), kNobody, kNogroup), 0);
  EXPECT_TRUE(Refused(trusted_program(path, "--reload"), open, "chown root '" + open + "'"));
}

// /tmp: everyone may create entries, but the sticky bit keeps them from
// renaming or removing ours.
TEST_F(SafePathTest, ARootOwnedStickyDirectoryAboveIsAccepted) {
  subdir("shared", 01777);
  const std::string path = program("shared/mine/reload");
  auto r = trusted_program(path, "--reload");
  EXPECT_TRUE(r) << r.error().what();
  const std::string exposed = program("shared/exposed", 0777);
  EXPECT_TRUE(Refused(trusted_program(exposed, "--reload"), exposed, "chmod o-w")) << "never for the program itself";
}

// Programs found through PATH (systemctl, nginx) are resolved to their real
// path, and the rule applies to it and to where the name was found.
TEST_F(SafePathTest, ANameFoundThroughPathIsCheckedAtItsRealPath) {
  const std::string bin = subdir("bin", 0755);
  const std::string unsafe = program("elsewhere/realctl", 0777);
  std::filesystem::create_symlink(unsafe, bin + "/myctl");
  Env path("PATH", bin + ":/usr/bin:/bin");
  EXPECT_TRUE(Refused(trusted_program("myctl", "--reload"), unsafe, "chmod o-w '" + unsafe + "'"));
  ASSERT_EQ(::chmod(unsafe.c_str(), 0755), 0);
  auto ok = trusted_program("myctl", "--reload");
  ASSERT_TRUE(ok) << ok.error().what();
  EXPECT_EQ(*ok, bin + "/myctl") << "what runs is the path that was found and checked";

  // A link in a directory others can write to: they could point it elsewhere.
  ASSERT_EQ(::chmod(bin.c_str(), 0777), 0);
  EXPECT_TRUE(Refused(trusted_program("myctl", "--reload"), bin, "chmod o-w '" + bin + "'"));
}

TEST_F(SafePathTest, AMissingProgramIsNotFound) {
  Env path("PATH", dir.path());
  auto r = trusted_program("certkeeper-no-such-program", "--reload");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, Errc::not_found);
  EXPECT_EQ(trusted_program(dir.file("nope/prog"), "--reload").error().code, Errc::not_found);
}

TEST(WriteRisk, TargetDirectoriesMayBeSharedWithRootsOrOurGroup) {
  struct stat st {};
  st.st_mode = S_IFDIR | 0775;
  st.st_uid = 0;
  st.st_gid = 0;
  EXPECT_EQ(write_risk(st, {true, false}).kind, WriteRisk::none);
  EXPECT_EQ(write_risk(st, {false, false}).kind, WriteRisk::group);
  st.st_gid = 12345;
  EXPECT_EQ(write_risk(st, {true, false}).kind, ::getegid() == 12345 ? WriteRisk::none : WriteRisk::group);
  st.st_mode = S_IFDIR | 01777;
  EXPECT_EQ(write_risk(st, {true, false}).kind, WriteRisk::others) << "sticky only where the rule says so";
  EXPECT_EQ(write_risk(st, {false, true}).kind, WriteRisk::none);
}

}  // namespace
}  // namespace certkeeper
