// A write that fails for lack of space (here: RLIMIT_FSIZE, which works
// without root) stops staging with an error naming the file, leaves no
// temporaries, and never touches the live set.
#include <signal.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>

#include <gtest/gtest.h>

#include "certkeeper/deploy/target_dir.h"
#include "support/temp_dir.h"

namespace certkeeper::deploy {
namespace {

using certkeeper::testing::read_file;
using certkeeper::testing::TempDir;

std::vector<FileSpec> files(char fill, std::size_t size) {
  std::vector<FileSpec> out;
  for (const auto& name : layout_files(Layout::separate)) out.push_back({name, std::string(size, fill), 0644, false});
  return out;
}

TEST(DiskFull, StagingStopsAtTheFileThatCannotBeWrittenAndTheLiveSetStays) {
  TempDir tmp;
  TargetSpec spec;
  spec.dir = tmp.file("target");
  {
    auto dir = TargetDir::open(spec);
    ASSERT_TRUE(dir) << dir.error().what();
    auto set = dir->stage(1, files('a', 100));
    ASSERT_TRUE(set);
    ASSERT_TRUE(dir->switch_to(*set));
  }
  std::string report = tmp.file("child-report");
  pid_t pid = ::fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    // The child: files may grow to 1000 bytes, and SIGXFSZ is ignored (as
    // certkeeper's main does), so write() fails with EFBIG.
    ::signal(SIGXFSZ, SIG_IGN);
    struct rlimit limit {1000, 1000};
    ::setrlimit(RLIMIT_FSIZE, &limit);
    auto dir = TargetDir::open(spec);
    if (!dir) ::_exit(2);
    auto set = dir->stage(2, files('b', 4000));
    if (set) ::_exit(3);
    std::string line = set.error().what();
    FILE* f = std::fopen(report.c_str(), "w");  // short: under the limit
    std::fputs(line.substr(0, 900).c_str(), f);
    std::fclose(f);
    ::_exit(set.error().code == Errc::io ? 0 : 4);
  }
  int status = 0;
  ASSERT_EQ(::waitpid(pid, &status, 0), pid);
  ASSERT_TRUE(WIFEXITED(status));
  ASSERT_EQ(WEXITSTATUS(status), 0) << "2: open failed, 3: staging succeeded, 4: wrong error code";
  std::string message = read_file(report);
  EXPECT_EQ(message.rfind(spec.dir + "/cert.pem: cannot write", 0), 0u) << message;
  EXPECT_NE(message.find("File too large"), std::string::npos) << message;
  // The live set is untouched, and nothing half-written is left.
  EXPECT_EQ(read_file(spec.dir + "/cert.pem"), std::string(100, 'a'));
  auto state = inspect(spec);
  ASSERT_TRUE(state);
  EXPECT_TRUE(state->temporaries.empty());
  ASSERT_EQ(state->sets.size(), 1u);
  EXPECT_EQ(state->live->version, 1);
}

}  // namespace
}  // namespace certkeeper::deploy
