// The store's SQL, over a Driver (driver.h): a database, prepared
// statements and transactions. Failures throw DbError, which
// detail::guarded turns into an Error naming the inventory; nothing of it
// leaves the store.
#pragma once

#include <concepts>
#include <cstdint>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "driver.h"

namespace certkeeper::store::sql {

struct DbError : std::runtime_error {
  FailureKind kind;
  explicit DbError(const Failure& f) : std::runtime_error(f.message), kind(f.kind) {}
};

class Database {
 public:
  explicit Database(std::unique_ptr<Driver> driver);
  Dialect dialect() const { return dialect_; }
  bool is_sqlite() const { return dialect_ == Dialect::sqlite; }
  Driver& driver() { return *driver_; }
  // Runs statements without parameters or results.
  void exec(std::string_view script);
  // The first column of the first row as an integer (0 when none or NULL).
  std::int64_t query_int(std::string_view sql);
  // Driver::notifications, throwing DbError when the connection was lost.
  std::vector<std::string> notifications();

 private:
  std::unique_ptr<Driver> driver_;
  Dialect dialect_;
};

class Statement;

// One column of a Statement's current row.
class Column {
 public:
  Column(const Statement& q, int index) : q_(q), index_(index) {}
  bool isNull() const;
  std::int64_t getInt64() const;
  int getInt() const { return static_cast<int>(getInt64()); }
  std::string getString() const;
  std::string_view view() const;

 private:
  const Statement& q_;
  int index_;
};

class Statement {
 public:
  Statement(Database& db, std::string_view sql);
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;

  // Parameters are 1-based, as in SQL; a `:name` has its own index.
  template <std::integral T>
  void bind(int index, T value) {
    set(index).type = Param::Type::integer;
    params_[static_cast<std::size_t>(index - 1)].integer = static_cast<std::int64_t>(value);
  }
  // Text, stored as valid UTF-8 without NUL on both backends (statement.cpp).
  void bind(int index, std::string_view value);
  void bind(int index, const std::string& value) { bind(index, std::string_view(value)); }
  void bind(int index, const char* value) { bind(index, std::string_view(value)); }
  void bind(int index);  // NULL
  void bind(int index, const std::optional<std::int64_t>& value);
  void bind_blob(int index, std::string_view bytes);
  template <class V>
  void bind(const char* name, const V& value) {
    bind(index_of(name), value);
  }

  // The next row: true when one is ready, false when done.
  bool executeStep();
  // Runs to the end; the rows it changed.
  std::int64_t exec();
  // Ready to run again; the parameters stay until bound anew.
  void reset();

  Column getColumn(int index) const { return Column(*this, index); }
  bool is_null(int index) const { return cursor_->is_null(index); }
  std::int64_t int64(int index) const { return cursor_->integer(index); }
  int int32(int index) const { return static_cast<int>(cursor_->integer(index)); }
  std::string_view view(int index) const { return cursor_->text(index); }
  std::string text(int index) const { return std::string(cursor_->text(index)); }
  std::optional<std::int64_t> optional_int(int index) const {
    if (is_null(index)) return std::nullopt;
    return int64(index);
  }

 private:
  Param& set(int index);
  int index_of(const char* name) const;
  std::vector<Param> params_;
  std::unique_ptr<Cursor> cursor_;
  bool done_ = false;
};

// A transaction, rolled back unless committed. A writing one holds the
// inventory's write lock from its start (driver.h).
class Transaction {
 public:
  explicit Transaction(Database& db, bool write = true);
  ~Transaction();
  Transaction(const Transaction&) = delete;
  Transaction& operator=(const Transaction&) = delete;
  void commit();

 private:
  Database& db_;
  bool open_ = true;
};

}  // namespace certkeeper::store::sql
