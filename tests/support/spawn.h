// A process launcher for the crash-safety tests: runs a program (argv, no
// shell), optionally SIGKILLs it at a precise moment after it started, or
// runs it under a file size limit (RLIMIT_FSIZE, with SIGXFSZ ignored so a
// write fails with EFBIG instead of killing the process). Captures stdout
// and stderr and says how the process ended. Every wait is bounded.
#pragma once

#include <sys/resource.h>

#include <sys/types.h>

#include <chrono>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace certkeeper::testing {

struct SpawnOptions {
  std::map<std::string, std::string> env;  // added to (or replacing in) this process's environment
  // SIGKILL this long after the fork, if the process still runs.
  std::optional<std::chrono::microseconds> kill_after;
  // RLIMIT_FSIZE for the child, in bytes; SIGXFSZ is then ignored in it.
  std::optional<rlim_t> file_size_limit;
  // A process still running after this is SIGKILLed and reported timed_out.
  std::chrono::milliseconds timeout{60'000};
  // Called in this process right after the fork, with the child's pid (for
  // tests that watch a process while it runs, e.g. tests/races/).
  std::function<void(pid_t)> on_start;
  // Called with each piece of stderr as it arrives (it is in
  // SpawnResult::err as well).
  std::function<void(const std::string&)> on_stderr;
};

struct SpawnResult {
  int exit_code = -1;              // the exit status, when the process exited
  int signal = 0;                  // the signal that ended it, when one did
  bool killed_on_purpose = false;  // kill_after fired while it still ran
  bool timed_out = false;
  std::chrono::microseconds elapsed{0};  // fork to exit
  std::string out;
  std::string err;

  bool exited(int code) const { return signal == 0 && exit_code == code; }
  // How it ended, for assertion messages.
  std::string describe() const;
};

SpawnResult spawn(const std::vector<std::string>& argv, const SpawnOptions& options = {});

// spawn() of $CERTKEEPER_BIN with `args`.
SpawnResult spawn_certkeeper(const std::vector<std::string>& args, const SpawnOptions& options = {});

}  // namespace certkeeper::testing
