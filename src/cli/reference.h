// Private to the CLI: the tables of the reference documentation that belong
// to the command line itself (exit codes, environment, files, the JSON
// documents of the commands, the longer description of each command), and
// the generator that prints them with the CLI11 definition and the other
// modules' tables (`certkeeper docs`, hidden: see cmd_docs.cpp).
#pragma once

#include <CLI/CLI.hpp>

#include <span>
#include <string>
#include <vector>

#include "certkeeper/util/doc_table.h"

namespace certkeeper::cli {

struct ExitCodeInfo {
  int code;
  const char* name;      // the Exit enumerator's meaning in one word, e.g. "usage"
  const char* meaning;   // when
};
// Every exit code, 0 to 6 (DESIGN.md "Command line").
std::span<const ExitCodeInfo> exit_codes();

struct NamedText {
  const char* name;
  const char* text;
};
// Environment variables certkeeper reads.
std::span<const NamedText> environment();
// Files certkeeper reads or writes.
std::span<const NamedText> files();
// A paragraph per command path ("import", "target add"), shown under its
// --help and in its manual page.
std::span<const NamedText> command_footers();
// Sets the footers above on the parsed tree.
void apply_footers(CLI::App& root);

// The JSON documents of the commands and the shapes they share
// (json_reference.cpp); report's are in report/catalogue.h.
std::span<const JsonDocument> cli_json_documents();
std::span<const JsonDocument> cli_json_shapes();

}  // namespace certkeeper::cli
