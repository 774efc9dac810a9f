// Private to the CLI: the renderers of `certkeeper docs` (cmd_docs.cpp).
#pragma once

#include <string>
#include <vector>

#include "docs_model.h"

namespace certkeeper::cli::docs {

struct GeneratedFile {
  std::string name;  // relative to the output directory
  std::string content;
};

// docs/reference/*.md (docs_markdown.cpp).
std::vector<GeneratedFile> markdown_pages(const CommandDoc& root);
// certkeeper.8 and certkeeper-COMMAND.8 for each command (docs_man.cpp).
std::vector<GeneratedFile> man_pages(const CommandDoc& root, const std::string& version, const std::string& date);
// The bash completion script (docs_completion.cpp).
std::string bash_completion(const CommandDoc& root);
// What the tests hold the program to: every command path with its options
// and the JSON member paths it may print (docs_completion.cpp).
std::string catalogue_json(const CommandDoc& root);

}  // namespace certkeeper::cli::docs
