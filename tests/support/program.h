// Runs an outside program for a test (promtool, Chromium): argv, no shell,
// in its own process group, stdin from a file, stdout and stderr captured
// through files, a bounded wait; the whole group is SIGKILLed when the wait
// runs out and again after the leader exits, so a browser's helper
// processes never outlive the test.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <vector>

namespace certkeeper::testing {

struct ProgramResult {
  int exit_code = -1;  // -1 when killed by a signal or timed out
  bool timed_out = false;
  std::string out;
  std::string err;
};

// The full path of `name` in $PATH, or nullopt.
std::optional<std::string> which(const std::string& name);

// Runs `argv` (argv[0] a full path) in `work_dir` (files out/err go there).
ProgramResult run_program(const std::vector<std::string>& argv, const std::string& work_dir,
                          const std::string& stdin_path = "/dev/null",
                          std::chrono::milliseconds timeout = std::chrono::seconds(60));

}  // namespace certkeeper::testing
