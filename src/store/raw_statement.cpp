#include "raw_statement.h"

namespace certkeeper::store::detail {

RawStatement::RawStatement(SQLite::Database& db, const std::string& sql) : db_(db.getHandle()) {
  int rc = sqlite3_prepare_v2(db_, sql.c_str(), static_cast<int>(sql.size()), &stmt_, nullptr);
  if (rc != SQLITE_OK) throw SQLite::Exception(db_, rc);
}

RawStatement::~RawStatement() { sqlite3_finalize(stmt_); }

void RawStatement::bind(const char* name, std::int64_t value) {
  int index = sqlite3_bind_parameter_index(stmt_, name);
  if (index == 0) throw SQLite::Exception(std::string("no SQL parameter ") + name);
  bind(index, value);
}

void RawStatement::bind(int index, std::int64_t value) {
  int rc = sqlite3_bind_int64(stmt_, index, value);
  if (rc != SQLITE_OK) throw SQLite::Exception(db_, rc);
}

bool RawStatement::step() {
  int rc = sqlite3_step(stmt_);
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) return false;
  throw SQLite::Exception(db_, rc);
}

}  // namespace certkeeper::store::detail
