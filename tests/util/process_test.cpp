#include "certkeeper/util/process.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <signal.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <fstream>
#include <string>
#include <thread>
#include <vector>

#include "support/temp_dir.h"

namespace certkeeper {
namespace {

using namespace std::chrono_literals;
using testing::TempDir;

ProcessSpec spec_of(std::vector<std::string> argv) {
  ProcessSpec spec;
  spec.argv = std::move(argv);
  spec.timeout = 10s;  // a bound for a broken test, never reached when things work
  return spec;
}

TEST(RunProcess, PassesArgumentsVerbatimWithoutAShell) {
  const std::string tricky = "a b 'c' \"d\" ; echo injected $HOME `id` | cat > x";
  auto r = run_process(spec_of({"/usr/bin/printf", "[%s]\\n", tricky, "", "*"}));
  ASSERT_TRUE(r) << r.error().what();
  EXPECT_EQ(r->exit_code, 0);
  EXPECT_EQ(r->out, "[" + tricky + "]\n[]\n[*]\n");
  EXPECT_EQ(r->err, "");
  EXPECT_FALSE(r->timed_out);
  EXPECT_FALSE(r->truncated);
}

TEST(RunProcess, LooksUpAProgramWithoutASlashInPath) {
  auto r = run_process(spec_of({"printf", "%s", "found"}));
  ASSERT_TRUE(r) << r.error().what();
  EXPECT_EQ(r->out, "found");
}

TEST(RunProcess, ReportsExitCodesAndStderr) {
  auto r = run_process(spec_of({"/bin/sh", "-c", "echo oops >&2; exit 7"}));
  ASSERT_TRUE(r) << r.error().what();
  EXPECT_EQ(r->exit_code, 7);
  EXPECT_EQ(r->err, "oops\n");
  EXPECT_EQ(r->out, "");

  auto f = run_process(spec_of({"/bin/false"}));
  ASSERT_TRUE(f);
  EXPECT_EQ(f->exit_code, 1);
}

TEST(RunProcess, ReportsDeathBySignalAs128PlusSignal) {
  auto r = run_process(spec_of({"/bin/sh", "-c", "kill -USR1 $$"}));
  ASSERT_TRUE(r) << r.error().what();
  EXPECT_EQ(r->exit_code, 128 + SIGUSR1);
  EXPECT_FALSE(r->timed_out);
}

TEST(RunProcess, FeedsStdinThenClosesIt) {
  auto spec = spec_of({"/bin/cat"});
  spec.stdin_data = "line one\nline two\n";
  auto r = run_process(spec);
  ASSERT_TRUE(r) << r.error().what();
  EXPECT_EQ(r->exit_code, 0);
  EXPECT_EQ(r->out, spec.stdin_data);
}

TEST(RunProcess, EmptyStdinIsEndOfFile) {
  auto r = run_process(spec_of({"/bin/cat"}));
  ASSERT_TRUE(r) << r.error().what();
  EXPECT_EQ(r->exit_code, 0);
  EXPECT_EQ(r->out, "");
}

TEST(RunProcess, SurvivesAChildThatIgnoresLargeStdin) {
  auto spec = spec_of({"/bin/true"});
  spec.stdin_data = std::string(4 * 1024 * 1024, 'x');  // far more than a pipe holds
  auto r = run_process(spec);
  ASSERT_TRUE(r) << r.error().what();  // no SIGPIPE killed us, no hang
  EXPECT_EQ(r->exit_code, 0);
}

TEST(RunProcess, AddsAndReplacesEnvironmentVariables) {
  ::setenv("CERTKEEPER_TEST_INHERITED", "from-parent", 1);
  ::setenv("CERTKEEPER_TEST_REPLACED", "old", 1);
  auto spec = spec_of({"/usr/bin/env"});
  spec.env = {{"CERTKEEPER_TEST_ADDED", "x y;z"}, {"CERTKEEPER_TEST_REPLACED", "new"}};
  auto r = run_process(spec);
  ::unsetenv("CERTKEEPER_TEST_INHERITED");
  ::unsetenv("CERTKEEPER_TEST_REPLACED");
  ASSERT_TRUE(r) << r.error().what();
  EXPECT_NE(r->out.find("\nCERTKEEPER_TEST_ADDED=x y;z\n"), std::string::npos) << r->out;
  EXPECT_NE(r->out.find("CERTKEEPER_TEST_INHERITED=from-parent\n"), std::string::npos);
  EXPECT_NE(r->out.find("CERTKEEPER_TEST_REPLACED=new\n"), std::string::npos);
  EXPECT_EQ(r->out.find("CERTKEEPER_TEST_REPLACED=old"), std::string::npos);
}

TEST(RunProcess, CapsOutputButKeepsDrainingIt) {
  // 1 MiB on each stream: without draining, the child would block on a full
  // pipe and never exit.
  auto spec = spec_of({"/bin/sh", "-c", "head -c 1048576 /dev/zero; head -c 1048576 /dev/zero >&2; exit 3"});
  spec.max_output = 1000;
  auto r = run_process(spec);
  ASSERT_TRUE(r) << r.error().what();
  EXPECT_EQ(r->exit_code, 3);
  EXPECT_FALSE(r->timed_out);
  EXPECT_TRUE(r->truncated);
  EXPECT_EQ(r->out.size(), 1000u);
  EXPECT_EQ(r->err.size(), 1000u);
}

TEST(RunProcess, OutputUnderTheCapIsNotTruncated) {
  auto spec = spec_of({"/usr/bin/printf", "12345"});
  spec.max_output = 5;
  auto r = run_process(spec);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->out, "12345");
  EXPECT_FALSE(r->truncated);
}

TEST(RunProcess, TimeoutKillsTheProgramQuickly) {
  auto spec = spec_of({"/bin/sleep", "30"});
  spec.timeout = 300ms;
  auto start = std::chrono::steady_clock::now();
  auto r = run_process(spec);
  auto took = std::chrono::steady_clock::now() - start;
  ASSERT_TRUE(r) << r.error().what();
  EXPECT_TRUE(r->timed_out);
  EXPECT_EQ(r->exit_code, 128 + SIGTERM);
  EXPECT_GE(took, 300ms);
  EXPECT_LT(took, 2s);
}

TEST(RunProcess, TimeoutKillsGrandchildrenToo) {
  TempDir dir;
  const std::string pidfile = dir.file("grandchild.pid");
  // The one test that asks for a shell: it makes a grandchild in the group.
  auto spec = spec_of({"/bin/sh", "-c", "sleep 30 & echo $! > \"$1\"; sleep 30", "sh", pidfile});
  spec.timeout = 300ms;
  auto start = std::chrono::steady_clock::now();
  auto r = run_process(spec);
  auto took = std::chrono::steady_clock::now() - start;
  ASSERT_TRUE(r) << r.error().what();
  EXPECT_TRUE(r->timed_out);
  EXPECT_LT(took, 2s);  // the background sleep held stdout: returning means it died

  pid_t grandchild = std::atoi(testing::read_file(pidfile).c_str());
  ASSERT_GT(grandchild, 0);
  // Reparented to init (or a subreaper), it may take a moment to be reaped.
  bool gone = false;
  for (int i = 0; i < 100 && !gone; ++i) {
    std::ifstream stat("/proc/" + std::to_string(grandchild) + "/stat");
    std::string line;
    gone = !stat || !std::getline(stat, line) || line.find(") Z ") != std::string::npos;
    if (!gone) std::this_thread::sleep_for(10ms);
  }
  EXPECT_TRUE(gone) << "grandchild " << grandchild << " still running";
}

TEST(RunProcess, EscalatesToSigkillWhenSigtermIsIgnored) {
  auto spec = spec_of({"/bin/sh", "-c", "trap '' TERM; while :; do sleep 0.05; done"});
  spec.timeout = 200ms;
  auto start = std::chrono::steady_clock::now();
  auto r = run_process(spec);
  auto took = std::chrono::steady_clock::now() - start;
  ASSERT_TRUE(r) << r.error().what();
  EXPECT_TRUE(r->timed_out);
  EXPECT_EQ(r->exit_code, 128 + SIGKILL);
  EXPECT_GE(took, 2s);
  EXPECT_LT(took, 4s);
}

TEST(RunProcess, AMissingProgramIsAnErrorNotExit127) {
  auto r = run_process(spec_of({"/nonexistent/certkeeper-no-such-program", "x"}));
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, Errc::io);
  EXPECT_EQ(r.error().subject, "/nonexistent/certkeeper-no-such-program");

  auto in_path = run_process(spec_of({"certkeeper-no-such-program-in-path"}));
  ASSERT_FALSE(in_path);
  EXPECT_EQ(in_path.error().code, Errc::io);
}

TEST(RunProcess, ANonExecutableFileIsAnError) {
  TempDir dir;
  testing::write_file(dir.file("script"), "#!/bin/sh\necho hi\n");  // mode 0644 or so: not executable
  ::chmod(dir.file("script").c_str(), 0644);
  auto r = run_process(spec_of({dir.file("script")}));
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, Errc::io);
}

TEST(RunProcess, TheChildInheritsNoOtherDescriptors) {
  TempDir dir;
  int opened = ::open(dir.file("open-in-parent").c_str(), O_CREAT | O_WRONLY, 0600);  // no O_CLOEXEC
  ASSERT_GE(opened, 0);
  int leaked = ::fcntl(opened, F_DUPFD, 100);  // a number ls will not use itself
  ::close(opened);
  ASSERT_GE(leaked, 100);
  auto r = run_process(spec_of({"/bin/ls", "/proc/self/fd"}));
  ::close(leaked);
  ASSERT_TRUE(r) << r.error().what();
  // 0, 1, 2 and the directory ls itself opens to list /proc/self/fd.
  EXPECT_EQ(r->out.find(std::to_string(leaked) + "\n"), std::string::npos) << r->out;
}

TEST(RunProcess, RunsInItsOwnProcessGroup) {
  // Field 5 of /proc/PID/stat is the process group.
  auto r = run_process(spec_of({"/bin/sh", "-c", "cut -d' ' -f5 /proc/$$/stat; echo $$"}));
  ASSERT_TRUE(r) << r.error().what();
  ASSERT_EQ(r->exit_code, 0);
  auto nl = r->out.find('\n');
  ASSERT_NE(nl, std::string::npos);
  EXPECT_EQ(std::atoi(r->out.substr(0, nl).c_str()), std::atoi(r->out.substr(nl + 1).c_str()));
  EXPECT_NE(std::atoi(r->out.substr(0, nl).c_str()), static_cast<int>(::getpgrp()));
}

TEST(RunProcess, TheChildGetsDefaultSignalHandlingWhateverOursIs) {
  // cpp-httplib, for one, sets SIGPIPE to SIG_IGN for the whole process.
  struct sigaction ignore {};
  struct sigaction old {};
  ignore.sa_handler = SIG_IGN;
  ::sigaction(SIGPIPE, &ignore, &old);
  auto r = run_process(spec_of({"/bin/grep", "-E", "^Sig(Ign|Blk):", "/proc/self/status"}));
  ::sigaction(SIGPIPE, &old, nullptr);
  ASSERT_TRUE(r) << r.error().what();
  // "SigBlk:\tHEX\nSigIgn:\tHEX\n" (glibc keeps two internal signals, 32 and 33, its own way).
  auto mask_of = [&](const std::string& key) {
    auto at = r->out.find(key + ":\t");
    return at == std::string::npos ? ~0ull : std::stoull(r->out.substr(at + key.size() + 2, 16), nullptr, 16);
  };
  const unsigned long long pipe_bit = 1ull << (SIGPIPE - 1);
  EXPECT_EQ(mask_of("SigIgn") & pipe_bit, 0u) << r->out;
  EXPECT_EQ(mask_of("SigBlk") & 0xffffffffull, 0u) << r->out;
}

TEST(RunProcess, RunsConcurrentlyFromSeveralThreads) {
  std::vector<std::thread> threads;
  std::vector<std::string> outputs(6);
  for (std::size_t i = 0; i < outputs.size(); ++i) {
    threads.emplace_back([&outputs, i] {
      auto spec = spec_of({"/bin/cat"});
      spec.stdin_data = std::string(100'000, static_cast<char>('a' + i));
      spec.max_output = 200'000;
      auto r = run_process(spec);
      outputs[i] = r ? r->out : "error: " + r.error().what();
    });
  }
  for (auto& t : threads) t.join();
  for (std::size_t i = 0; i < outputs.size(); ++i) {
    EXPECT_TRUE(outputs[i] == std::string(100'000, static_cast<char>('a' + i)))
        << i << ": " << outputs[i].size() << " bytes: " << outputs[i].substr(0, 80);
  }
}

TEST(RunProcess, RefusesAnEmptyArgv) {
  auto r = run_process(ProcessSpec{});
  ASSERT_FALSE(r);
}

}  // namespace
}  // namespace certkeeper
