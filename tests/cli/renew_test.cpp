// renew and run as whole processes against Debian's pebble: the schedule
// that a pass stores, the hooks it fires, its locks, and the daemon's
// signals.
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <thread>

#include "cli/pebble_cli_fixture.h"

extern char** environ;

namespace certkeeper::testing {
namespace {

class RenewTest : public PebbleCliTest<> {
 protected:
  void add_web(const std::string& name = "web", const std::string& domain = "www.example.test") {
    auto r = ck({"add", name, "--domain", domain, "--challenge", "http-01", "--listen", http_listen()});
    ASSERT_EQ(r.exit_code, 0) << r.err;
  }

  // A hook that appends "ARGS|DAYS_LEFT|ERROR" lines to a file.
  std::string hook() {
    log_ = pki_.path("hook.log");
    std::string path = pki_.write("hook.sh", "#!/bin/sh\nprintf '%s %s|%s|%s\\n' \"$1\" \"$2\" "
                                             "\"$CERTKEEPER_DAYS_LEFT\" \"$CERTKEEPER_ERROR\" >> " + log_ + "\n");
    ::chmod(path.c_str(), 0755);
    return path;
  }

  nlohmann::json item(const ProcessResult& r, std::size_t i = 0) { return json(r)["certificates"][i]; }

  std::string log_;
};

TEST_F(RenewTest, APassIssuesWhatIsDueAndSchedulesTheNextCheck) {
  add_web();
  std::string dir = pki_.path("live-web");
  ASSERT_EQ(ck({"target", "add", "web", "--dir", dir}).exit_code, 0);
  auto before = db_snapshot();
  auto plan = ck({"--json", "renew", "--dry-run"});
  ASSERT_EQ(plan.exit_code, 0) << plan.err;
  EXPECT_EQ(item(plan)["decision"], "renew-now");
  EXPECT_NE(item(plan)["reason"].get<std::string>().find("never issued"), std::string::npos) << plan.out;
  EXPECT_EQ(db_snapshot(), before) << "a dry run changes nothing";

  auto r = ck({"--json", "renew"});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_TRUE(item(r)["renewed"]);
  EXPECT_EQ(item(r)["install"]["version"], 1);
  EXPECT_NE(read_file(dir + "/fullchain.pem").find("BEGIN CERTIFICATE"), std::string::npos);
  ASSERT_FALSE(json(r)["next_check"].is_null());

  // Nothing is due now: the next pass looks at nothing.
  auto again = ck({"--json", "renew"});
  ASSERT_EQ(again.exit_code, 0) << again.err;
  EXPECT_EQ(json(again)["certificates"].size(), 0u) << again.out;
  auto text = ck({"renew"});
  EXPECT_NE(text.out.find("nothing is due"), std::string::npos) << text.out;

  // Named, it is decided anyway: pebble's 5-year certificate waits for a
  // third of its lifetime.
  auto named = ck({"--json", "renew", "web", "--dry-run"});
  EXPECT_EQ(item(named)["decision"], "check-at");
  EXPECT_NE(item(named)["reason"].get<std::string>().find("third"), std::string::npos) << named.out;

  auto forced = ck({"--json", "renew", "web", "--force"});
  ASSERT_EQ(forced.exit_code, 0) << forced.err;
  EXPECT_EQ(item(forced)["version"], 2);
}

// Issue 12: a version stored while an older one is pinned ends the pin (here
// a forced renewal; the pinned version nearing expiry is
// tests/lifecycle/renew_pin_test.cpp), and the new version is installed.
TEST_F(RenewTest, ARenewalWhilePinnedEndsThePinAndInstallsTheNewVersion) {
  add_web();
  std::string dir = pki_.path("live-web");
  ASSERT_EQ(ck({"target", "add", "web", "--dir", dir}).exit_code, 0);
  ASSERT_EQ(ck({"renew"}).exit_code, 0);
  ASSERT_EQ(ck({"renew", "web", "--force"}).exit_code, 0);
  auto back = ck({"--json", "rollback", "web"});
  ASSERT_EQ(back.exit_code, 0) << back.err;
  EXPECT_EQ(json(back)["pinned_version"], 1);
  auto plan = ck({"--json", "renew", "web", "--dry-run"});
  EXPECT_NE(item(plan)["reason"].get<std::string>().find("pinned version 1: "), std::string::npos) << plan.out;

  auto r = ck({"--json", "renew", "web", "--force"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(item(r)["version"], 3);
  auto listed = json(ck({"--json", "list"}))["certificates"][0];
  EXPECT_EQ(listed["version"], 3);
  EXPECT_TRUE(listed["pinned_version"].is_null());
  EXPECT_EQ(listed["installed_version"], 3);
  auto events = json(ck({"--json", "history", "web"}))["events"];
  int ended = 0;
  for (const auto& e : events) {
    if (e["kind"] != "pin-ended") continue;
    ++ended;
    EXPECT_EQ(e["detail"]["pinned_version"], 1);
    EXPECT_EQ(e["detail"]["new_version"], 3);
    EXPECT_NE(e["detail"]["reason"].get<std::string>().find("(issued, by "), std::string::npos) << e.dump();
  }
  EXPECT_EQ(ended, 1) << events.dump();
}

TEST_F(RenewTest, AFailureFiresTheHookAndBacksOff) {
  // Nothing serves this webroot over http-01: validation fails at the CA.
  std::filesystem::create_directories(pki_.path("nowhere"));
  auto add = ck({"add", "broken", "--domain", "broken.example.test", "--challenge", "http-01", "--webroot",
                 pki_.path("nowhere")});
  ASSERT_EQ(add.exit_code, 0) << add.err;
  std::string prog = hook();
  auto r = ck({"--json", "renew", "--on-event", prog});
  EXPECT_EQ(r.exit_code, 4) << r.out << r.err;
  EXPECT_TRUE(item(r)["attempted"]);
  EXPECT_FALSE(item(r)["renewed"]);
  auto lines = read_file(log_);
  EXPECT_EQ(lines.rfind("renewal-failed broken|", 0), 0u) << lines;
  EXPECT_NE(lines.find("could not validate broken.example.test"), std::string::npos)
      << "the error is passed on: " << lines;

  // The next pass does not hammer the CA: the certificate backs off.
  auto next = ck({"--json", "renew", "broken", "--dry-run"});
  EXPECT_EQ(item(next)["decision"], "back-off") << next.out;
  auto due = ck({"--json", "renew"});
  EXPECT_EQ(json(due)["certificates"].size(), 0u) << "not due before the back-off ends: " << due.out;
}

TEST_F(RenewTest, AManualCertificateNearExpiryIsAnnounced) {
  ASSERT_EQ(ck({"init", "--external-url", "https://www.example.test/"}).exit_code, 0);
  CertOptions o;
  o.not_before = pki_.now() - 85 * kSecondsPerDay;
  o.not_after = pki_.now() + 5 * kSecondsPerDay;
  auto f = write_set(pki_.leaf(o));
  ASSERT_EQ(ck({"import", "mail", "--cert", f.cert, "--key", f.key, "--chain", f.chain}).exit_code, 0);
  std::string prog = hook();
  auto r = ck({"--json", "renew", "--on-event", prog});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_EQ(item(r)["source"], "manual");
  EXPECT_FALSE(item(r)["attempted"]) << "a manual certificate cannot renew itself";
  auto lines = read_file(log_);
  EXPECT_TRUE(lines.rfind("expires-soon mail|4|", 0) == 0 || lines.rfind("expires-soon mail|5|", 0) == 0) << lines;
  // Announced again a day later, not at every pass.
  auto quiet = ck({"--json", "renew", "--on-event", prog});
  EXPECT_EQ(json(quiet)["certificates"].size(), 0u);
  EXPECT_EQ(read_file(log_), lines);
}

TEST_F(RenewTest, TwoPassesNeverOverlap) {
  add_web();
  int fd = ::open((db() + ".renew.lock").c_str(), O_RDWR | O_CREAT, 0600);
  ASSERT_GE(fd, 0);
  ASSERT_EQ(::flock(fd, LOCK_EX), 0);
  auto r = ck({"renew"});
  EXPECT_EQ(r.exit_code, 1) << r.err;
  EXPECT_NE(r.err.find("another renew pass is running"), std::string::npos) << r.err;
  ::close(fd);
  EXPECT_EQ(ck({"renew"}).exit_code, 0);
}

// The daemon: a pass at start, SIGHUP for a pass now, SIGTERM to stop.
TEST_F(RenewTest, RunRenewsAtStartOnSighupAndStopsOnSigterm) {
  add_web();
  std::string log = pki_.path("run.log");
  std::string bin = certkeeper_binary();
  std::vector<std::string> args = {bin, "--db", db(), "run"};
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 2, log.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
  posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0);
  pid_t pid = -1;
  ASSERT_EQ(posix_spawn(&pid, bin.c_str(), &actions, nullptr, argv.data(), environ), 0);
  posix_spawn_file_actions_destroy(&actions);
  auto versions_of = [&](const std::string& name) {
    auto h = ck({"--json", "history", name});
    return h.exit_code == 0 ? json(h)["versions"].size() : 0u;
  };
  auto wait_for = [&](const std::function<bool()>& done) {
    for (int i = 0; i < 200; ++i) {
      if (done()) return true;
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    return false;
  };
  EXPECT_TRUE(wait_for([&] { return versions_of("web") == 1; })) << read_file(log);
  add_web("api", "api.example.test");
  ::kill(pid, SIGHUP);
  EXPECT_TRUE(wait_for([&] { return versions_of("api") == 1; })) << read_file(log);
  // Both passes talked to the CA, each in a child process: the daemon itself
  // never mapped the HTTP module or libcurl, and no pass process is left.
  const std::string maps = read_file("/proc/" + std::to_string(pid) + "/maps");
  ASSERT_FALSE(maps.empty());
  EXPECT_EQ(maps.find("certkeeper-curl.so"), std::string::npos) << maps;
  EXPECT_EQ(maps.find("libcurl"), std::string::npos) << maps;
  const std::string children = "/proc/" + std::to_string(pid) + "/task/" + std::to_string(pid) + "/children";
  ASSERT_TRUE(std::filesystem::exists(children));
  EXPECT_TRUE(wait_for([&] { return read_file(children).empty(); })) << "the pass processes were reaped";
  ::kill(pid, SIGTERM);
  int status = 0;
  bool exited = wait_for([&] { return ::waitpid(pid, &status, WNOHANG) == pid; });
  if (!exited) {
    ::kill(pid, SIGKILL);
    ::waitpid(pid, &status, 0);
  }
  EXPECT_TRUE(exited) << "SIGTERM stops the daemon";
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0)
      << "status " << status << ": " << read_file(log);
  auto text = read_file(log);
  EXPECT_NE(text.find("web: renew now: "), std::string::npos) << "one line per decision: " << text;
  EXPECT_NE(text.find("SIGHUP"), std::string::npos) << text;
  EXPECT_NE(text.find("scheduler stopped"), std::string::npos) << text;
}


TEST_F(RenewTest, JitterIsBoundedAndSkippedByADryRun) {
  EXPECT_EQ(ck({"renew", "--jitter=86401"}).exit_code, 2) << "at most a day";
  EXPECT_EQ(ck({"renew", "--jitter=-1"}).exit_code, 2);
  auto r = ck({"--json", "renew", "--jitter=0"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  auto dry = ck({"--json", "renew", "--jitter", "--dry-run"});  // would wait up to 300 s if not skipped
  EXPECT_EQ(dry.exit_code, 0) << dry.err;
}

}  // namespace
}  // namespace certkeeper::testing
