// Private to the CLI: the input-file options shared by check and import.
#pragma once

#include <CLI/CLI.hpp>

#include "certkeeper/crypto/validation.h"

namespace certkeeper::cli {

struct SourceOptions {
  crypto::Sources sources;
  std::string ca_file;
};

// --cert F [--key F] [--chain F] | --p12 F [--password-file F],
// [--key-passphrase-file F] [--ca-file F]; exactly one of --cert and --p12,
// unless `instead` (an option that replaces the files, e.g. import's
// --from-certbot) was given, which then excludes them all.
void add_source_options(CLI::App& app, SourceOptions& options, CLI::Option* instead = nullptr);

// The one-line summary of a verdict: "accepted (1 warning)".
std::string verdict_summary(const crypto::Verdict& verdict);

}  // namespace certkeeper::cli
