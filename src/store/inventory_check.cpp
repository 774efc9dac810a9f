// certkeeper db check: what the inventory holds, read without writing.
#include "certkeeper/store/inventory_check.h"

#include <string_view>

#include <fmt/format.h>

#include "impl.h"

namespace certkeeper::store {
namespace {

bool has_column(sql::Database& db, const char* table, const char* column) {
  sql::Statement q(db, db.is_sqlite() ? "SELECT 1 FROM pragma_table_info(?) WHERE name = ?"
                                      : "SELECT 1 FROM pg_catalog.pg_attribute a JOIN pg_catalog.pg_class c ON "
                                        "c.oid = a.attrelid JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace "
                                        "WHERE n.nspname = 'certkeeper' AND c.relname = ? AND a.attname = ? "
                                        "AND a.attnum > 0 AND NOT a.attisdropped");
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

namespace {

InventoryCheck read_check(sql::Database& db, const std::string& path) {
  InventoryCheck check;
  check.backend = db.is_sqlite() ? Backend::sqlite : Backend::postgresql;
  check.path = path;
  check.schema_version = detail::current_schema_version(db);
  check.schema_latest = detail::latest_schema_version();
  const std::vector<std::string> names = detail::inventory_tables(db);
    for (const auto& name : names) {
      // The names come from the catalogue; quoted as identifiers all the same.
      std::string quoted = "\"";
      for (char c : name) quoted += c == '"' ? std::string("\"\"") : std::string(1, c);
      quoted += '"';
      check.tables.push_back({name, db.query_int("SELECT count(*) FROM " + quoted)});
    }
    for (const auto& k : detail::kKeyColumns) {
      if (!detail::has_table(db, k.table) || !has_column(db, k.table, k.column)) continue;
      const std::string_view prefix = kEncryptedKeyPrefix;
      sql::Statement q(db, fmt::format("SELECT coalesce(sum(CASE WHEN substr({1}, 1, CAST(?1 AS INTEGER)) = ?2 THEN 1 ELSE 0 END), 0), "
                                       "coalesce(sum(CASE WHEN {1} <> '' AND substr({1}, 1, CAST(?1 AS INTEGER)) <> ?2 THEN 1 "
                                       "ELSE 0 END), 0) FROM {0}",
                                       k.table, k.column));
      q.bind(1, static_cast<int>(prefix.size()));
      q.bind(2, std::string(prefix));
      q.executeStep();
      check.key_columns.push_back({k.table, k.column, q.getColumn(1).getInt64(), q.getColumn(0).getInt64()});
    }
  return check;
}

}  // namespace

Result<InventoryCheck> check_inventory(const std::string& path) {
  if (is_postgresql_location(path)) {
    // Opened read-only: recognised and at the current schema, or refused
    // without a write.
    auto impl = detail::open_postgresql(path, OpenMode::read_only);
    if (!impl) return std::move(impl).error();
    return detail::guarded(path, [&]() -> Result<InventoryCheck> { return read_check((*impl)->db, path); });
  }
  if (auto ours = detail::recognise_existing(path); !ours) return std::move(ours).error();
  return detail::guarded(path, [&]() -> Result<InventoryCheck> {
    sql::Database db(sql::open_sqlite(detail::read_only_uri(path), SQLite::OPEN_READONLY | SQLite::OPEN_URI));
    return read_check(db, path);
  });
}

}  // namespace certkeeper::store
