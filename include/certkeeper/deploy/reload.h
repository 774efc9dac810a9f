// Running a target's reload commands: argv, no shell, bounded, output kept
// short for the one-line error and the audit log.
#pragma once

#include <string>

#include "certkeeper/deploy/target.h"
#include "certkeeper/util/result.h"

namespace certkeeper::deploy {

struct ReloadOutcome {
  bool ok = false;
  int exit_code = -1;
  bool timed_out = false;
  int signal = 0;  // the signal that ended it (0: it exited)
  std::string output;  // the last non-empty line of stderr (else stdout), at most 200 characters
};

// The command as the user wrote it, quoted where needed ("sh -c 'x y'").
std::string command_text(const std::vector<std::string>& argv);

// Runs one reload command. Errc::io when it cannot be started (with the
// program named); a non-zero exit or a timeout is a failed outcome, not an
// error.
Result<ReloadOutcome> run_reload(const ReloadCommand& command);

// "exited 1: nginx: [emerg] ..." / "timed out after 60 s" / "was killed by signal 9".
std::string describe_failure(const ReloadOutcome& outcome, const ReloadCommand& command);

}  // namespace certkeeper::deploy
