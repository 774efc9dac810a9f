#include "certkeeper/util/files.h"

#include <gtest/gtest.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <csignal>

#include <filesystem>

#include "support/temp_dir.h"

namespace certkeeper {
namespace {

using testing::TempDir;

TEST(ReadInputFile, ReadsARegularFile) {
  TempDir dir;
  testing::write_file(dir.file("a.pem"), "hello");
  auto data = read_input_file(dir.file("a.pem"));
  ASSERT_TRUE(data);
  EXPECT_EQ(*data, "hello");
}

TEST(ReadInputFile, RefusesWhatIsNotARegularFile) {
  TempDir dir;
  ASSERT_EQ(::mkfifo(dir.file("fifo").c_str(), 0600), 0);
  auto fifo = read_input_file(dir.file("fifo"));  // must not hang waiting for a writer
  ASSERT_FALSE(fifo);
  EXPECT_EQ(fifo.error().code, Errc::invalid_input);
  EXPECT_NE(fifo.error().message.find("FIFO"), std::string::npos);
  EXPECT_EQ(fifo.error().subject, dir.file("fifo"));

  auto directory = read_input_file(dir.path());
  ASSERT_FALSE(directory);
  EXPECT_NE(directory.error().message.find("directory"), std::string::npos);

  auto device = read_input_file("/dev/null");
  ASSERT_FALSE(device);
  EXPECT_NE(device.error().message.find("device"), std::string::npos);
}

TEST(ReadInputFile, RefusesMissingEmptyAndOversizedFiles) {
  TempDir dir;
  auto missing = read_input_file(dir.file("nope.pem"));
  ASSERT_FALSE(missing);
  EXPECT_NE(missing.error().message.find("not found"), std::string::npos);

  testing::write_file(dir.file("empty.pem"), "");
  auto empty = read_input_file(dir.file("empty.pem"));
  ASSERT_FALSE(empty);
  EXPECT_NE(empty.error().message.find("empty"), std::string::npos);

  testing::write_file(dir.file("big.pem"), std::string(kMaxInputFileBytes + 1, 'A'));
  auto big = read_input_file(dir.file("big.pem"));
  ASSERT_FALSE(big);
  EXPECT_NE(big.error().message.find("limit"), std::string::npos);
  EXPECT_EQ(big.error().message.find("AAAA"), std::string::npos) << "contents are never echoed";

  testing::write_file(dir.file("max.pem"), std::string(kMaxInputFileBytes, 'A'));
  EXPECT_TRUE(read_input_file(dir.file("max.pem")));
}

TEST(WriteFileAtomic, ReplacesWithModeAndLeavesNoTemp) {
  TempDir dir;
  std::string path = dir.file("out.txt");
  testing::write_file(path, "old");
  ASSERT_TRUE(write_file_atomic(path, "new contents", 0600));
  EXPECT_EQ(testing::read_file(path), "new contents");
  EXPECT_EQ(testing::file_mode(path), 0600);
  ASSERT_TRUE(write_file_atomic(path, "again", 0644));
  EXPECT_EQ(testing::file_mode(path), 0644);
  int entries = 0;
  for (auto& e : std::filesystem::directory_iterator(dir.path())) {
    (void)e;
    ++entries;
  }
  EXPECT_EQ(entries, 1);
}

TEST(WriteFileAtomic, FailureKeepsTheOldFileAndLeavesNoTemp) {
  // A full disk, simulated with RLIMIT_FSIZE in a child process.
  TempDir dir;
  std::string path = dir.file("out.txt");
  testing::write_file(path, "old");
  pid_t pid = ::fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    ::signal(SIGXFSZ, SIG_IGN);
    rlimit limit{1024, 1024};
    ::setrlimit(RLIMIT_FSIZE, &limit);
    auto w = write_file_atomic(path, std::string(64 * 1024, 'x'), 0600);
    ::_exit(!w && w.error().code == Errc::io && w.error().subject == path ? 0 : 1);
  }
  int status = 0;
  ::waitpid(pid, &status, 0);
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
  EXPECT_EQ(testing::read_file(path), "old");
  int entries = 0;
  for (auto& e : std::filesystem::directory_iterator(dir.path())) {
    (void)e;
    ++entries;
  }
  EXPECT_EQ(entries, 1) << "the temp file is removed";
}

TEST(WriteFileAtomic, MissingDirectoryNamesThePath) {
  TempDir dir;
  std::string path = dir.file("missing-dir/out.txt");
  auto w = write_file_atomic(path, "x", 0600);
  ASSERT_FALSE(w);
  EXPECT_EQ(w.error().code, Errc::io);
  EXPECT_EQ(w.error().subject, path);
}

TEST(MakeDirectories, CreatesParentsWithMode) {
  TempDir dir;
  ASSERT_TRUE(make_directories(dir.file("a/b/c"), 0700));
  EXPECT_EQ(testing::file_mode(dir.file("a/b/c")), 0700);
  EXPECT_TRUE(make_directories(dir.file("a/b/c"), 0700)) << "existing directories are fine";
}

}  // namespace
}  // namespace certkeeper

namespace certkeeper {
namespace {

using testing::TempDir;

std::vector<std::string> entries(const std::string& dir) {
  std::vector<std::string> out;
  for (const auto& e : std::filesystem::directory_iterator(dir)) out.push_back(e.path().filename().string());
  std::sort(out.begin(), out.end());
  return out;
}

TEST(WriteFilesAtomic, WritesTheSetWithTheirModes) {
  TempDir dir;
  auto done = write_files_atomic({{dir.file("cert.pem"), "cert", 0644}, {dir.file("privkey.pem"), "key", 0600}}, false);
  ASSERT_TRUE(done) << done.error().what();
  EXPECT_EQ(testing::read_file(dir.file("cert.pem")), "cert");
  EXPECT_EQ(testing::file_mode(dir.file("cert.pem")), 0644);
  EXPECT_EQ(testing::file_mode(dir.file("privkey.pem")), 0600);
  EXPECT_EQ(entries(dir.path()), (std::vector<std::string>{"cert.pem", "privkey.pem"}));
}

TEST(WriteFilesAtomic, NeverOverwritesWithoutReplace) {
  TempDir dir;
  testing::write_file(dir.file("b"), "old");
  auto done = write_files_atomic({{dir.file("a"), "new a", 0644}, {dir.file("b"), "new b", 0644}}, false);
  ASSERT_FALSE(done);
  EXPECT_EQ(done.error().code, Errc::conflict);
  EXPECT_EQ(done.error().subject, dir.file("b"));
  EXPECT_EQ(testing::read_file(dir.file("b")), "old");
  EXPECT_EQ(entries(dir.path()), std::vector<std::string>{"b"}) << "a was removed again, no temp file is left";

  auto replaced = write_files_atomic({{dir.file("a"), "new a", 0644}, {dir.file("b"), "new b", 0644}}, true);
  ASSERT_TRUE(replaced) << replaced.error().what();
  EXPECT_EQ(testing::read_file(dir.file("b")), "new b");
}

TEST(WriteFilesAtomic, AFailureWhileStagingLeavesNothing) {
  TempDir dir;
  testing::write_file(dir.file("a"), "old");
  auto done = write_files_atomic({{dir.file("a"), "new", 0644}, {dir.file("missing/b"), "b", 0644}}, true);
  ASSERT_FALSE(done);
  EXPECT_EQ(done.error().code, Errc::io);
  EXPECT_EQ(done.error().subject, dir.file("missing/b"));
  EXPECT_EQ(testing::read_file(dir.file("a")), "old") << "nothing was renamed before every file was staged";
  EXPECT_EQ(entries(dir.path()), std::vector<std::string>{"a"});
}

}  // namespace
}  // namespace certkeeper
