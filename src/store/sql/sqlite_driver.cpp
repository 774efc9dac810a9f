#include "sqlite_driver.h"

#include <sqlite3.h>

namespace certkeeper::store::sql {
FailureKind sqlite_failure_kind(int code) {
  switch (code & 0xff) {
    case SQLITE_CORRUPT:
    case SQLITE_NOTADB: return FailureKind::corrupt;
    case SQLITE_IOERR:
    case SQLITE_FULL:
    case SQLITE_CANTOPEN:
    case SQLITE_READONLY: return FailureKind::io;
    case SQLITE_BUSY:
    case SQLITE_LOCKED: return FailureKind::busy;
    case SQLITE_CONSTRAINT: return FailureKind::constraint;
    default: return FailureKind::other;
  }
}

namespace {

Failure failure_of(sqlite3* db, int rc) {
  const char* message = sqlite3_errmsg(db);
  // sqlite3_errmsg speaks of the last call on the handle; a code without
  // its message (a misuse) still gets a text.
  return Failure{sqlite_failure_kind(rc), message && *message ? message : sqlite3_errstr(rc)};
}

class SqliteCursor final : public Cursor {
 public:
  SqliteCursor(sqlite3* db, sqlite3_stmt* stmt) : db_(db), stmt_(stmt) {}
  ~SqliteCursor() override { sqlite3_finalize(stmt_); }
  SqliteCursor(const SqliteCursor&) = delete;
  SqliteCursor& operator=(const SqliteCursor&) = delete;

  int parameter_index(std::string_view name) const override {
    return sqlite3_bind_parameter_index(stmt_, std::string(name).c_str());
  }

  int step(const std::vector<Param>& params, Failure& failure) override {
    if (!started_) {
      if (!bind_all(params, failure)) return -1;
      started_ = true;
    }
    const int rc = sqlite3_step(stmt_);
    if (rc == SQLITE_ROW) return 1;
    if (rc == SQLITE_DONE) {
      changes_ = sqlite3_changes64(db_);
      return 0;
    }
    failure = failure_of(db_, rc);
    // Leave the statement ready to run again, so that the failure does not
    // come back at the next use or at finalize.
    sqlite3_reset(stmt_);
    return -1;
  }

  void reset() override {
    sqlite3_reset(stmt_);
    started_ = false;
    changes_ = 0;
  }

  std::int64_t changes() const override { return changes_; }
  bool is_null(int column) const override { return sqlite3_column_type(stmt_, column) == SQLITE_NULL; }
  std::int64_t integer(int column) const override { return sqlite3_column_int64(stmt_, column); }
  std::string_view text(int column) const override {
    // A blob's bytes as they are; anything else as text.
    const void* p = sqlite3_column_type(stmt_, column) == SQLITE_BLOB ? sqlite3_column_blob(stmt_, column)
                                                                       : sqlite3_column_text(stmt_, column);
    if (p == nullptr) return {};
    return {static_cast<const char*>(p), static_cast<std::size_t>(sqlite3_column_bytes(stmt_, column))};
  }

 private:
  bool bind_all(const std::vector<Param>& params, Failure& failure) {
    sqlite3_clear_bindings(stmt_);
    for (std::size_t i = 0; i < params.size(); ++i) {
      const int index = static_cast<int>(i + 1);
      const Param& p = params[i];
      int rc = SQLITE_OK;
      switch (p.type) {
        case Param::Type::null: rc = sqlite3_bind_null(stmt_, index); break;
        case Param::Type::integer: rc = sqlite3_bind_int64(stmt_, index, p.integer); break;
        case Param::Type::text:
          rc = sqlite3_bind_text64(stmt_, index, p.text.data(), p.text.size(), SQLITE_TRANSIENT, SQLITE_UTF8);
          break;
        case Param::Type::blob:
          rc = sqlite3_bind_blob64(stmt_, index, p.text.data(), p.text.size(), SQLITE_TRANSIENT);
          break;
      }
      if (rc != SQLITE_OK) {
        failure = failure_of(db_, rc);
        return false;
      }
    }
    return true;
  }

  sqlite3* db_;
  sqlite3_stmt* stmt_;
  bool started_ = false;
  std::int64_t changes_ = 0;
};

class SqliteDriver final : public Driver {
 public:
  SqliteDriver(const std::string& path, int flags, int busy_ms) : db_(path, flags) { db_.setBusyTimeout(busy_ms); }

  Dialect dialect() const override { return Dialect::sqlite; }

  std::unique_ptr<Cursor> prepare(std::string_view sql, Failure& failure) override {
    sqlite3_stmt* stmt = nullptr;
    const int rc = sqlite3_prepare_v2(db_.getHandle(), sql.data(), static_cast<int>(sql.size()), &stmt, nullptr);
    if (rc != SQLITE_OK) {
      failure = failure_of(db_.getHandle(), rc);
      sqlite3_finalize(stmt);
      return nullptr;
    }
    return std::make_unique<SqliteCursor>(db_.getHandle(), stmt);
  }

  bool exec(std::string_view script, Failure& failure) override {
    const std::string text(script);
    const int rc = sqlite3_exec(db_.getHandle(), text.c_str(), nullptr, nullptr, nullptr);
    if (rc == SQLITE_OK) return true;
    failure = failure_of(db_.getHandle(), rc);
    return false;
  }

  bool begin(bool write, Failure& failure) override {
    // IMMEDIATE takes the write lock now (waiting up to the busy timeout),
    // so nothing read inside can change before the commit.
    return exec(write ? "BEGIN IMMEDIATE" : "BEGIN DEFERRED", failure);
  }

  bool commit(Failure& failure) override { return exec("COMMIT", failure); }

  void rollback() noexcept override {
    if (!sqlite3_get_autocommit(db_.getHandle())) sqlite3_exec(db_.getHandle(), "ROLLBACK", nullptr, nullptr, nullptr);
  }

 private:
  SQLite::Database db_;
};

}  // namespace

std::unique_ptr<Driver> open_sqlite(const std::string& path, int flags, int busy_ms) {
  return std::make_unique<SqliteDriver>(path, flags, busy_ms);
}

}  // namespace certkeeper::store::sql
