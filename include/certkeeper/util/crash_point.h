// The seam of the crash-safety tests: named steps where a run can be killed
// on purpose. When the environment variable CERTKEEPER_CRASH_AT equals the
// step's name, the process sends itself SIGKILL there, exactly as `kill -9`
// or a power cut would stop it. Without the variable this does nothing.
#pragma once

namespace certkeeper {

void crash_point(const char* step);

}  // namespace certkeeper
