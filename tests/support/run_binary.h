// Runs the real certkeeper binary as a whole process (argv, no shell) and
// captures what it printed: the CLI tests judge exit codes and messages.
#pragma once

#include <chrono>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace certkeeper::testing {

struct ProcessResult {
  int exit_code = -1;
  std::string out;
  std::string err;
};

// The binary under test: $CERTKEEPER_BIN (set by CTest).
std::string certkeeper_binary();

// Runs certkeeper with `args`; `env` entries are added to the environment.
ProcessResult run_certkeeper(const std::vector<std::string>& args,
                   const std::map<std::string, std::string>& env = {});

struct RunOptions {
  std::map<std::string, std::string> env;
  // Sends SIGKILL to the process this long after it started (if it is still
  // running): the crash-safety tests' random kill.
  std::optional<std::chrono::microseconds> kill_after;
};

// The same, with options. A process killed by a signal has exit_code
// 128 + signal and `signal` set.
struct KilledResult : ProcessResult {
  int signal = 0;
};
KilledResult run_certkeeper(const std::vector<std::string>& args, const RunOptions& options);

}  // namespace certkeeper::testing
