#include "docs_model.h"

#include <algorithm>
#include <map>
#include <set>

#include <fmt/format.h>

#include "certkeeper/report/catalogue.h"
#include "reference.h"

namespace certkeeper::cli::docs {
namespace {

std::vector<std::string> split(const std::string& text, char separator) {
  std::vector<std::string> out;
  std::size_t start = 0;
  while (start <= text.size()) {
    std::size_t end = text.find(separator, start);
    if (end == std::string::npos) end = text.size();
    out.push_back(text.substr(start, end - start));
    start = end + 1;
  }
  return out;
}

// CLI11's type name is the metavar, then ":" and each check's description:
// "F", "FORMAT:{a,b}", "N:INT in [1 - 64]", "N:POSITIVE". A metavar may hold
// a colon itself ("HOST:PORT"), so the split is where a check begins.
void read_type_name(const CLI::Option& o, OptionDoc& doc) {
  const std::string type = o.get_type_name();
  std::size_t check_at = std::string::npos;
  for (const char* start : {":{", ":INT in [", ":FLOAT in [", ":POSITIVE", ":NONNEGATIVE"}) {
    check_at = std::min(check_at, type.find(start));
  }
  doc.metavar = type.substr(0, check_at);
  // A metavar that lists the values ("separate|combined") is their choice.
  if (doc.metavar.find('|') != std::string::npos) doc.choices = split(doc.metavar, '|');
  if (check_at == std::string::npos) return;
  const std::string check = type.substr(check_at + 1);
  if (check.size() > 2 && check.front() == '{' && check.back() == '}') {
    doc.choices = split(check.substr(1, check.size() - 2), ',');
  } else if (auto open = check.find('['); open != std::string::npos) {
    std::string inside = check.substr(open + 1, check.find(']') - open - 1);  // "1 - 64"
    if (auto dash = inside.find(" - "); dash != std::string::npos) {
      doc.range = inside.substr(0, dash) + ".." + inside.substr(dash + 3);
    }
  } else if (check == "POSITIVE") {
    doc.range = "1..";
  }
}

std::vector<std::string> names_of(const std::set<CLI::Option*>& options) {
  std::vector<std::string> out;
  for (const CLI::Option* o : options) {
    OptionDoc d;
    for (const auto& l : o->get_lnames()) d.flags.push_back("--" + l);
    out.push_back(d.flags.empty() ? o->get_name() : d.flags.front());
  }
  std::sort(out.begin(), out.end());
  return out;
}

OptionDoc option_doc(const CLI::Option& o) {
  OptionDoc doc;
  for (const auto& s : o.get_snames()) doc.flags.push_back("-" + s);
  for (const auto& l : o.get_lnames()) doc.flags.push_back("--" + l);
  if (doc.flags.empty()) doc.positional = o.get_name(true);
  doc.description = o.get_description();
  doc.required = o.get_required();
  if (o.get_type_size_max() > 0) {
    read_type_name(o, doc);
    doc.repeatable = o.get_expected_max() > 1;
    doc.value_optional = o.get_expected_min() == 0;
    doc.default_value = o.get_default_str();
  }
  doc.excludes = names_of(o.get_excludes());
  doc.needs = names_of(o.get_needs());
  return doc;
}

}  // namespace

std::string OptionDoc::long_name() const { return flags.empty() ? positional : flags.back(); }

std::string OptionDoc::synopsis() const {
  std::string s = long_name();
  if (flags.empty()) {
    s = positional;
  } else if (!metavar.empty()) {
    s += value_optional ? (repeatable ? " [" + metavar + "]" : "[=" + metavar + "]") : " " + metavar;
  }
  if (!required) s = "[" + s + "]";
  if (repeatable) s += "...";
  return s;
}

std::string OptionDoc::value_kind() const {
  if (!choices.empty()) return "choice";
  if (metavar == "DIR") return "dir";
  if (metavar == "F" || metavar == "PATH" || metavar == "PROG") return "file";
  return "";
}

std::string OptionDoc::text(bool values) const {
  std::string t = description;
  if (!t.empty() && t.back() != '.') t += '.';
  if (required) t += " Required.";
  if (repeatable && t.find("repeat") == std::string::npos) t += " Repeatable.";
  if (values && !choices.empty() && metavar.find('|') == std::string::npos) {
    t += " One of: " + fmt::format("{}", fmt::join(choices, ", ")) + ".";
  }
  if (values && !range.empty()) t += " Range " + range + ".";
  if (!excludes.empty()) t += fmt::format(" Not with {}.", fmt::join(excludes, ", "));
  if (!needs.empty()) t += fmt::format(" Needs {}.", fmt::join(needs, ", "));
  return t;
}

std::string CommandDoc::synopsis() const {
  std::string s = path.empty() ? "certkeeper" : "certkeeper " + path;
  for (const auto& p : positionals) s += " " + p.synopsis();
  for (const auto& o : options) s += " " + o.synopsis();
  if (needs_subcommand) s += " COMMAND";
  return s;
}

std::string CommandDoc::man_name() const {
  std::string name = "certkeeper";
  if (!path.empty()) name += "-";
  for (char c : path) name += c == ' ' ? '-' : c;
  return name;
}

CommandDoc describe(const CLI::App& app, const std::string& path) {
  CommandDoc doc;
  doc.path = path;
  doc.description = app.get_description();
  doc.needs_subcommand = app.get_require_subcommand_min() > 0;
  for (const CLI::Option* o : app.get_options()) {
    if (o == app.get_help_ptr() || o->get_group().empty()) continue;
    (o->nonpositional() ? doc.options : doc.positionals).push_back(option_doc(*o));
  }
  for (const CLI::App* sub : app.get_subcommands([](const CLI::App* a) { return !a->get_group().empty(); })) {
    doc.subcommands.push_back(describe(*sub, path.empty() ? sub->get_name() : path + " " + sub->get_name()));
  }
  for (const auto& f : command_footers()) {
    if (path == f.name) doc.footer = f.text;
  }
  return doc;
}

namespace {

JsonDoc from_table(const JsonDocument& d) {
  JsonDoc doc{d.command, d.when, {}};
  for (const auto& f : d.fields) doc.members.push_back({f.path, f.meaning, f.shape ? f.shape : ""});
  return doc;
}

// The paths of `doc`'s members below `prefix`, shapes expanded.
void expand(const JsonDoc& doc, const std::string& prefix, const std::map<std::string, JsonDoc>& shapes, int depth,
            std::vector<std::string>& out) {
  for (const auto& m : doc.members) {
    std::string path = m.path.empty() ? prefix : (prefix.empty() ? m.path : prefix + "." + m.path);
    if (!m.path.empty()) out.push_back(path);
    if (m.shape.empty() || depth > 8) continue;
    if (auto it = shapes.find(m.shape); it != shapes.end()) expand(it->second, path, shapes, depth + 1, out);
  }
}

}  // namespace

std::vector<JsonDoc> json_documents() {
  std::vector<JsonDoc> out;
  for (const auto& d : cli_json_documents()) out.push_back(from_table(d));
  for (const auto& d : report::json_documents()) out.push_back(from_table(d));
  std::stable_sort(out.begin(), out.end(), [](const JsonDoc& a, const JsonDoc& b) { return a.command < b.command; });
  return out;
}

std::vector<JsonDoc> json_shapes() {
  std::vector<JsonDoc> out;
  for (const auto& d : cli_json_shapes()) out.push_back(from_table(d));
  for (const auto& d : report::json_shapes()) out.push_back(from_table(d));
  return out;
}

std::vector<std::string> json_paths(const std::string& command) {
  std::map<std::string, JsonDoc> shapes;
  for (auto& s : json_shapes()) shapes.emplace(s.command, s);
  std::vector<std::string> out;
  if (command == "failure") expand(shapes.at("failure"), "", shapes, 0, out);
  for (const auto& d : json_documents()) {
    if (d.command == command) expand(d, "", shapes, 0, out);
  }
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

}  // namespace certkeeper::cli::docs
