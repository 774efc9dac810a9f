// Runs the real certkeeper binary as a whole process (argv, no shell) and
// captures what it printed: the CLI tests judge exit codes and messages.
#pragma once

#include <map>
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

}  // namespace certkeeper::testing
