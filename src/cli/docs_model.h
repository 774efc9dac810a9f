// Private to the CLI: the command tree as the reference documentation
// describes it, read from the CLI11 definition that parses the arguments
// (so a flag documented is a flag accepted), and the JSON documents with
// their shared shapes expanded.
#pragma once

#include <CLI/CLI.hpp>

#include <string>
#include <vector>

namespace certkeeper::cli::docs {

struct OptionDoc {
  std::vector<std::string> flags;  // "-q", "--quiet"; empty for a positional
  std::string positional;          // "NAME" for a positional
  std::string metavar;             // "F", "DIR"; empty for a flag that takes no value
  std::string description;
  bool required = false;
  bool repeatable = false;
  bool value_optional = false;     // --jitter[=S], --email [ADDR]
  std::vector<std::string> choices;  // from an IsMember check
  std::string range;                 // "1..64" from a Range check
  std::string default_value;         // the value used when given without one
  std::vector<std::string> excludes;  // flags this one cannot be combined with
  std::vector<std::string> needs;     // flags this one needs

  std::string long_name() const;   // "--quiet", or the positional's name
  // How it reads in a synopsis: "--cert F", "[--key F]", "[--probe P]...".
  std::string synopsis() const;
  // The kinds of value, for completion: "file", "dir", "choice" or "" (none to offer).
  std::string value_kind() const;
  // The description as a sentence, then what the definition adds (required,
  // repeatable, excluded and needed options; with `values`, the choices and
  // range that the metavar does not show).
  std::string text(bool values) const;
};

struct CommandDoc {
  std::string path;  // "" for certkeeper itself, "import", "target add"
  std::string description;
  std::string footer;
  std::vector<OptionDoc> positionals;
  std::vector<OptionDoc> options;  // without --help
  std::vector<CommandDoc> subcommands;
  bool needs_subcommand = false;

  std::string synopsis() const;  // "certkeeper target add NAME --dir DIR [--layout L] ..."
  std::string man_name() const;  // "certkeeper-target-add"
};

// The tree below `app` (hidden subcommands, those of group "", left out).
CommandDoc describe(const CLI::App& app, const std::string& path = "");

// A JSON document (or a shape shared by several) as the tables of cli and
// report give it.
struct JsonMember {
  std::string path;     // dotted: "targets[].files[].mode", "settings.*"; "" = the shape's members at the top
  std::string meaning;
  std::string shape;    // the shape documenting its members, or ""
};
struct JsonDoc {
  std::string command;  // or the shape's name
  std::string when;
  std::vector<JsonMember> members;
};
std::vector<JsonDoc> json_documents();  // the commands' (cli) and the views' (report)
std::vector<JsonDoc> json_shapes();
// Every member path of the documents of `command`, shapes expanded
// ("certificates[].install.targets[].dir"); "failure" gives the failure
// document's, which any command may print instead.
std::vector<std::string> json_paths(const std::string& command);

}  // namespace certkeeper::cli::docs
