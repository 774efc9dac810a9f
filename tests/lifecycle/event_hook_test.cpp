// The --on-event program (lifecycle/event_hook.h) run for real: refused when
// someone else could change it (util/safe_path.h), and given the error as
// one printable line whatever a CA or a certificate put into it.
#include "certkeeper/lifecycle/event_hook.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include "certkeeper/util/text.h"
#include "support/temp_dir.h"

namespace certkeeper::lifecycle {
namespace {

using namespace std::string_literals;
using testing::read_file;
using testing::TempDir;

class EventHookTest : public ::testing::Test {
 protected:
  EventHookTest() {
    testing::write_file(hook_, "#!/bin/sh\nprintf '%s|%s|%s' \"$1\" \"$2\" \"$CERTKEEPER_ERROR\" > '" + log_ + "'\n");
    ::chmod(hook_.c_str(), 0755);
  }
  static HookEvent event(std::string error) {
    HookEvent e;
    e.event = "renewal-failed";
    e.name = "web";
    e.now = 1'800'000'000;
    e.error = std::move(error);
    return e;
  }

  TempDir dir_;
  std::string hook_ = dir_.file("on-event");
  std::string log_ = dir_.file("log");
};

TEST_F(EventHookTest, TheErrorIsOnePrintableLine) {
  const std::string error = "CA said \x1B[2J\0no\nforged line \xFF"s;
  ASSERT_TRUE(run_event_hook(hook_, event(error)));
  EXPECT_EQ(read_file(log_), "renewal-failed|web|" + text::printable(error));
}

TEST_F(EventHookTest, AProgramOthersCanWriteIsRefusedAndNotRun) {
  EXPECT_TRUE(check_event_hook(hook_));
  ASSERT_EQ(::chmod(hook_.c_str(), 0757), 0);
  auto checked = check_event_hook(hook_);
  ASSERT_FALSE(checked);
  EXPECT_EQ(checked.error().code, Errc::rejected);
  EXPECT_EQ(checked.error().subject, hook_);
  EXPECT_NE(checked.error().message.find("--on-event"), std::string::npos) << checked.error().message;
  auto ran = run_event_hook(hook_, event("x"));
  ASSERT_FALSE(ran);
  EXPECT_EQ(ran.error().code, Errc::rejected);
  EXPECT_EQ(testing::file_mode(log_), -1) << "the program ran";
}

}  // namespace
}  // namespace certkeeper::lifecycle
