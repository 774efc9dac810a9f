// The one process runner: argv only (never a shell unless argv says
// "sh -c ..."), a bounded wait that kills the whole process group, and
// captured, capped output.
#pragma once

#include <chrono>
#include <map>
#include <string>
#include <vector>

#include "certkeeper/util/result.h"

namespace certkeeper {

struct ProcessSpec {
  std::vector<std::string> argv;              // argv[0] is looked up in PATH when it has no '/'
  // The file to run when it is not argv[0] (e.g. the path safe_path.h's
  // trusted_program found and checked); argv[0] stays what the program sees.
  std::string program;
  std::map<std::string, std::string> env;     // added to (or replacing in) the inherited environment
  std::chrono::milliseconds timeout{60'000};  // then SIGTERM to the group, SIGKILL 2 s later
  std::size_t max_output = 64 * 1024;         // bytes kept of stdout and of stderr each
  std::string stdin_data;                     // written to the child's stdin, then closed
};

struct ProcessResult {
  int exit_code = -1;       // the exit status, or 128 + signal
  int signal = 0;           // the signal that ended it, 0 when it exited
  bool timed_out = false;
  std::string out;          // capped at max_output
  std::string err;          // capped at max_output
  bool truncated = false;   // some output was dropped
};

// Runs the program and waits for it (and its process group) to finish or
// time out. Errc::io when it cannot be started (not found, not executable).
// A non-zero exit is not an error here: callers judge exit_code.
Result<ProcessResult> run_process(const ProcessSpec& spec);

}  // namespace certkeeper
