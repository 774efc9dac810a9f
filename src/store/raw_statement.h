// Private to the store: a prepared statement read by column index on the raw
// SQLite handle, for the report's hot loops (SQLite::Statement's columns each
// copy a shared pointer, and it does not expose its handle). Errors throw
// SQLite::Exception, as SQLiteCpp does, for detail::guarded to turn into an Error.
#pragma once

#include <SQLiteCpp/SQLiteCpp.h>
#include <sqlite3.h>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace certkeeper::store::detail {

class RawStatement {
 public:
  RawStatement(SQLite::Database& db, const std::string& sql);
  ~RawStatement();
  RawStatement(const RawStatement&) = delete;
  RawStatement& operator=(const RawStatement&) = delete;

  void bind(const char* name, std::int64_t value);
  void bind(int index, std::int64_t value);
  // True when a row is ready; false when done.
  bool step();
  sqlite3_stmt* get() const { return stmt_; }

  std::string text(int i) const { return std::string(view(i)); }
  std::string_view view(int i) const {
    const auto* p = reinterpret_cast<const char*>(sqlite3_column_text(stmt_, i));
    return p ? std::string_view(p, static_cast<std::size_t>(sqlite3_column_bytes(stmt_, i))) : std::string_view();
  }
  bool is_null(int i) const { return sqlite3_column_type(stmt_, i) == SQLITE_NULL; }
  std::int64_t int64(int i) const { return sqlite3_column_int64(stmt_, i); }
  int int32(int i) const { return sqlite3_column_int(stmt_, i); }
  std::optional<std::int64_t> optional_int(int i) const {
    if (is_null(i)) return std::nullopt;
    return int64(i);
  }

 private:
  sqlite3* db_;
  sqlite3_stmt* stmt_ = nullptr;
};

}  // namespace certkeeper::store::detail
