// Holds every JSON document the CLI tests see to the reference: each member
// certkeeper prints with --json must be documented by the tables that
// `certkeeper docs` prints (src/cli/json_reference.cpp, report/catalogue.h).
// run_certkeeper calls it after every run with --json, so the whole CLI
// suite (installs, rollbacks, renewals against pebble, failures) checks the
// documentation of what it sees.
#pragma once

#include <string>
#include <vector>

namespace certkeeper::testing {

// The command path the arguments run ("import", "target add"; "account" for
// every account subcommand, as documented), skipping global options.
std::string command_path(const std::vector<std::string>& args);

// The member paths of a JSON document, as the reference writes them:
// "a.b", "a[].b" (an array of objects). Empty when `json` is not JSON.
std::vector<std::string> json_member_paths(const std::string& json);

// The paths of `json` that `documented` (the catalogue's list for the
// command, "x.*" covering any member below x) does not cover.
std::vector<std::string> undocumented_paths(const std::string& json, const std::vector<std::string>& documented);

// For run_certkeeper: adds a test failure for each undocumented member of
// `out` when `args` asked for --json.
void expect_documented_json(const std::vector<std::string>& args, const std::string& out);

}  // namespace certkeeper::testing
