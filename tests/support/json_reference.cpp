#include "support/json_reference.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <map>
#include <mutex>
#include <set>

#include "support/run_binary.h"

namespace certkeeper::testing {
namespace {

void collect(const nlohmann::json& value, const std::string& path, std::set<std::string>& out) {
  if (value.is_object()) {
    for (const auto& [key, member] : value.items()) {
      std::string child = path.empty() ? key : path + "." + key;
      out.insert(child);
      collect(member, child, out);
    }
  } else if (value.is_array()) {
    for (const auto& item : value) {
      if (item.is_object() || item.is_array()) collect(item, path + "[]", out);
    }
  }
}

// "targets[].files[]" of "targets[].files[].mode" is documented as
// "targets[].files[]" or "targets[].files"; a parent "x.*" covers all below x.
bool covered(const std::string& path, const std::set<std::string>& documented) {
  if (documented.count(path)) return true;
  for (std::size_t dot = path.find('.'); dot != std::string::npos; dot = path.find('.', dot + 1)) {
    if (documented.count(path.substr(0, dot) + ".*")) return true;
  }
  return documented.count("*") > 0;
}

// The documented member paths of every command, from the binary under test.
std::set<std::string> failure;  // the members of the failure document, which any command may print

const std::map<std::string, std::set<std::string>>& catalogue() {
  static std::once_flag once;
  static std::map<std::string, std::set<std::string>> commands;
  std::call_once(once, [] {
    auto run = run_certkeeper({"docs", "--format", "json"});
    auto doc = nlohmann::json::parse(run.out, nullptr, false);
    if (run.exit_code != 0 || !doc.is_object()) {
      ADD_FAILURE() << "certkeeper docs --format json failed: " << run.err;
      return;
    }
    for (const auto& c : doc["commands"]) {
      auto& paths = commands[c["path"].get<std::string>()];
      for (const auto& p : c["json"]) paths.insert(p.get<std::string>());
    }
    failure.clear();
    for (const auto& p : doc["failure"]) failure.insert(p.get<std::string>());
  });
  return commands;
}

}  // namespace

std::string command_path(const std::vector<std::string>& args) {
  std::vector<std::string> words;
  for (std::size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
    if (a == "--db" || a == "--key-file" || a == "--node" || a == "--challenge-address") {  // global options with a value
      ++i;
      continue;
    }
    if (!a.empty() && a[0] == '-') continue;
    words.push_back(a);
    if (words.size() == 2) break;
  }
  if (words.empty()) return "";
  if (words.size() == 2 && (words[0] == "target" || words[0] == "watch" || words[0] == "db" ||
                               words[0] == "keys" || words[0] == "node")) {
    return words[0] + " " + words[1];
  }
  return words[0];
}

std::vector<std::string> json_member_paths(const std::string& json) {
  auto doc = nlohmann::json::parse(json, nullptr, false);
  std::set<std::string> paths;
  if (!doc.is_discarded()) collect(doc, "", paths);
  return {paths.begin(), paths.end()};
}

std::vector<std::string> undocumented_paths(const std::string& json, const std::vector<std::string>& documented) {
  std::set<std::string> known;
  for (const auto& path : documented) {
    known.insert(path);
    // "a[]" documents the array "a" as a member too.
    if (path.size() > 2 && path.compare(path.size() - 2, 2, "[]") == 0) known.insert(path.substr(0, path.size() - 2));
  }
  std::vector<std::string> out;
  for (const auto& p : json_member_paths(json)) {
    if (!covered(p, known)) out.push_back(p);
  }
  return out;
}

void expect_documented_json(const std::vector<std::string>& args, const std::string& out) {
  if (std::find(args.begin(), args.end(), "--json") == args.end()) return;
  const std::string command = command_path(args);
  if (command.empty() || command == "docs" || out.empty()) return;
  const auto& all = catalogue();
  if (all.empty()) return;  // reported once by catalogue()
  auto it = all.find(command);
  std::vector<std::string> documented(failure.begin(), failure.end());
  if (it != all.end()) documented.insert(documented.end(), it->second.begin(), it->second.end());
  for (const auto& path : undocumented_paths(out, documented)) {
    ADD_FAILURE() << "certkeeper " << command << " --json printed the member '" << path
                  << "', which the reference does not document: add it to src/cli/json_reference.cpp "
                     "(or src/report/catalogue.cpp for list/show/history/report) and regenerate docs/reference";
  }
}

}  // namespace certkeeper::testing
