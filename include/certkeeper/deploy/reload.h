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

// Whether the command's program may be run: Errc::rejected when someone
// other than root or this user could change it or a directory above it
// (util/safe_path.h; the message names the path and the fix). A program
// that does not exist is not refused here (it may be installed later).
Status check_reload_program(const ReloadCommand& command);

// Runs one reload command, after check_reload_program (the path it checked
// is what runs). Errc::rejected when the program is refused, Errc::io when
// it cannot be started (with the program named); a non-zero exit or a
// timeout is a failed outcome, not an error.
Result<ReloadOutcome> run_reload(const ReloadCommand& command);

// "exited 1: nginx: [emerg] ..." / "timed out after 60 s" / "was killed by signal 9".
std::string describe_failure(const ReloadOutcome& outcome, const ReloadCommand& command);

}  // namespace certkeeper::deploy
