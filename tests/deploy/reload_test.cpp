// Reload commands run for real: argv, no shell unless argv asks for one, a
// bounded wait that kills the whole process group.
#include "certkeeper/deploy/reload.h"

#include <gtest/gtest.h>
#include <signal.h>
#include <sys/stat.h>

#include <cerrno>
#include <chrono>
#include <fstream>
#include <string>
#include <thread>
#include <vector>

#include "certkeeper/util/text.h"
#include "support/temp_dir.h"

namespace certkeeper::deploy {
namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;
using testing::TempDir;

ReloadCommand cmd(std::vector<std::string> argv, std::chrono::milliseconds timeout = 10'000ms) {
  ReloadCommand c;
  c.argv = std::move(argv);
  c.timeout = timeout;
  return c;
}

// Gone, or a zombie nobody reaped yet (it runs nothing any more).
bool process_gone(pid_t pid) {
  if (::kill(pid, 0) != 0 && errno == ESRCH) return true;
  std::ifstream stat("/proc/" + std::to_string(pid) + "/stat");
  std::string line;
  if (!std::getline(stat, line)) return true;
  auto paren = line.rfind(')');
  if (paren == std::string::npos || paren + 2 >= line.size()) return false;
  char state = line[paren + 2];
  return state == 'Z' || state == 'X';
}

TEST(ReloadRun, TrueSucceeds) {
  auto r = run_reload(cmd({"true"}));
  ASSERT_TRUE(r) << r.error().what();
  EXPECT_TRUE(r->ok);
  EXPECT_EQ(r->exit_code, 0);
  EXPECT_FALSE(r->timed_out);
  EXPECT_EQ(r->output, "");
}

TEST(ReloadRun, NonZeroExitIsAFailedOutcomeWithTheLastStderrLine) {
  auto r = run_reload(cmd({"sh", "-c", "echo boom >&2; exit 3"}));
  ASSERT_TRUE(r) << r.error().what();
  EXPECT_FALSE(r->ok);
  EXPECT_EQ(r->exit_code, 3);
  EXPECT_FALSE(r->timed_out);
  EXPECT_EQ(r->output, "boom");
}

TEST(ReloadRun, OutputIsTheLastNonEmptyLinePreferringStderr) {
  auto both = run_reload(cmd({"sh", "-c", "echo out; echo first >&2; echo '  last line  ' >&2; echo >&2; exit 1"}));
  ASSERT_TRUE(both) << both.error().what();
  EXPECT_EQ(both->output, "  last line");

  auto only_out = run_reload(cmd({"sh", "-c", "echo one; echo two; printf '\\n\\n'; exit 2"}));
  ASSERT_TRUE(only_out) << only_out.error().what();
  EXPECT_FALSE(only_out->ok);
  EXPECT_EQ(only_out->exit_code, 2);
  EXPECT_EQ(only_out->output, "two");
}

TEST(ReloadRun, OutputIsCutTo200Characters) {
  auto r = run_reload(cmd({"sh", "-c", "printf 'x%.0s' $(seq 1 1000) >&2; exit 1"}));
  ASSERT_TRUE(r) << r.error().what();
  EXPECT_LE(r->output.size(), 200u);
  EXPECT_GE(r->output.size(), 150u);
  EXPECT_EQ(r->output.substr(0, 100), std::string(100, 'x'));
}

TEST(ReloadRun, ArgumentsReachTheProgramUnexpanded) {
  TempDir tmp;
  const std::string out = tmp.file("args");
  // printf gets the words exactly: no shell in between.
  auto r = run_reload(cmd({"sh", "-c", "printf '%s|' \"$@\" > \"$0\"", out, "$HOME", "*", "a b"}));
  ASSERT_TRUE(r) << r.error().what();
  ASSERT_TRUE(r->ok) << r->output;
  EXPECT_EQ(testing::read_file(out), "$HOME|*|a b|");
}

TEST(ReloadRun, AMissingProgramIsAnIoErrorNamingIt) {
  for (const std::string program : {"certkeeper-no-such-reload-program", "/nonexistent/dir/reload-it"}) {
    auto r = run_reload(cmd({program, "reload"}));
    ASSERT_FALSE(r) << program << " ran";
    EXPECT_EQ(r.error().code, Errc::io) << program;
    EXPECT_NE(r.error().what().find(program), std::string::npos) << r.error().what();
  }
}

TEST(ReloadRun, ANonExecutableProgramIsAnIoErrorNamingIt) {
  TempDir tmp;
  const std::string script = tmp.file("reload.sh");
  testing::write_file(script, "#!/bin/sh\nexit 0\n");  // mode 0644 at most: not executable
  auto r = run_reload(cmd({script}));
  ASSERT_FALSE(r) << "ran a file without the execute bit";
  EXPECT_EQ(r.error().code, Errc::io);
  EXPECT_NE(r.error().what().find(script), std::string::npos) << r.error().what();
}

TEST(ReloadRun, TimeoutKillsTheCommandAndItsChildren) {
  TempDir tmp;
  const std::string pidfile = tmp.file("child.pid");
  auto start = Clock::now();
  auto r = run_reload(cmd({"sh", "-c", "sleep 30 & echo $! > \"$0\"; sleep 30", pidfile}, 300ms));
  auto took = Clock::now() - start;
  ASSERT_TRUE(r) << r.error().what();
  EXPECT_TRUE(r->timed_out);
  EXPECT_FALSE(r->ok);
  EXPECT_GE(took, 250ms);
  EXPECT_LT(took, 4s) << "the timeout was not enforced";

  std::string text = testing::read_file(pidfile);
  ASSERT_FALSE(text.empty()) << "the child did not write its pid";
  pid_t child = static_cast<pid_t>(std::stol(text));
  ASSERT_GT(child, 1);
  auto deadline = Clock::now() + 3s;
  while (!process_gone(child) && Clock::now() < deadline) std::this_thread::sleep_for(20ms);
  bool gone = process_gone(child);
  if (!gone) ::kill(child, SIGKILL);  // do not leave it behind
  EXPECT_TRUE(gone) << "the background child " << child << " of the timed-out command survived";
}

TEST(ReloadRun, ATimedOutCommandFailsEvenIfItExitsZeroOnSigterm) {
  auto r = run_reload(cmd({"sh", "-c", "trap 'exit 0' TERM; sleep 30 & wait"}, 200ms));
  ASSERT_TRUE(r) << r.error().what();
  EXPECT_TRUE(r->timed_out);
  EXPECT_FALSE(r->ok) << "exit code " << r->exit_code;
}

TEST(ReloadDescribe, ExitedWithTheOutput) {
  ReloadOutcome o;
  o.exit_code = 1;
  o.output = "nginx: [emerg] cannot load certificate";
  EXPECT_EQ(describe_failure(o, cmd({"nginx", "-s", "reload"})), "exited 1: nginx: [emerg] cannot load certificate");
  o.output = "";
  o.exit_code = 3;
  EXPECT_EQ(describe_failure(o, cmd({"x"})), "exited 3");
}

TEST(ReloadDescribe, TimedOutNamesTheTimeoutInSeconds) {
  ReloadOutcome o;
  o.timed_out = true;
  o.exit_code = 143;
  std::string text = describe_failure(o, cmd({"x"}, 60'000ms));
  EXPECT_EQ(text.rfind("timed out after 60 s", 0), 0u) << text;
  EXPECT_EQ(text.find("signal"), std::string::npos) << text;
}

TEST(ReloadDescribe, KilledBySignal) {
  ReloadOutcome o;
  o.exit_code = 128 + 9;
  o.signal = 9;
  EXPECT_EQ(describe_failure(o, cmd({"x"})), "was killed by signal 9");
}

TEST(ReloadDescribe, ARealRunDescribesItself) {
  auto r = run_reload(cmd({"sh", "-c", "echo boom >&2; exit 3"}));
  ASSERT_TRUE(r) << r.error().what();
  EXPECT_EQ(describe_failure(*r, cmd({"sh", "-c", "..."})), "exited 3: boom");

  auto killed = run_reload(cmd({"sh", "-c", "kill -9 $$"}));
  ASSERT_TRUE(killed) << killed.error().what();
  EXPECT_FALSE(killed->ok);
  EXPECT_FALSE(killed->timed_out);
  EXPECT_EQ(describe_failure(*killed, cmd({"sh"})), "was killed by signal 9");
}

// A program may exit with any status up to 255; only the runner knows
// whether a signal ended it. exit 200 is not "killed by signal 72".
TEST(ReloadDescribe, HighExitStatusIsNotASignal) {
  auto r = run_reload(cmd({"sh", "-c", "exit 200"}));
  ASSERT_TRUE(r) << r.error().what();
  EXPECT_EQ(describe_failure(*r, cmd({"sh"})), "exited 200");
}

TEST(ReloadCommandText, QuotesOnlyWhereNeeded) {
  EXPECT_EQ(command_text({"nginx", "-s", "reload"}), "nginx -s reload");
  EXPECT_EQ(command_text({"sh", "-c", "x y"}), "sh -c 'x y'");
  EXPECT_EQ(command_text({"echo", ""}), "echo ''");
  EXPECT_EQ(command_text({"echo", "$HOME"}), "echo '$HOME'");
}

TEST(ReloadCommandText, RoundTripsThroughSplitCommand) {
  const std::vector<std::vector<std::string>> cases = {
      {"nginx", "-s", "reload"},
      {"sh", "-c", "postfix reload && dovecot reload"},
      {"echo", "it's", "\"quoted\"", "back\\slash", "trailing\\"},
      {"echo", "", "a b", "tab\there", "new\nline"},
      {"echo", "$HOME", "*", "~", "`id`", "$(id)", "a;b", "c|d", "#x", "{a,b}", "[ab]"},
      {"/usr/sbin/service", "nginx", "reload"},
      {"'", "''", "\"", "\\", "\\'"},
  };
  for (const auto& argv : cases) {
    std::string text = command_text(argv);
    auto back = split_command(text);
    ASSERT_TRUE(back) << text << ": " << back.error().what();
    EXPECT_EQ(*back, argv) << text;
  }
}

// A reload program checked when the target was added can be changed later:
// run_reload checks it again right before it runs (util/safe_path.h).
TEST(ReloadRun, AProgramOthersCanWriteIsRefusedAndNotRun) {
  TempDir tmp;
  const std::string script = tmp.file("reload.sh");
  const std::string mark = tmp.file("ran");
  testing::write_file(script, "#!/bin/sh\ntouch '" + mark + "'\n");
  ASSERT_EQ(::chmod(script.c_str(), 0755), 0);
  EXPECT_TRUE(check_reload_program(cmd({script})));
  ASSERT_EQ(::chmod(script.c_str(), 0757), 0);
  auto checked = check_reload_program(cmd({script}));
  ASSERT_FALSE(checked);
  EXPECT_EQ(checked.error().code, Errc::rejected);
  auto r = run_reload(cmd({script}));
  ASSERT_FALSE(r) << "ran a program anyone may rewrite";
  EXPECT_EQ(r.error().code, Errc::rejected);
  EXPECT_NE(r.error().what().find(script), std::string::npos) << r.error().what();
  EXPECT_NE(r.error().what().find("chmod o-w"), std::string::npos) << r.error().what();
  EXPECT_EQ(testing::file_mode(mark), -1) << "the program ran";
}

// The last line of a program's output goes into messages and the audit
// log's JSON: cut on a character boundary and escaped.
TEST(ReloadRun, OutputIsOnePrintableLineOfUtf8) {
  std::string euros;
  for (int i = 0; i < 150; ++i) euros += "\xE2\x82\xAC";
  auto r = run_reload(cmd({"sh", "-c", "printf '\\033[2J%s\\377\\n' \"$0\" >&2; exit 1", euros}));
  ASSERT_TRUE(r) << r.error().what();
  EXPECT_FALSE(r->ok);
  EXPECT_TRUE(text::is_printable(r->output)) << r->output;
  EXPECT_EQ(r->output.rfind("\\x1B[2J\xE2\x82\xAC", 0), 0u) << r->output;
  EXPECT_LE(r->output.size(), 200u);
}

}  // namespace
}  // namespace certkeeper::deploy
