#include <fmt/format.h>

#include "certkeeper/store/migrations.h"
#include "impl.h"

namespace certkeeper::store::detail {
namespace {

int latest_embedded() {
  const auto& all = embedded_migrations();
  return all.empty() ? 0 : all.back().version;
}

int table_count(SQLite::Database& db) {
  return db.execAndGet("SELECT count(*) FROM sqlite_master WHERE type = 'table'").getInt();
}

}  // namespace

bool has_table(SQLite::Database& db, const char* name) {
  SQLite::Statement q(db, "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?");
  q.bind(1, name);
  return q.executeStep();
}

int latest_schema_version() { return latest_embedded(); }

int current_schema_version(SQLite::Database& db) {
  if (!has_table(db, "schema_version")) return 0;
  return db.execAndGet("SELECT coalesce(max(version), 0) FROM schema_version").getInt();
}

Status migrate(SQLite::Database& db, const std::string& path, bool allow_write) {
  if (!has_table(db, "schema_version") && table_count(db) > 0) {
    return make_error(Errc::database_corrupt,
                      "holds tables but no schema_version: it is not a certkeeper database; "
                      "point --db at another file",
                      path);
  }
  int have = current_schema_version(db);
  int latest = latest_embedded();
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
  for (const auto& m : embedded_migrations()) {
    if (m.version <= have) continue;
    SQLite::Transaction tx(db, SQLite::TransactionBehavior::IMMEDIATE);
    if (m.version == 1) {
      db.exec("CREATE TABLE IF NOT EXISTS schema_version (version INTEGER PRIMARY KEY, "
              "file TEXT NOT NULL, applied_at INTEGER NOT NULL) STRICT");
    }
    db.exec(m.sql);
    SQLite::Statement q(db, "INSERT INTO schema_version (version, file, applied_at) "
                            "VALUES (?, ?, unixepoch())");
    q.bind(1, m.version);
    q.bind(2, m.file);
    q.exec();
    tx.commit();
  }
  return {};
}

}  // namespace certkeeper::store::detail
