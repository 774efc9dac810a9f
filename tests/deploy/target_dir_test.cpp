// The one code that changes a target directory, on a real file system: the
// refusals of unsafe directories, the lock, staged sets with exact modes and
// owners, the one-rename switch, adoption of an operator's files, leftovers
// of interrupted runs and retention. File contents are fake PEM text: this
// layer does not parse them.
#include "certkeeper/deploy/target_dir.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <optional>
#include <set>
#include <stdexcept>
#include <string>
#include <vector>

#include "support/temp_dir.h"

namespace certkeeper::deploy {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;
using testing::TempDir;
using testing::file_mode;
using testing::read_file;
using testing::write_file;

constexpr uid_t kNobody = 65534;
constexpr gid_t kNogroup = 65534;

// Sets a umask for the scope of the object, like the binary's umask(077).
class Umask {
 public:
  explicit Umask(mode_t mask) : old_(::umask(mask)) {}
  ~Umask() { ::umask(old_); }

 private:
  mode_t old_;
};

std::string pem(const std::string& what, int version) {
  return "-----BEGIN FAKE-----\n" + what + " v" + std::to_string(version) + "\n-----END FAKE-----\n";
}

std::vector<FileSpec> separate_files(int version, mode_t key_mode = 0600) {
  return {
      {"cert.pem", pem("leaf", version), 0644, false},
      {"chain.pem", pem("chain", version), 0644, false},
      {"fullchain.pem", pem("leaf", version) + pem("chain", version), 0644, false},
      {"privkey.pem", pem("key", version), key_mode, true},
  };
}

// A one-file set: enough where only set names and retention matter, and
// fewer fsyncs keep the suite fast.
std::vector<FileSpec> cert_only(int version) { return {{"cert.pem", pem("leaf", version), 0644, false}}; }

std::optional<std::string> link_of(const std::string& path) {
  std::error_code ec;
  auto target = fs::read_symlink(path, ec);
  if (ec) return std::nullopt;
  return target.string();
}

bool is_symlink(const std::string& path) {
  struct stat st {};
  return ::lstat(path.c_str(), &st) == 0 && S_ISLNK(st.st_mode);
}

bool is_regular(const std::string& path) {
  struct stat st {};
  return ::lstat(path.c_str(), &st) == 0 && S_ISREG(st.st_mode);
}

bool exists_no_follow(const std::string& path) {
  struct stat st {};
  return ::lstat(path.c_str(), &st) == 0;
}

// Names in a directory, sorted ("" entries never appear).
std::vector<std::string> entries(const std::string& dir) {
  std::vector<std::string> out;
  std::error_code ec;
  for (const auto& e : fs::directory_iterator(dir, ec)) out.push_back(e.path().filename().string());
  std::sort(out.begin(), out.end());
  return out;
}

std::vector<std::string> set_names(const std::vector<SetName>& sets) {
  std::vector<std::string> out;
  for (const auto& s : sets) out.push_back(s.name);
  return out;
}

class TargetDirTest : public ::testing::Test {
 protected:
  TempDir tmp;
  TargetSpec spec;

  void SetUp() override {
    spec.dir = tmp.file("target");
    spec.layout = Layout::separate;
  }

  std::string at(const std::string& name) const { return spec.dir + "/" + name; }
  std::string meta(const std::string& name = "") const {
    return spec.dir + "/.certkeeper" + (name.empty() ? "" : "/" + name);
  }

  void make_dir(mode_t mode = 0755) {
    ASSERT_EQ(::mkdir(spec.dir.c_str(), 0700), 0);
    ASSERT_EQ(::chmod(spec.dir.c_str(), mode), 0);
  }

  TargetDir open_ok(int lock_wait_ms = 1000) {
    auto d = TargetDir::open(spec, lock_wait_ms);
    if (!d) throw std::runtime_error("open: " + d.error().what());
    return std::move(*d);
  }

  SetName stage_ok(TargetDir& d, int version, const std::vector<FileSpec>& files) {
    auto s = d.stage(version, files);
    if (!s) {
      ADD_FAILURE() << "stage: " << s.error().what();
      return SetName{};
    }
    return *s;
  }

  // The refusal contract: Errc::rejected from inspect() and open(), and
  // open() wrote nothing at all.
  void expect_refused(const std::string& why) {
    std::vector<std::string> before = fs::exists(spec.dir) ? entries(spec.dir) : std::vector<std::string>{};
    auto state = inspect(spec);
    ASSERT_FALSE(state) << why << ": inspect accepted it";
    EXPECT_EQ(state.error().code, Errc::rejected) << why << ": " << state.error().what();
    EXPECT_FALSE(state.error().message.empty());
    auto d = TargetDir::open(spec, 100);
    ASSERT_FALSE(d) << why << ": open accepted it";
    EXPECT_EQ(d.error().code, Errc::rejected) << why << ": " << d.error().what();
    std::vector<std::string> after = fs::exists(spec.dir) ? entries(spec.dir) : std::vector<std::string>{};
    EXPECT_EQ(before, after) << why << ": open changed the directory";
  }
};

bool root() { return ::geteuid() == 0; }

// ---- parse_set_name ----

TEST(TargetSetName, ParsesNumberAndVersion) {
  auto s = parse_set_name("12-v7");
  ASSERT_TRUE(s);
  EXPECT_EQ(s->name, "12-v7");
  EXPECT_EQ(s->number, 12);
  EXPECT_EQ(s->version, 7);
  auto adopted = parse_set_name("3-v0");
  ASSERT_TRUE(adopted);
  EXPECT_EQ(adopted->number, 3);
  EXPECT_EQ(adopted->version, 0);
}

TEST(TargetSetName, AnythingElseIsNotASet) {
  for (const std::string bad : {"v7", "12-v", "a-v1", "12-v7x", "-v7", "12v7", "12-7", "12-V7", " 12-v7", "12-v 7",
                                "12-v-7", "12-v7-v8", "live", "lock", "tmp-12-v7", "", "1.5-v2", "../1-v1"}) {
    EXPECT_FALSE(parse_set_name(bad)) << "'" << bad << "' parsed as a set";
  }
}

// ---- inspect(): what is there, and the refusals ----

TEST_F(TargetDirTest, InspectOfAMissingDirSaysSoAndCreatesNothing) {
  auto state = inspect(spec);
  ASSERT_TRUE(state) << state.error().what();
  EXPECT_FALSE(state->exists);
  EXPECT_FALSE(state->live);
  EXPECT_TRUE(state->sets.empty());
  EXPECT_TRUE(state->adoptable.empty());
  EXPECT_TRUE(state->temporaries.empty());
  EXPECT_FALSE(exists_no_follow(spec.dir));
}

TEST_F(TargetDirTest, InspectOfAnEmptyDir) {
  make_dir();
  auto state = inspect(spec);
  ASSERT_TRUE(state) << state.error().what();
  EXPECT_TRUE(state->exists);
  EXPECT_FALSE(state->live);
  EXPECT_TRUE(state->sets.empty());
  EXPECT_TRUE(entries(spec.dir).empty());
}

TEST_F(TargetDirTest, RelativeDirIsRefused) {
  for (const std::string rel : {"relative/dir", "target", "./target", ""}) {
    spec.dir = rel;
    auto state = inspect(spec);
    ASSERT_FALSE(state) << "'" << rel << "' accepted";
    EXPECT_EQ(state.error().code, Errc::rejected) << rel;
    auto d = TargetDir::open(spec, 100);
    ASSERT_FALSE(d) << "'" << rel << "' opened";
    EXPECT_EQ(d.error().code, Errc::rejected) << rel;
  }
}

TEST_F(TargetDirTest, AFileInsteadOfADirIsRefused) {
  write_file(spec.dir, "not a directory");
  auto state = inspect(spec);
  ASSERT_FALSE(state);
  EXPECT_EQ(state.error().code, Errc::rejected);
  EXPECT_EQ(read_file(spec.dir), "not a directory");
}

TEST_F(TargetDirTest, WorldWritableDirIsRefusedAndNothingWritten) {
  make_dir(0777);
  expect_refused("world-writable");
  EXPECT_FALSE(exists_no_follow(meta())) << "open created .certkeeper in a refused directory";
  EXPECT_NE(inspect(spec).error().message.find("world-writable"), std::string::npos);
  EXPECT_EQ(inspect(spec).error().subject, spec.dir);
  // The sticky bit does not make it safe for a key.
  ASSERT_EQ(::chmod(spec.dir.c_str(), 01777), 0);
  expect_refused("world-writable with sticky bit");
}

TEST_F(TargetDirTest, WorldWritableMetaDirIsRefused) {
  make_dir();
  ASSERT_EQ(::mkdir(meta().c_str(), 0755), 0);
  ASSERT_EQ(::chmod(meta().c_str(), 0777), 0);
  expect_refused(".certkeeper world-writable");
  EXPECT_TRUE(entries(meta()).empty()) << "open wrote into a refused .certkeeper";
}

TEST_F(TargetDirTest, GroupWritableByAnotherGroupIsRefused) {
  if (!root()) GTEST_SKIP() << "giving a directory to another group needs root";
  make_dir(0775);
  ASSERT_EQ(::chown(spec.dir.c_str(), 0, kNogroup), 0);
  ASSERT_EQ(::chmod(spec.dir.c_str(), 0775), 0);
  expect_refused("group-writable by nogroup");
  EXPECT_FALSE(exists_no_follow(meta()));
  // Not group-writable: the group does not matter.
  ASSERT_EQ(::chmod(spec.dir.c_str(), 0755), 0);
  auto ok = inspect(spec);
  EXPECT_TRUE(ok) << ok.error().what();
}

TEST_F(TargetDirTest, GroupWritableByRootsGroupIsAccepted) {
  if (!root()) GTEST_SKIP() << "giving a directory to group 0 needs root";
  make_dir(0775);
  ASSERT_EQ(::chown(spec.dir.c_str(), 0, 0), 0);
  ASSERT_EQ(::chmod(spec.dir.c_str(), 0775), 0);
  auto state = inspect(spec);
  ASSERT_TRUE(state) << state.error().what();
  auto d = TargetDir::open(spec, 100);
  ASSERT_TRUE(d) << d.error().what();
}

// Restores the effective group id at the end of the scope.
class Egid {
 public:
  explicit Egid(gid_t gid) : old_(::getegid()) { ok_ = ::setegid(gid) == 0; }
  ~Egid() {
    if (::setegid(old_) != 0) std::abort();
  }
  bool ok() const { return ok_; }

 private:
  gid_t old_;
  bool ok_ = false;
};

TEST_F(TargetDirTest, GroupWritableByOurOwnGroupIsAccepted) {
  if (!root()) GTEST_SKIP() << "switching the effective group needs root";
  make_dir(0775);
  ASSERT_EQ(::chown(spec.dir.c_str(), 0, kNogroup), 0);
  ASSERT_EQ(::chmod(spec.dir.c_str(), 0775), 0);
  Egid as(kNogroup);
  ASSERT_TRUE(as.ok());
  auto ours = inspect(spec);
  EXPECT_TRUE(ours) << "our own group was refused: " << ours.error().what();
  // Root's group stays acceptable while ours is another one.
  ASSERT_EQ(::chown(spec.dir.c_str(), 0, 0), 0);
  auto roots = inspect(spec);
  EXPECT_TRUE(roots) << "root's group was refused: " << roots.error().what();
  // A third group is not.
  ASSERT_EQ(::chown(spec.dir.c_str(), 0, 1), 0);
  auto third = inspect(spec);
  ASSERT_FALSE(third) << "group 1 may write into the directory";
  EXPECT_EQ(third.error().code, Errc::rejected);
}

TEST_F(TargetDirTest, DirOwnedByAnotherUserIsRefused) {
  if (!root()) GTEST_SKIP() << "giving a directory to another user needs root";
  make_dir(0755);
  ASSERT_EQ(::chown(spec.dir.c_str(), kNobody, 0), 0);
  expect_refused("owned by nobody");
  EXPECT_FALSE(exists_no_follow(meta()));
}

TEST_F(TargetDirTest, MetaDirOwnedByAnotherUserIsRefused) {
  if (!root()) GTEST_SKIP() << "giving a directory to another user needs root";
  make_dir();
  ASSERT_EQ(::mkdir(meta().c_str(), 0755), 0);
  ASSERT_EQ(::chown(meta().c_str(), kNobody, kNogroup), 0);
  expect_refused(".certkeeper owned by nobody");
  EXPECT_TRUE(entries(meta()).empty());
}

TEST_F(TargetDirTest, LayoutFileSymlinkedOutsideIsRefusedAndLeftAlone) {
  make_dir();
  const std::string passwd = read_file("/etc/passwd");
  ASSERT_EQ(::symlink("/etc/passwd", at("cert.pem").c_str()), 0);
  expect_refused("cert.pem -> /etc/passwd");
  EXPECT_EQ(link_of(at("cert.pem")), "/etc/passwd");
  EXPECT_EQ(read_file("/etc/passwd"), passwd);
  EXPECT_EQ(inspect(spec).error().subject, at("cert.pem"));
}

TEST_F(TargetDirTest, LayoutFileSymlinkedToAnotherLiveFileIsRefused) {
  // cert.pem showing the key would publish it: only live/<same name> is ours.
  make_dir();
  ASSERT_EQ(::symlink(".certkeeper/live/privkey.pem", at("cert.pem").c_str()), 0);
  expect_refused("cert.pem -> live/privkey.pem");
  EXPECT_EQ(link_of(at("cert.pem")), ".certkeeper/live/privkey.pem");
}

TEST_F(TargetDirTest, LayoutFileThatIsADirectoryIsRefused) {
  make_dir();
  ASSERT_EQ(::mkdir(at("cert.pem").c_str(), 0755), 0);
  expect_refused("cert.pem is a directory");
  EXPECT_TRUE(fs::is_directory(at("cert.pem")));
}

TEST_F(TargetDirTest, LayoutFileThatIsAFifoIsRefused) {
  make_dir();
  ASSERT_EQ(::mkfifo(at("privkey.pem").c_str(), 0600), 0);
  expect_refused("privkey.pem is a fifo");
}

TEST_F(TargetDirTest, CombinedLayoutChecksCombinedPem) {
  make_dir();
  spec.layout = Layout::combined;
  ASSERT_EQ(::symlink("/etc/shadow", at("combined.pem").c_str()), 0);
  expect_refused("combined.pem -> /etc/shadow");
}

TEST_F(TargetDirTest, MetaDirThatIsASymlinkIsRefused) {
  make_dir();
  TempDir elsewhere;
  ASSERT_EQ(::symlink(elsewhere.path().c_str(), meta().c_str()), 0);
  expect_refused(".certkeeper is a symlink");
  EXPECT_TRUE(entries(elsewhere.path()).empty()) << "open wrote through the .certkeeper symlink";
  EXPECT_EQ(link_of(meta()), elsewhere.path());
}

TEST_F(TargetDirTest, MetaThatIsAFileIsRefused) {
  make_dir();
  write_file(meta(), "x");
  expect_refused(".certkeeper is a file");
}

TEST_F(TargetDirTest, LiveLinkThatIsNotASetIsRefused) {
  make_dir();
  ASSERT_EQ(::mkdir(meta().c_str(), 0755), 0);
  ASSERT_EQ(::symlink("../../etc", meta("live").c_str()), 0);
  expect_refused("live -> ../../etc");
  EXPECT_EQ(link_of(meta("live")), "../../etc");

  // A set name that does not exist is not a set either.
  ASSERT_EQ(::unlink(meta("live").c_str()), 0);
  ASSERT_EQ(::symlink("9-v9", meta("live").c_str()), 0);
  expect_refused("live -> missing 9-v9");

  // Nor an absolute path to a real set.
  ASSERT_EQ(::mkdir(meta("1-v1").c_str(), 0755), 0);
  ASSERT_EQ(::unlink(meta("live").c_str()), 0);
  ASSERT_EQ(::symlink(meta("1-v1").c_str(), meta("live").c_str()), 0);
  expect_refused("live -> absolute path");
}

// A set-named symlink is not a set: inspect() does not list it among the
// sets, so live must not be allowed to point at it either.
TEST_F(TargetDirTest, LiveLinkToASetNamedSymlinkIsRefused) {
  make_dir();
  ASSERT_EQ(::mkdir(meta().c_str(), 0755), 0);
  ASSERT_EQ(::symlink("/etc", meta("1-v1").c_str()), 0);
  ASSERT_EQ(::symlink("1-v1", meta("live").c_str()), 0);
  expect_refused("live -> 1-v1 -> /etc");
}

TEST_F(TargetDirTest, InspectListsSetsOldestFirstAndTheLiveOne) {
  {
    auto d = open_ok();
    for (int v : {4, 2, 9}) stage_ok(d, v, cert_only(v));
    auto second = d.state().sets.at(1);
    ASSERT_TRUE(d.switch_to(second));
  }
  // Not sets: a file with a set's name and a set-named symlink.
  write_file(meta("7-v7"), "x");
  ASSERT_EQ(::symlink("1-v4", meta("8-v8").c_str()), 0);
  auto state = inspect(spec);
  ASSERT_TRUE(state) << state.error().what();
  EXPECT_EQ(set_names(state->sets), (std::vector<std::string>{"1-v4", "2-v2", "3-v9"}));
  ASSERT_TRUE(state->live);
  EXPECT_EQ(state->live->name, "2-v2");
  EXPECT_EQ(state->live->version, 2);
  EXPECT_TRUE(state->adoptable.empty());
  EXPECT_TRUE(state->temporaries.empty());
}

TEST_F(TargetDirTest, SetsAreOrderedByInstallNumberNotByName) {
  {
    auto d = open_ok();
    for (int v = 1; v <= 11; ++v) stage_ok(d, 1, cert_only(1));
  }
  auto d = open_ok();
  ASSERT_EQ(d.state().sets.size(), 11u);
  EXPECT_EQ(d.state().sets.front().name, "1-v1");
  EXPECT_EQ(d.state().sets[8].name, "9-v1");
  EXPECT_EQ(d.state().sets[9].name, "10-v1");
  EXPECT_EQ(d.state().sets.back().name, "11-v1");
  auto next = stage_ok(d, 2, cert_only(2));
  EXPECT_EQ(next.name, "12-v2");
  auto removed = d.prune(2);
  ASSERT_TRUE(removed) << removed.error().what();
  EXPECT_EQ(removed->size(), 10u);
  EXPECT_EQ(set_names(d.state().sets), (std::vector<std::string>{"11-v1", "12-v2"}));
}

// ---- open(): creation, modes, lock ----

TEST_F(TargetDirTest, OpenCreatesDirAndMetaWith0755UnderUmask077) {
  Umask mask(077);
  auto d = open_ok();
  EXPECT_EQ(d.dir(), spec.dir);
  EXPECT_TRUE(d.state().sets.empty());
  EXPECT_FALSE(d.state().live);
  EXPECT_TRUE(fs::is_directory(spec.dir));
  EXPECT_EQ(file_mode(spec.dir), 0755);
  EXPECT_TRUE(fs::is_directory(meta()));
  EXPECT_EQ(file_mode(meta()), 0755);
  EXPECT_TRUE(is_regular(meta("lock")));
  // Nothing else appears in DIR.
  EXPECT_EQ(entries(spec.dir), (std::vector<std::string>{".certkeeper"}));
}

// Services must be able to reach DIR: missing parents created on the way
// must not be 0700 under the binary's umask.
TEST_F(TargetDirTest, OpenCreatesMissingParentsTraversableUnderUmask077) {
  Umask mask(077);
  spec.dir = tmp.file("a/b/target");
  auto d = open_ok();
  EXPECT_EQ(file_mode(tmp.file("a")), 0755);
  EXPECT_EQ(file_mode(tmp.file("a/b")), 0755);
  EXPECT_EQ(file_mode(spec.dir), 0755);
}

TEST_F(TargetDirTest, OpenLeavesAnExistingDirsModeAlone) {
  make_dir(0750);
  auto d = open_ok();
  EXPECT_EQ(file_mode(spec.dir), 0750);
}

TEST_F(TargetDirTest, UnknownOwnerOrGroupIsRefused) {
  spec.owner = "certkeeper-no-such-user";
  auto d = TargetDir::open(spec, 100);
  ASSERT_FALSE(d);
  EXPECT_EQ(d.error().code, Errc::rejected);
  EXPECT_NE(d.error().message.find("certkeeper-no-such-user"), std::string::npos) << d.error().message;
  spec.owner = "";
  spec.group = "certkeeper-no-such-group";
  auto g = TargetDir::open(spec, 100);
  ASSERT_FALSE(g);
  EXPECT_EQ(g.error().code, Errc::rejected);
  EXPECT_NE(g.error().message.find("certkeeper-no-such-group"), std::string::npos) << g.error().message;
  EXPECT_FALSE(exists_no_follow(spec.dir));
}

TEST_F(TargetDirTest, ASecondOpenWaitsForTheLockThenConflicts) {
  auto first = open_ok();
  auto start = std::chrono::steady_clock::now();
  auto second = TargetDir::open(spec, 100);
  auto waited = std::chrono::steady_clock::now() - start;
  ASSERT_FALSE(second) << "two transactions hold the same directory";
  EXPECT_EQ(second.error().code, Errc::conflict) << second.error().what();
  EXPECT_GE(waited, 90ms);
  EXPECT_LT(waited, 2s);

  // Moving the object keeps the lock.
  TargetDir moved = std::move(first);
  auto third = TargetDir::open(spec, 0);
  ASSERT_FALSE(third);
  EXPECT_EQ(third.error().code, Errc::conflict);
}

TEST_F(TargetDirTest, TheLockIsReleasedWhenTheHolderIsDestroyed) {
  {
    auto first = open_ok();
    ASSERT_FALSE(TargetDir::open(spec, 50));
  }
  auto again = TargetDir::open(spec, 100);
  ASSERT_TRUE(again) << again.error().what();
}

// ---- stage() ----

TEST_F(TargetDirTest, StageWritesAFreshSetWithExactModesAndNothingVisibleChanges) {
  Umask mask(077);
  auto d = open_ok();
  const auto before = entries(spec.dir);
  auto files = separate_files(7, 0640);
  auto set = d.stage(7, files);
  ASSERT_TRUE(set) << set.error().what();
  EXPECT_EQ(set->name, "1-v7");
  EXPECT_EQ(set->number, 1);
  EXPECT_EQ(set->version, 7);
  EXPECT_TRUE(fs::is_directory(meta("1-v7")));
  for (const auto& f : files) {
    const std::string path = meta("1-v7/" + f.name);
    EXPECT_TRUE(is_regular(path)) << path;
    EXPECT_EQ(read_file(path), f.data) << f.name;
    EXPECT_EQ(file_mode(path), static_cast<int>(f.mode)) << f.name;
  }
  EXPECT_EQ(file_mode(meta("1-v7/privkey.pem")), 0640);
  EXPECT_EQ(file_mode(meta("1-v7/cert.pem")), 0644);
  EXPECT_EQ(entries(meta("1-v7")), (std::vector<std::string>{"cert.pem", "chain.pem", "fullchain.pem", "privkey.pem"}));
  // Services see nothing new: no links, no live, no leftovers.
  EXPECT_EQ(entries(spec.dir), before);
  EXPECT_FALSE(exists_no_follow(at("cert.pem")));
  EXPECT_FALSE(exists_no_follow(meta("live")));
  EXPECT_EQ(entries(meta()), (std::vector<std::string>{"1-v7", "lock"}));
  EXPECT_FALSE(d.state().live);
  EXPECT_EQ(set_names(d.state().sets), (std::vector<std::string>{"1-v7"}));
}

TEST_F(TargetDirTest, StageAppliesKeyMode0600And0400RegardlessOfUmask) {
  Umask mask(0);  // a permissive umask must not widen the key either
  auto d = open_ok();
  auto a = stage_ok(d, 1, separate_files(1, 0600));
  auto b = stage_ok(d, 2, separate_files(2, 0400));
  EXPECT_EQ(file_mode(meta(a.name + "/privkey.pem")), 0600);
  EXPECT_EQ(file_mode(meta(a.name + "/cert.pem")), 0644);
  EXPECT_EQ(file_mode(meta(b.name + "/privkey.pem")), 0400);
}

TEST_F(TargetDirTest, StageAppliesOwnerAndGroup) {
  if (!root()) GTEST_SKIP() << "giving files to another user needs root";
  spec.owner = "nobody";
  spec.group = "nogroup";
  auto d = open_ok();
  auto set = stage_ok(d, 3, separate_files(3, 0640));
  for (const auto& name : layout_files(Layout::separate)) {
    struct stat st {};
    ASSERT_EQ(::stat(meta(set.name + "/" + name).c_str(), &st), 0) << name;
    EXPECT_EQ(st.st_uid, kNobody) << name;
    EXPECT_EQ(st.st_gid, kNogroup) << name;
    EXPECT_EQ(st.st_mode & 07777, name == "privkey.pem" ? 0640u : 0644u) << name;
  }
}

TEST_F(TargetDirTest, StageWithOnlyAGroupKeepsTheOwner) {
  if (!root()) GTEST_SKIP() << "giving files to another group needs root";
  spec.group = "nogroup";
  auto d = open_ok();
  auto set = stage_ok(d, 3, separate_files(3, 0640));
  struct stat st {};
  ASSERT_EQ(::stat(meta(set.name + "/privkey.pem").c_str(), &st), 0);
  EXPECT_EQ(st.st_uid, ::geteuid());
  EXPECT_EQ(st.st_gid, kNogroup);
  EXPECT_EQ(st.st_mode & 07777, 0640u);
}

TEST_F(TargetDirTest, StagingTheSameVersionAgainMakesANewerSet) {
  auto d = open_ok();
  auto a = stage_ok(d, 5, separate_files(5));
  auto b = stage_ok(d, 5, separate_files(5));
  EXPECT_EQ(a.name, "1-v5");
  EXPECT_EQ(b.name, "2-v5");
  EXPECT_GT(b.number, a.number);
  EXPECT_TRUE(fs::is_directory(meta("1-v5")));
  EXPECT_TRUE(fs::is_directory(meta("2-v5")));
}

TEST_F(TargetDirTest, InstallNumbersContinueAcrossOpens) {
  {
    auto d = open_ok();
    stage_ok(d, 1, cert_only(1));
    stage_ok(d, 2, cert_only(2));
  }
  auto d = open_ok();
  EXPECT_EQ(set_names(d.state().sets), (std::vector<std::string>{"1-v1", "2-v2"}));
  auto c = stage_ok(d, 1, cert_only(1));
  EXPECT_EQ(c.name, "3-v1");
}

// ---- switch_to() ----

TEST_F(TargetDirTest, SwitchMakesEveryFileALinkThroughLive) {
  auto d = open_ok();
  auto set = stage_ok(d, 1, separate_files(1));
  ASSERT_TRUE(d.switch_to(set));
  EXPECT_EQ(link_of(meta("live")), "1-v1");
  for (const auto& f : separate_files(1)) {
    EXPECT_TRUE(is_symlink(at(f.name))) << f.name;
    EXPECT_EQ(link_of(at(f.name)), ".certkeeper/live/" + f.name);
    EXPECT_EQ(read_file(at(f.name)), f.data) << f.name;
  }
  EXPECT_EQ(read_file(at("cert.pem")), pem("leaf", 1));
  ASSERT_TRUE(d.state().live);
  EXPECT_EQ(d.state().live->name, "1-v1");
  // What a later inspect() sees agrees.
  auto state = inspect(spec);
  ASSERT_TRUE(state) << state.error().what();
  ASSERT_TRUE(state->live);
  EXPECT_EQ(state->live->name, "1-v1");
  EXPECT_TRUE(state->adoptable.empty());
}

TEST_F(TargetDirTest, SwitchingToAnotherSetChangesEveryFile) {
  auto d = open_ok();
  auto one = stage_ok(d, 1, separate_files(1));
  auto two = stage_ok(d, 2, separate_files(2, 0640));
  ASSERT_TRUE(d.switch_to(one));
  ASSERT_TRUE(d.switch_to(two));
  EXPECT_EQ(link_of(meta("live")), two.name);
  for (const auto& f : separate_files(2)) EXPECT_EQ(read_file(at(f.name)), f.data) << f.name;
  // The key as the service opens it has the set's mode.
  EXPECT_EQ(file_mode(at("privkey.pem")), 0640);
  // And back (a rollback).
  ASSERT_TRUE(d.switch_to(one));
  for (const auto& f : separate_files(1)) EXPECT_EQ(read_file(at(f.name)), f.data) << f.name;
  EXPECT_EQ(d.state().live->name, one.name);
  // No temporary link is left behind.
  EXPECT_EQ(entries(meta()), (std::vector<std::string>{one.name, two.name, "live", "lock"}));
  EXPECT_EQ(entries(spec.dir),
            (std::vector<std::string>{".certkeeper", "cert.pem", "chain.pem", "fullchain.pem", "privkey.pem"}));
}

TEST_F(TargetDirTest, SwitchWithCombinedLayoutLinksOnlyCombinedPem) {
  spec.layout = Layout::combined;
  auto d = open_ok();
  auto set = stage_ok(d, 4, {{"combined.pem", pem("key", 4) + pem("leaf", 4), 0600, true}});
  ASSERT_TRUE(d.switch_to(set));
  EXPECT_EQ(entries(spec.dir), (std::vector<std::string>{".certkeeper", "combined.pem"}));
  EXPECT_EQ(link_of(at("combined.pem")), ".certkeeper/live/combined.pem");
  EXPECT_EQ(read_file(at("combined.pem")), pem("key", 4) + pem("leaf", 4));
}

TEST_F(TargetDirTest, SwitchToNothingRemovesLiveAndTheLinks) {
  auto d = open_ok();
  auto set = stage_ok(d, 1, separate_files(1));
  ASSERT_TRUE(d.switch_to(set));
  ASSERT_TRUE(d.switch_to(std::nullopt));
  EXPECT_FALSE(d.state().live);
  EXPECT_FALSE(exists_no_follow(meta("live")));
  EXPECT_EQ(entries(spec.dir), (std::vector<std::string>{".certkeeper"}));
  // The set itself stays for a later install.
  EXPECT_TRUE(fs::is_directory(meta(set.name)));
  auto state = inspect(spec);
  ASSERT_TRUE(state) << state.error().what();
  EXPECT_FALSE(state->live);
  EXPECT_EQ(set_names(state->sets), (std::vector<std::string>{set.name}));
  // Switching to nothing twice is harmless.
  EXPECT_TRUE(d.switch_to(std::nullopt));
}

// ---- adopt_existing() ----

TEST_F(TargetDirTest, AdoptionKeepsTheOperatorsBytesAndModes) {
  make_dir();
  const std::string cert = "operator cert\n", chain = "operator chain\n", full = "operator full\n";
  const std::string key = "operator key, no final newline";
  write_file(at("cert.pem"), cert);
  write_file(at("chain.pem"), chain);
  write_file(at("fullchain.pem"), full);
  write_file(at("privkey.pem"), key);
  ASSERT_EQ(::chmod(at("cert.pem").c_str(), 0644), 0);
  ASSERT_EQ(::chmod(at("chain.pem").c_str(), 0444), 0);
  ASSERT_EQ(::chmod(at("fullchain.pem").c_str(), 0640), 0);
  ASSERT_EQ(::chmod(at("privkey.pem").c_str(), 0600), 0);

  auto d = open_ok();
  EXPECT_EQ(d.state().adoptable, (std::vector<std::string>{"cert.pem", "chain.pem", "fullchain.pem", "privkey.pem"}));
  auto adopted = d.adopt_existing();
  ASSERT_TRUE(adopted) << adopted.error().what();
  ASSERT_TRUE(*adopted);
  const SetName set = **adopted;
  EXPECT_EQ(set.version, 0);
  EXPECT_EQ(set.name, std::to_string(set.number) + "-v0");
  ASSERT_TRUE(d.state().live);
  EXPECT_EQ(d.state().live->name, set.name);
  EXPECT_EQ(link_of(meta("live")), set.name);
  EXPECT_TRUE(d.state().adoptable.empty());

  const std::pair<const char*, std::pair<std::string, int>> expect[] = {
      {"cert.pem", {cert, 0644}}, {"chain.pem", {chain, 0444}}, {"fullchain.pem", {full, 0640}},
      {"privkey.pem", {key, 0600}}};
  for (const auto& [name, content] : expect) {
    const std::string copy = meta(set.name + "/" + name);
    EXPECT_EQ(read_file(copy), content.first) << name;
    EXPECT_EQ(file_mode(copy), content.second) << name;
    EXPECT_TRUE(is_symlink(at(name))) << name;
    EXPECT_EQ(link_of(at(name)), std::string(".certkeeper/live/") + name);
    EXPECT_EQ(read_file(at(name)), content.first) << name << " reads differently after adoption";
  }

  // A failed install switches back to what the service had.
  auto next = stage_ok(d, 1, separate_files(1));
  ASSERT_TRUE(d.switch_to(next));
  EXPECT_EQ(read_file(at("privkey.pem")), pem("key", 1));
  ASSERT_TRUE(d.switch_to(set));
  for (const auto& [name, content] : expect) EXPECT_EQ(read_file(at(name)), content.first) << name;
}

TEST_F(TargetDirTest, AdoptionOfSomeFilesCopiesThoseFound) {
  make_dir();
  write_file(at("cert.pem"), "only cert\n");
  write_file(at("privkey.pem"), "only key\n");
  ASSERT_EQ(::chmod(at("privkey.pem").c_str(), 0600), 0);
  auto d = open_ok();
  EXPECT_EQ(d.state().adoptable, (std::vector<std::string>{"cert.pem", "privkey.pem"}));
  auto adopted = d.adopt_existing();
  ASSERT_TRUE(adopted) << adopted.error().what();
  ASSERT_TRUE(*adopted);
  EXPECT_EQ(entries(meta((*adopted)->name)), (std::vector<std::string>{"cert.pem", "privkey.pem"}));
  EXPECT_EQ(read_file(at("cert.pem")), "only cert\n");
  EXPECT_EQ(read_file(at("privkey.pem")), "only key\n");
  EXPECT_FALSE(is_regular(at("chain.pem"))) << "adoption invented a chain.pem";
  // The directory is now consistent for the next run.
  auto state = inspect(spec);
  ASSERT_TRUE(state) << state.error().what();
  EXPECT_EQ(state->live->name, (*adopted)->name);
}

TEST_F(TargetDirTest, AdoptionWithNothingToAdoptReturnsNullopt) {
  auto d = open_ok();
  auto none = d.adopt_existing();
  ASSERT_TRUE(none) << none.error().what();
  EXPECT_FALSE(*none);
  EXPECT_TRUE(d.state().sets.empty());
  EXPECT_EQ(entries(meta()), (std::vector<std::string>{"lock"}));
  EXPECT_EQ(entries(spec.dir), (std::vector<std::string>{".certkeeper"}));
}

TEST_F(TargetDirTest, AdoptionAfterAnInstallDoesNothing) {
  {
    auto d = open_ok();
    ASSERT_TRUE(d.switch_to(stage_ok(d, 1, separate_files(1))));
  }
  auto d = open_ok();
  auto none = d.adopt_existing();
  ASSERT_TRUE(none) << none.error().what();
  EXPECT_FALSE(*none);
  EXPECT_EQ(d.state().sets.size(), 1u);
}

// A service running as its own user could read its key before adoption; it
// must still be able to after (the header: "the content seen stays the same").
TEST_F(TargetDirTest, AdoptionKeepsTheOriginalOwner) {
  if (!root()) GTEST_SKIP() << "giving files to another user needs root";
  make_dir();
  write_file(at("privkey.pem"), "service key\n");
  ASSERT_EQ(::chmod(at("privkey.pem").c_str(), 0600), 0);
  ASSERT_EQ(::chown(at("privkey.pem").c_str(), kNobody, kNogroup), 0);
  auto d = open_ok();
  auto adopted = d.adopt_existing();
  ASSERT_TRUE(adopted && *adopted);
  struct stat st {};
  ASSERT_EQ(::stat(at("privkey.pem").c_str(), &st), 0);
  EXPECT_EQ(st.st_uid, kNobody);
  EXPECT_EQ(st.st_gid, kNogroup);
}

// ---- remove_temporaries() ----

TEST_F(TargetDirTest, LeftoversOfAnInterruptedRunAreListedAndRemoved) {
  {
    auto d = open_ok();
    ASSERT_TRUE(d.switch_to(stage_ok(d, 1, separate_files(1))));
  }
  ASSERT_EQ(::mkdir(meta("tmp-3-v2").c_str(), 0700), 0);
  write_file(meta("tmp-3-v2/privkey.pem"), "half a key");
  write_file(at(".certkeeper-tmp-cert.pem"), "half a link");
  ASSERT_EQ(::symlink("1-v1", meta("tmp-live").c_str()), 0);

  auto d = open_ok();
  std::set<std::string> listed(d.state().temporaries.begin(), d.state().temporaries.end());
  const std::set<std::string> expected{meta("tmp-3-v2"), at(".certkeeper-tmp-cert.pem"), meta("tmp-live")};
  EXPECT_EQ(listed, expected);
  // Leftovers are not sets.
  EXPECT_EQ(set_names(d.state().sets), (std::vector<std::string>{"1-v1"}));

  auto removed = d.remove_temporaries();
  ASSERT_TRUE(removed) << removed.error().what();
  EXPECT_EQ(std::set<std::string>(removed->begin(), removed->end()), expected);
  EXPECT_TRUE(d.state().temporaries.empty());
  EXPECT_FALSE(exists_no_follow(meta("tmp-3-v2")));
  EXPECT_FALSE(exists_no_follow(at(".certkeeper-tmp-cert.pem")));
  EXPECT_FALSE(exists_no_follow(meta("tmp-live")));
  // The set and live are untouched.
  EXPECT_EQ(entries(meta()), (std::vector<std::string>{"1-v1", "live", "lock"}));
  EXPECT_EQ(link_of(meta("live")), "1-v1");
  EXPECT_EQ(read_file(at("cert.pem")), pem("leaf", 1));
  // Nothing more to remove the second time.
  auto again = d.remove_temporaries();
  ASSERT_TRUE(again);
  EXPECT_TRUE(again->empty());
}

TEST_F(TargetDirTest, RemovingATemporaryLinkDoesNotFollowIt) {
  make_dir();
  TempDir precious;
  write_file(precious.file("keep"), "keep me");
  ASSERT_EQ(::symlink(precious.path().c_str(), at(".certkeeper-tmp-chain.pem").c_str()), 0);
  auto d = open_ok();
  ASSERT_EQ(d.state().temporaries.size(), 1u);
  auto removed = d.remove_temporaries();
  ASSERT_TRUE(removed) << removed.error().what();
  EXPECT_FALSE(exists_no_follow(at(".certkeeper-tmp-chain.pem")));
  EXPECT_EQ(read_file(precious.file("keep")), "keep me");
}

// ---- prune() ----

TEST_F(TargetDirTest, PruneKeepsTheNewestAndTheLiveOne) {
  auto d = open_ok();
  std::vector<SetName> sets;
  for (int v = 1; v <= 7; ++v) sets.push_back(stage_ok(d, v, cert_only(v)));
  ASSERT_TRUE(d.switch_to(sets[1]));  // 2-v2, an old one, is live
  auto removed = d.prune(3);
  ASSERT_TRUE(removed) << removed.error().what();
  EXPECT_EQ(std::set<std::string>(removed->begin(), removed->end()),
            (std::set<std::string>{"1-v1", "3-v3", "4-v4"}));
  EXPECT_EQ(set_names(d.state().sets), (std::vector<std::string>{"2-v2", "5-v5", "6-v6", "7-v7"}));
  EXPECT_EQ(entries(meta()), (std::vector<std::string>{"2-v2", "5-v5", "6-v6", "7-v7", "live", "lock"}));
  EXPECT_EQ(read_file(at("cert.pem")), pem("leaf", 2));
  auto state = inspect(spec);
  ASSERT_TRUE(state) << state.error().what();
  EXPECT_EQ(set_names(state->sets), (std::vector<std::string>{"2-v2", "5-v5", "6-v6", "7-v7"}));
  // Nothing more to prune.
  auto again = d.prune(3);
  ASSERT_TRUE(again);
  EXPECT_TRUE(again->empty());
}

TEST_F(TargetDirTest, PruneWithTheNewestLiveKeepsExactlyRetain) {
  auto d = open_ok();
  std::vector<SetName> sets;
  for (int v = 1; v <= 5; ++v) sets.push_back(stage_ok(d, v, cert_only(v)));
  ASSERT_TRUE(d.switch_to(sets.back()));
  auto removed = d.prune(2);
  ASSERT_TRUE(removed) << removed.error().what();
  EXPECT_EQ(std::set<std::string>(removed->begin(), removed->end()), (std::set<std::string>{"1-v1", "2-v2", "3-v3"}));
  EXPECT_EQ(entries(meta()), (std::vector<std::string>{"4-v4", "5-v5", "live", "lock"}));
}

TEST_F(TargetDirTest, PruneToZeroStillKeepsLive) {
  auto d = open_ok();
  auto a = stage_ok(d, 1, cert_only(1));
  stage_ok(d, 2, cert_only(2));
  ASSERT_TRUE(d.switch_to(a));
  auto removed = d.prune(0);
  ASSERT_TRUE(removed) << removed.error().what();
  EXPECT_EQ(*removed, (std::vector<std::string>{"2-v2"}));
  EXPECT_EQ(entries(meta()), (std::vector<std::string>{"1-v1", "live", "lock"}));
  EXPECT_EQ(read_file(at("cert.pem")), pem("leaf", 1));
}

// kill -9 during adoption: live already points at the adopted copy, one
// file is a link, another is still the operator's regular file. The next
// open takes it as a link still to be made, not as a foreign file.
TEST_F(TargetDirTest, AKillDuringAdoptionIsFinishedByTheNextInstall) {
  make_dir();
  write_file(at("fullchain.pem"), "OLD CHAIN");
  write_file(at("privkey.pem"), "OLD KEY");
  ASSERT_EQ(::mkdir(meta().c_str(), 0755), 0);
  ASSERT_EQ(::mkdir(meta("1-v0").c_str(), 0755), 0);
  write_file(meta("1-v0/fullchain.pem"), "OLD CHAIN");
  write_file(meta("1-v0/privkey.pem"), "OLD KEY");
  std::filesystem::create_symlink("1-v0", meta("live"));
  std::filesystem::remove(at("fullchain.pem"));
  std::filesystem::create_symlink(".certkeeper/live/fullchain.pem", at("fullchain.pem"));
  auto dir = TargetDir::open(spec);
  ASSERT_TRUE(dir) << dir.error().what();
  auto set = dir->stage(1, {{"cert.pem", "C", 0644, false},
                            {"chain.pem", "I", 0644, false},
                            {"fullchain.pem", "CI", 0644, false},
                            {"privkey.pem", "K", 0600, true}});
  ASSERT_TRUE(set);
  ASSERT_TRUE(dir->switch_to(*set)) << "the regular privkey.pem equal to the live copy becomes a link";
  EXPECT_EQ(read_file(at("privkey.pem")), "K");
  EXPECT_TRUE(std::filesystem::is_symlink(at("privkey.pem")));
}

// A regular file that differs from the live set's copy was put there by
// someone else: refused, and left alone.
TEST_F(TargetDirTest, ARegularFileBesideALiveSetIsRefusedAndKept) {
  make_dir();
  {
    auto dir = TargetDir::open(spec);
    ASSERT_TRUE(dir);
    auto set = dir->stage(1, {{"cert.pem", "C", 0644, false},
                              {"chain.pem", "I", 0644, false},
                              {"fullchain.pem", "CI", 0644, false},
                              {"privkey.pem", "K", 0600, true}});
    ASSERT_TRUE(set);
    ASSERT_TRUE(dir->switch_to(*set));
  }
  std::filesystem::remove(at("cert.pem"));
  write_file(at("cert.pem"), "HAND-MADE");
  auto refused = TargetDir::open(spec);
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().code, Errc::rejected);
  EXPECT_EQ(read_file(at("cert.pem")), "HAND-MADE");
}

// Going back to "nothing installed" removes certkeeper's links only.
TEST_F(TargetDirTest, SwitchingToNothingKeepsFilesThatAreNotLinks) {
  make_dir();
  write_file(at("cert.pem"), "OPERATOR");
  auto dir = TargetDir::open(spec);
  ASSERT_TRUE(dir);
  ASSERT_TRUE(dir->switch_to(std::nullopt));
  EXPECT_EQ(read_file(at("cert.pem")), "OPERATOR");
}

}  // namespace
}  // namespace certkeeper::deploy
