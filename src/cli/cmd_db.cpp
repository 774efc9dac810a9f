// certkeeper db check: the inventory's backend, file, schema version, rows
// per table and key encryption, read without writing. certkeeper db copy:
// the whole inventory into a new database.
#include <fmt/format.h>

#include <algorithm>
#include <memory>

#include "app.h"
#include "certkeeper/lifecycle/db_check.h"
#include "certkeeper/lifecycle/db_copy.h"

namespace certkeeper::cli {
namespace {

std::string schema_state(const lifecycle::InventoryCheck& c) {
  if (c.schema_version == c.schema_latest) return "current";
  if (c.schema_version < c.schema_latest) {
    return fmt::format("older than this certkeeper's {}: the next writing command (e.g. certkeeper init) "
                       "upgrades it in place",
                       c.schema_latest);
  }
  return fmt::format("written by a newer certkeeper (this one knows up to {}): upgrade certkeeper", c.schema_latest);
}

std::string key_state(const lifecycle::InventoryCheck& c) {
  const std::string counts =
      fmt::format("{} plaintext, {} encrypted", c.keys_plaintext(), c.keys_encrypted());
  const std::string state = c.key_encryption();
  if (state == "none") return "none stored";
  if (state == "plaintext") return "not encrypted (" + counts + ")";
  if (state == "encrypted") return "encrypted (" + counts + ")";
  return "partly encrypted (" + counts + ")";
}

int print_check(const Globals& g, const lifecycle::InventoryCheck& c) {
  if (g.json) {
    nlohmann::json tables = nlohmann::json::array();
    for (const auto& t : c.tables) tables.push_back({{"name", t.name}, {"rows", t.rows}});
    nlohmann::json columns = nlohmann::json::array();
    for (const auto& k : c.key_columns) {
      columns.push_back(
          {{"table", k.table}, {"column", k.column}, {"plaintext", k.plaintext}, {"encrypted", k.encrypted}});
    }
    print_json({{"ok", true},
                {"backend", lifecycle::backend_name(c.backend)},
                {"database", c.path},
                {"schema_version", c.schema_version},
                {"schema_latest", c.schema_latest},
                {"tables", tables},
                {"private_keys",
                 {{"encryption", c.key_encryption()},
                  {"plaintext", c.keys_plaintext()},
                  {"encrypted", c.keys_encrypted()},
                  {"columns", columns}}}});
    return int(kOk);
  }
  std::size_t width = 0;
  for (const auto& t : c.tables) width = std::max(width, t.name.size());
  std::string text = fmt::format("inventory: {} ({})\nschema version: {} ({})\ntables:\n", c.path,
                                 lifecycle::backend_name(c.backend), c.schema_version, schema_state(c));
  for (const auto& t : c.tables) text += fmt::format("  {:<{}}  {}\n", t.name, width, t.rows);
  text += "private keys: " + key_state(c);
  out(g, text);
  return int(kOk);
}

int print_copy(const Globals& g, const lifecycle::CopyReport& r) {
  if (g.json) {
    nlohmann::json tables = nlohmann::json::array();
    for (const auto& t : r.tables) tables.push_back({{"name", t.name}, {"rows", t.rows}});
    print_json({{"ok", true},
                {"from", r.from},
                {"from_backend", lifecycle::backend_name(r.from_backend)},
                {"to", r.to},
                {"to_backend", lifecycle::backend_name(r.to_backend)},
                {"tables", tables},
                {"rows", r.rows()},
                {"keys_sealed", r.keys_sealed},
                {"elapsed_ms", r.elapsed_ms}});
    return int(kOk);
  }
  std::size_t width = 0;
  for (const auto& t : r.tables) width = std::max(width, t.name.size());
  std::string text = fmt::format("copied {} ({}) to {} ({}): {} rows in {} ms, verified\n", r.from,
                                 lifecycle::backend_name(r.from_backend), r.to, lifecycle::backend_name(r.to_backend),
                                 r.rows(), r.elapsed_ms);
  for (const auto& t : r.tables) text += fmt::format("  {:<{}}  {}\n", t.name, width, t.rows);
  text += r.keys_sealed > 0 ? fmt::format("private keys encrypted now: {}", r.keys_sealed)
                            : std::string("private keys copied as they were stored");
  out(g, text);
  return int(kOk);
}

}  // namespace

Command add_db(CLI::App& root, Globals& g) {
  auto* app = root.add_subcommand("db", "The inventory database itself (check, copy)");
  app->require_subcommand(1, 1);
  auto* check = app->add_subcommand(
      "check", "Show the backend, file, schema version, rows per table and key encryption; writes nothing");
  auto* copy = app->add_subcommand(
      "copy", "Copy the whole inventory into a new database (SQLite <-> PostgreSQL), verified; the source is never "
              "written");
  auto request = std::make_shared<lifecycle::DbCopyRequest>();
  copy->add_option("--from", request->from,
                   "The inventory to copy: a path, sqlite:PATH or postgresql://... (no password). There is no "
                   "default: --db and CERTKEEPER_DB are not used")
      ->type_name("URL")
      ->required();
  copy->add_option("--to", request->to,
                   "The new inventory: a path, sqlite:PATH or postgresql://... (no password); created if missing, "
                   "refused unless empty")
      ->type_name("URL")
      ->required();
  return {app, [&g, check, copy, request]() -> int {
            if (check->parsed()) {
              auto checked = lifecycle::check_inventory(g.context());
              if (!checked) return fail(g, checked.error());
              return print_check(g, *checked);
            }
            if (copy->parsed()) {
              auto copied = lifecycle::copy_inventory(g.context(), *request);
              if (!copied) return fail(g, copied.error());
              return print_copy(g, *copied);
            }
            return int(kUsage);
          }};
}

}  // namespace certkeeper::cli
