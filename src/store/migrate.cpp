#include <fmt/format.h>

#include "certkeeper/store/migrations.h"
#include "impl.h"

namespace certkeeper::store::detail {
namespace {

const std::vector<Migration>& migrations_for(sql::Database& db) {
  return db.is_sqlite() ? embedded_migrations() : postgresql_migrations();
}

// Tables of the inventory: SQLite's file, or PostgreSQL's schema
// certkeeper (whatever else the database holds is another application's).
int table_count(sql::Database& db) {
  return static_cast<int>(db.query_int(
      db.is_sqlite() ? "SELECT count(*) FROM sqlite_master WHERE type = 'table'"
                     : "SELECT count(*) FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace "
                       "WHERE n.nspname = 'certkeeper' AND c.relkind IN ('r', 'p', 'v', 'm', 'f')"));
}

}  // namespace

bool has_table(sql::Database& db, const char* name) {
  sql::Statement q(db, db.is_sqlite() ? "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?"
                                      : "SELECT 1 FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON "
                                        "n.oid = c.relnamespace WHERE n.nspname = 'certkeeper' AND c.relname = ? "
                                        "AND c.relkind IN ('r', 'p', 'v', 'm', 'f')");
  q.bind(1, name);
  return q.executeStep();
}

std::vector<std::string> inventory_tables(sql::Database& db) {
  std::vector<std::string> names;
  sql::Statement q(db, db.is_sqlite() ? "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE "
                                        "'sqlite\\_%' ESCAPE '\\' ORDER BY name"
                                      : "SELECT c.relname FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n "
                                        "ON n.oid = c.relnamespace WHERE n.nspname = 'certkeeper' "
                                        "AND c.relkind IN ('r', 'p', 'v', 'm', 'f') ORDER BY c.relname");
  while (q.executeStep()) names.push_back(q.text(0));
  return names;
}

int latest_schema_version() {
  const auto& all = embedded_migrations();
  return all.empty() ? 0 : all.back().version;
}

int current_schema_version(sql::Database& db) {
  if (!has_table(db, "schema_version")) return 0;
  return static_cast<int>(db.query_int("SELECT coalesce(max(version), 0) FROM schema_version"));
}

Status migrate(sql::Database& db, const std::string& path, bool allow_write) {
  if (!has_table(db, "schema_version") && table_count(db) > 0) {
    return make_error(Errc::database_corrupt,
                      "holds tables but no schema_version: it is not a certkeeper database; "
                      "point --db at another file",
                      path);
  }
  int have = current_schema_version(db);
  const auto& all = migrations_for(db);
  const int latest = all.empty() ? 0 : all.back().version;
  if (have > latest) {
    // Never rewrite a database from the future: the newer release may rely
    // on columns or rules this one does not know.
    return make_error(Errc::database_newer,
                      fmt::format("schema version {} was written by a newer certkeeper (this one "
                                  "knows up to {}); upgrade certkeeper, the database was not changed",
                                  have, latest),
                      path);
  }
  if (have == latest) return {};
  if (!allow_write) {
    return make_error(Errc::database,
                      fmt::format("schema version {} is older than {}; run any writing command "
                                  "(e.g. certkeeper init) to upgrade it in place",
                                  have, latest),
                      path);
  }
  for (const auto& m : all) {
    if (m.version <= have) continue;
    sql::Transaction tx(db);
    // Another process may have applied it while this one waited for the
    // write lock: decided again under the lock.
    if (current_schema_version(db) >= m.version) continue;
    if (m.version == 1 && db.is_sqlite()) {  // PostgreSQL's 0001 makes its own
      db.exec("CREATE TABLE IF NOT EXISTS schema_version (version INTEGER PRIMARY KEY, "
              "file TEXT NOT NULL, applied_at INTEGER NOT NULL) STRICT");
    }
    db.exec(m.sql);
    sql::Statement q(db, db.is_sqlite() ? "INSERT INTO schema_version (version, file, applied_at) "
                                          "VALUES (?, ?, unixepoch())"
                                        : "INSERT INTO schema_version (version, file, applied_at) "
                                          "VALUES (?, ?, extract(epoch FROM now())::bigint)");
    q.bind(1, m.version);
    q.bind(2, m.file);
    q.exec();
    tx.commit();
  }
  return {};
}

}  // namespace certkeeper::store::detail
