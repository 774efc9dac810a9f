// certkeeper db check: what the inventory holds, read without writing.
#include "certkeeper/store/inventory_check.h"

#include <string_view>

#include <fmt/format.h>

#include "impl.h"

namespace certkeeper::store {
namespace {

bool has_column(SQLite::Database& db, const char* table, const char* column) {
  SQLite::Statement q(db, "SELECT 1 FROM pragma_table_info(?) WHERE name = ?");
  q.bind(1, table);
  q.bind(2, column);
  return q.executeStep();
}

}  // namespace

std::int64_t InventoryCheck::keys_plaintext() const {
  std::int64_t n = 0;
  for (const auto& c : key_columns) n += c.plaintext;
  return n;
}

std::int64_t InventoryCheck::keys_encrypted() const {
  std::int64_t n = 0;
  for (const auto& c : key_columns) n += c.encrypted;
  return n;
}

const char* InventoryCheck::key_encryption() const {
  const std::int64_t plain = keys_plaintext();
  const std::int64_t sealed = keys_encrypted();
  if (plain == 0 && sealed == 0) return "none";
  if (sealed == 0) return "plaintext";
  if (plain == 0) return "encrypted";
  return "mixed";
}

Result<InventoryCheck> check_inventory(const std::string& path) {
  if (auto ours = detail::recognise_existing(path); !ours) return std::move(ours).error();
  return detail::guarded(path, [&]() -> Result<InventoryCheck> {
    SQLite::Database db(detail::read_only_uri(path), SQLite::OPEN_READONLY | SQLite::OPEN_URI);
    db.setBusyTimeout(5000);
    InventoryCheck check;
    check.backend = Backend::sqlite;
    check.path = path;
    check.schema_version = detail::current_schema_version(db);
    check.schema_latest = detail::latest_schema_version();
    std::vector<std::string> names;
    {
      SQLite::Statement q(db,
                          "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite\\_%' "
                          "ESCAPE '\\' ORDER BY name");
      while (q.executeStep()) names.push_back(q.getColumn(0).getString());
    }
    for (const auto& name : names) {
      // The names come from sqlite_master; quoted as identifiers all the same.
      std::string quoted = "\"";
      for (char c : name) quoted += c == '"' ? std::string("\"\"") : std::string(1, c);
      quoted += '"';
      check.tables.push_back({name, db.execAndGet("SELECT count(*) FROM " + quoted).getInt64()});
    }
    for (const auto& k : detail::kKeyColumns) {
      if (!detail::has_table(db, k.table) || !has_column(db, k.table, k.column)) continue;
      const std::string_view prefix = kEncryptedKeyPrefix;
      SQLite::Statement q(db, fmt::format("SELECT coalesce(sum(substr({1}, 1, ?1) = ?2), 0), "
                                          "coalesce(sum({1} <> '' AND substr({1}, 1, ?1) <> ?2), 0) FROM {0}",
                                          k.table, k.column));
      q.bind(1, static_cast<int>(prefix.size()));
      q.bind(2, std::string(prefix));
      q.executeStep();
      check.key_columns.push_back({k.table, k.column, q.getColumn(1).getInt64(), q.getColumn(0).getInt64()});
    }
    return check;
  });
}

}  // namespace certkeeper::store
