// Runs an outside program for a test (promtool, Chromium): argv, no shell,
// in its own process group, stdin from a file, stdout and stderr captured
// through files, a bounded wait; the whole group is SIGKILLed when the wait
// runs out and again after the leader exits, so a browser's helper
// processes never outlive the test.
#pragma once

#include <sys/types.h>

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

// The full path of `name` (returned as it is when it holds a '/'), looked
// up in $PATH and then /usr/sbin and /sbin (nginx and named live there, which
// a normal user's PATH may lack). Throws, naming the Debian `package` that
// provides it, when it is nowhere.
std::string find_program(const std::string& name, const std::string& package);

// Whether the child `pid` has exited, without reaping it: while it is a
// zombie its pid (and process group id) cannot be reused, so signalling the
// group stays safe until it is reaped.
bool has_exited(pid_t pid);

// The last `max_bytes` of a log file ("..." before them when cut), for the
// messages of a fixture that failed to start.
std::string file_tail(const std::string& path, std::size_t max_bytes = 3000);

// Runs `argv` (argv[0] a full path) in `work_dir` (files out/err go there).
ProgramResult run_program(const std::vector<std::string>& argv, const std::string& work_dir,
                          const std::string& stdin_path = "/dev/null",
                          std::chrono::milliseconds timeout = std::chrono::seconds(60));

}  // namespace certkeeper::testing
