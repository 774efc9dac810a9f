// The seam between the store's SQL and a database engine. The store writes
// each aggregate's queries once (src/store/*.cpp) against store::sql
// (statement.h); a Driver carries them to SQLite (sqlite_driver.cpp, in the
// binary) or to PostgreSQL (src/store/postgresql, the certkeeper-pq.so
// module loaded only for a postgresql:// inventory, so that SQLite users
// never map libpq).
//
// Nothing here throws: a driver may live in a loaded module, and exceptions
// do not cross that boundary (net/curl_module.h has the same rule). Every
// call that can fail fills a Failure and says so in its return value;
// statement.h turns that into the store's exception, which
// detail::guarded turns into an Error.
//
// SQL text uses SQLite's placeholders: `?`, `?N` and `:name`. A PostgreSQL
// driver rewrites them to $N; both number a `:name` by its first
// appearance after the highest `?N` before it, as SQLite does.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace certkeeper::store::sql {

enum class Dialect { sqlite, postgresql };

enum class FailureKind {
  other,              // any other engine error (a bug in our SQL, a trigger's refusal, ...)
  constraint,         // a UNIQUE/CHECK/FOREIGN KEY/NOT NULL rule refused the change
  corrupt,            // the file is damaged or not a database
  io,                 // the engine could not read or write its files (disk full, read-only)
  busy,               // another writer held the inventory past the wait (SQLite busy, PG lock_timeout)
  timeout,            // a statement ran past statement_timeout
  connection,         // the server could not be reached, or the connection was lost
  authentication,     // the server refused who we are (password, certificate, pg_hba)
};

struct Failure {
  FailureKind kind = FailureKind::other;
  // One line, never a password; for busy, who holds the inventory when the
  // engine can tell.
  std::string message;
};

// A parameter value. Text is sent as text; integers as 64-bit integers;
// blobs as bytes (BLOB / BYTEA).
struct Param {
  enum class Type { null, integer, text, blob };
  Type type = Type::null;
  std::int64_t integer = 0;
  std::string text;  // text or blob bytes
};

// One prepared statement.
class Cursor {
 public:
  virtual ~Cursor() = default;
  // The 1-based index of `:name`, 0 when the statement has no such parameter.
  virtual int parameter_index(std::string_view name) const = 0;
  // The first call after prepare() or reset() runs the statement with
  // `params` (index i holds parameter i + 1); later calls move to the next
  // row. 1: a row is ready; 0: no more rows; -1: failed (see `failure`).
  virtual int step(const std::vector<Param>& params, Failure& failure) = 0;
  // Ready to run again (with new parameters).
  virtual void reset() = 0;
  // Rows inserted, updated or deleted by the last run, once it is done.
  virtual std::int64_t changes() const = 0;
  // The current row's columns (0-based).
  virtual bool is_null(int column) const = 0;
  // An integer column; a boolean reads as 0 or 1.
  virtual std::int64_t integer(int column) const = 0;
  // A text or blob column's bytes, valid until the next step or reset.
  virtual std::string_view text(int column) const = 0;
};

class Driver {
 public:
  virtual ~Driver() = default;
  virtual Dialect dialect() const = 0;
  // nullptr on failure.
  virtual std::unique_ptr<Cursor> prepare(std::string_view sql, Failure& failure) = 0;
  // Runs one or more statements without parameters or results.
  virtual bool exec(std::string_view script, Failure& failure) = 0;
  // Starts a transaction. A writing one holds the inventory's one write
  // lock from its start (SQLite: BEGIN IMMEDIATE; PostgreSQL: BEGIN and a
  // transaction-scoped advisory lock), so whatever it reads first cannot
  // change under it: every decision made inside is made on current data.
  // A reading one sees one snapshot.
  virtual bool begin(bool write, Failure& failure) = 0;
  virtual bool commit(Failure& failure) = 0;
  // Never fails for the caller: a lost connection rolls back by itself.
  virtual void rollback() noexcept = 0;

  // Notifications from other sessions (PostgreSQL's LISTEN/NOTIFY; SQLite
  // has none). socket(): the descriptor to poll for reading, -1 when
  // there is none. notifications(): reads what arrived and returns the
  // payloads received since the last call (none waits); false with
  // `failure` filled when the connection was lost.
  virtual int socket() const { return -1; }
  virtual bool notifications(std::vector<std::string>& payloads, Failure& failure) {
    payloads.clear();
    (void)failure;
    return true;
  }
};

}  // namespace certkeeper::store::sql
