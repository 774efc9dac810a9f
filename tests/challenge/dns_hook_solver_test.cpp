#include <gtest/gtest.h>
#include <sys/stat.h>

#include "certkeeper/challenge/solver.h"
#include "certkeeper/util/clock.h"
#include "challenge/challenge_fixture.h"
#include "support/temp_dir.h"

namespace certkeeper::challenge {
namespace {

using namespace std::chrono_literals;
using certkeeper::testing::read_file;
using certkeeper::testing::TempDir;
using certkeeper::testing::write_file;
using testing::task_of;
using testing::token_of;

// A hook that logs each argument in brackets (so spaces and empty
// arguments would show) and the two environment variables.
class HookDir {
 public:
  explicit HookDir(const std::string& body = "") {
    hook_ = dir_.file("hook.sh");
    write_file(hook_, "#!/bin/sh\n"
                      "for a in \"$@\"; do printf '[%s]' \"$a\"; done >> '" + log() + "'\n"
                      "echo >> '" + log() + "'\n"
                      "echo \"$CERTKEEPER_DNS_FQDN $CERTKEEPER_DNS_VALUE\" >> '" + env_log() + "'\n" +
                      body);
    ::chmod(hook_.c_str(), 0755);
  }
  const std::string& hook() const { return hook_; }
  std::string log() const { return dir_.file("argv.log"); }
  std::string env_log() const { return dir_.file("env.log"); }
  const TempDir& dir() const { return dir_; }

 private:
  TempDir dir_;
  std::string hook_;
};

TEST(DnsHookSolver, RunsTheHookWithExactArgumentsAndEnvironment) {
  HookDir hook;
  FixedClock clock(1'700'000'000);
  auto solver = make_dns_hook_solver(hook.hook(), 0s, clock);
  EXPECT_EQ(solver->type(), "dns-01");
  Task task = task_of("dns-01", "www.example.test", token_of('a'));
  const std::string value = dns01_value(task.key_authorization);

  ASSERT_TRUE(solver->present(task));
  EXPECT_EQ(read_file(hook.log()), "[present][_acme-challenge.www.example.test.][" + value + "]\n");
  solver->cleanup(task);
  EXPECT_EQ(read_file(hook.log()), "[present][_acme-challenge.www.example.test.][" + value + "]\n"
                                   "[cleanup][_acme-challenge.www.example.test.][" + value + "]\n");
  EXPECT_EQ(read_file(hook.env_log()), "_acme-challenge.www.example.test. " + value + "\n"
                                       "_acme-challenge.www.example.test. " + value + "\n");
}

TEST(DnsHookSolver, LowerCasesTheName) {
  HookDir hook;
  FixedClock clock(0);
  auto solver = make_dns_hook_solver(hook.hook(), 0s, clock);
  Task task = task_of("dns-01", "WWW.Example.TEST", token_of('b'));
  ASSERT_TRUE(solver->present(task));
  EXPECT_NE(read_file(hook.log()).find("[_acme-challenge.www.example.test.]"), std::string::npos);
  solver->cleanup(task);
}

TEST(DnsHookSolver, AFailingHookGivesItsExitCodeAndFirstErrorLine) {
  HookDir hook("echo 'zone example.test not found' >&2\necho 'second line' >&2\nexit 3\n");
  FixedClock clock(0);
  auto solver = make_dns_hook_solver(hook.hook(), 0s, clock);
  Task task = task_of("dns-01", "www.example.test", token_of('c'));
  auto s = solver->present(task);
  ASSERT_FALSE(s);
  EXPECT_EQ(s.error().code, Errc::io);
  EXPECT_EQ(s.error().subject, hook.hook());
  EXPECT_NE(s.error().message.find("exit code 3"), std::string::npos) << s.error().message;
  EXPECT_NE(s.error().message.find("zone example.test not found"), std::string::npos) << s.error().message;
  EXPECT_EQ(s.error().message.find("second line"), std::string::npos) << s.error().message;
  EXPECT_EQ(s.error().message.find('\n'), std::string::npos);
  solver->cleanup(task);  // fails too: logged, not thrown
}

TEST(DnsHookSolver, CapsALongErrorLine) {
  HookDir hook("head -c 100000 /dev/zero | tr '\\0' x >&2\nexit 1\n");
  FixedClock clock(0);
  auto solver = make_dns_hook_solver(hook.hook(), 0s, clock);
  auto s = solver->present(task_of("dns-01", "www.example.test", token_of('d')));
  ASSERT_FALSE(s);
  EXPECT_LT(s.error().message.size(), 600u);
}

TEST(DnsHookSolver, KeepsAReasonWithItsAdviceWhole) {
  // contrib/dns/rfc2136-hook's lines name the server, the key file, what
  // went wrong and what to do: about 300 characters with a long path.
  const std::string reason = "rfc2136-hook: 127.0.0.1:53 rejected the TSIG key 'update' from " +
                             std::string(120, 'k') + ".key (BADSIG): copy the key from the server's configuration";
  HookDir hook("echo \"" + reason + "\" >&2\nexit 1\n");
  FixedClock clock(0);
  auto solver = make_dns_hook_solver(hook.hook(), 0s, clock);
  auto s = solver->present(task_of("dns-01", "www.example.test", token_of('g')));
  ASSERT_FALSE(s);
  EXPECT_NE(s.error().message.find(reason), std::string::npos) << s.error().message;
}

TEST(DnsHookSolver, AMissingHookIsAnErrorNamingIt) {
  TempDir dir;
  FixedClock clock(0);
  auto solver = make_dns_hook_solver(dir.file("no-such-hook"), 0s, clock);
  Task task = task_of("dns-01", "www.example.test", token_of('e'));
  auto s = solver->present(task);
  ASSERT_FALSE(s);
  EXPECT_EQ(s.error().code, Errc::io);
  EXPECT_EQ(s.error().subject, dir.file("no-such-hook"));
  solver->cleanup(task);
}

TEST(DnsHookSolver, RefusesNamesThatAreNotDnsNames) {
  HookDir hook;
  FixedClock clock(0);
  auto solver = make_dns_hook_solver(hook.hook(), 0s, clock);
  for (const char* name : {"", "*.example.test", "a b.test", "-rf.test", "../x", "x;reboot", "."}) {
    auto s = solver->present(task_of("dns-01", name, token_of('f')));
    ASSERT_FALSE(s) << name;
    EXPECT_EQ(s.error().code, Errc::invalid_input) << name;
  }
  EXPECT_EQ(read_file(hook.log()), "");  // the hook never ran
}

TEST(DnsHookSolver, ReadyWaitsThePropagationTimeOnTheClock) {
  HookDir hook;
  FixedClock clock(1'700'000'000);
  auto solver = make_dns_hook_solver(hook.hook(), 120s, clock);
  const auto before = clock.now_ms();
  ASSERT_TRUE(solver->ready());
  EXPECT_EQ(clock.now_ms() - before, 120'000);
}

// A hook someone else could change is refused right before it would run
// (util/safe_path.h), not only when `add` configured it.
TEST(DnsHookSolver, AHookOthersCanWriteIsRefusedAndNotRun) {
  HookDir hook;
  ASSERT_EQ(::chmod(hook.hook().c_str(), 0777), 0);
  FixedClock clock(1'700'000'000);
  auto solver = make_dns_hook_solver(hook.hook(), 0s, clock);
  auto r = solver->present(task_of("dns-01", "www.example.test", token_of('a')));
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, Errc::rejected);
  EXPECT_EQ(r.error().subject, hook.hook());
  EXPECT_NE(r.error().message.find("--dns-hook"), std::string::npos) << r.error().message;
  EXPECT_EQ(read_file(hook.log()), "") << "the hook ran";
}

}  // namespace
}  // namespace certkeeper::challenge
