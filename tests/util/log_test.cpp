// Log lines quote certificate fields and CA messages: each is one printable
// line on stderr whatever it holds (util/text.h).
#include "certkeeper/util/log.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdio>

#include "support/temp_dir.h"

namespace certkeeper {
namespace {

using namespace std::string_literals;

// What `body` writes to stderr (fd 2).
template <class Body>
std::string stderr_of(Body body) {
  testing::TempDir dir;
  const std::string path = dir.file("stderr");
  std::fflush(stderr);
  const int saved = ::dup(2);
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
  ::dup2(fd, 2);
  ::close(fd);
  body();
  std::fflush(stderr);
  ::dup2(saved, 2);
  ::close(saved);
  return testing::read_file(path);
}

TEST(Log, ALineIsOnePrintableLine) {
  log::set_level(log::Level::normal);
  const std::string seen = stderr_of([] { log::warn("web: CA said \x1B[2J\0hidden\nforged line \xFF"s); });
  EXPECT_EQ(seen, "web: CA said \\x1B[2J\\x00hidden\\x0Aforged line \\xFF\n");
  log::set_level(log::Level::verbose);
  EXPECT_EQ(stderr_of([] { log::debug("plain"); }), "plain\n");
  log::set_level(log::Level::normal);
}

}  // namespace
}  // namespace certkeeper
