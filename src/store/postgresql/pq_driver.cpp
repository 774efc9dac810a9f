// The PostgreSQL Driver of certkeeper-pq.so, on libpq: one connection per
// Driver, each statement sent with PQexecParams (parameters in text format
// with their types, blobs in binary; results in text format), SQLSTATEs
// turned into sql::FailureKind with one-line messages that name the server.
#include "pq_driver.h"

#include <libpq-fe.h>

#include <algorithm>
#include <charconv>
#include <cstdint>
#include <cstring>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "placeholders.h"

namespace certkeeper::store::sql::pq {
namespace {

// Every writer of an inventory holds this transaction-scoped advisory lock
// (SQLite's application_id, "CKPR"); pg_locks shows it as classid 0, objid
// this, objsubid 1.
constexpr std::int64_t kWriteLockKey = 0x434B5052;
constexpr Oid kBoolOid = 16;
constexpr Oid kByteaOid = 17;
// The type an integer parameter is sent with: 0, unknown (see run()); 20,
// int8, would make every 0/1 bound to a BOOLEAN column an error.
constexpr Oid kIntegerParamOid = 0;

struct ResultFree {
  void operator()(PGresult* r) const noexcept { PQclear(r); }
};
using ResultPtr = std::unique_ptr<PGresult, ResultFree>;

// libpq's messages span lines ("...failed: Connection refused\n\tIs the
// server running..."): one line, runs of white space as one space.
std::string one_line(std::string_view text) {
  std::string out;
  bool space = false;
  for (char c : text) {
    if (c == '\n' || c == '\r' || c == '\t' || c == ' ') {
      space = !out.empty();
      continue;
    }
    if (space) out += ' ';
    space = false;
    out += c;
  }
  return out;
}

std::string server_of(const PGconn* conn) {
  const char* host = PQhost(conn);
  const char* port = PQport(conn);
  const char* db = PQdb(conn);
  std::string s = host != nullptr && *host != '\0' ? host : "localhost";
  if (port != nullptr && *port != '\0') s += std::string(":") + port;
  if (db != nullptr && *db != '\0') s += std::string("/") + db;
  return s;
}

void ignore_notice(void*, const char*) {}

bool starts_with(const char* s, std::string_view prefix) {
  return s != nullptr && std::string_view(s).substr(0, prefix.size()) == prefix;
}

class PqDriver;

class PqCursor final : public Cursor {
 public:
  PqCursor(PqDriver& driver, Rewritten sql) : driver_(driver), sql_(std::move(sql)) {}

  int parameter_index(std::string_view name) const override {
    for (const auto& [known, index] : sql_.names) {
      if (known == name) return index;
    }
    return 0;
  }

  int step(const std::vector<Param>& params, Failure& failure) override;

  void reset() override {
    result_.reset();
    started_ = false;
    row_ = -1;
    rows_ = 0;
    decoded_.clear();
  }

  std::int64_t changes() const override {
    if (!result_) return 0;
    // PQcmdTuples also counts a SELECT's rows; only writes count here.
    std::string_view command = PQcmdStatus(result_.get());
    if (!(command.starts_with("INSERT ") || command.starts_with("UPDATE ") || command.starts_with("DELETE ") ||
          command.starts_with("MERGE "))) {
      return 0;
    }
    const char* n = PQcmdTuples(result_.get());
    std::int64_t value = 0;
    if (n != nullptr) std::from_chars(n, n + std::strlen(n), value);
    return value;
  }

  bool is_null(int column) const override {
    if (!valid(column)) return true;
    return PQgetisnull(result_.get(), row_, column) != 0;
  }

  std::int64_t integer(int column) const override {
    if (is_null(column)) return 0;
    const char* v = PQgetvalue(result_.get(), row_, column);
    if (PQftype(result_.get(), column) == kBoolOid) return v[0] == 't' ? 1 : 0;
    std::int64_t value = 0;
    std::from_chars(v, v + PQgetlength(result_.get(), row_, column), value);
    return value;
  }

  std::string_view text(int column) const override {
    if (is_null(column)) return {};
    const char* v = PQgetvalue(result_.get(), row_, column);
    std::size_t length = static_cast<std::size_t>(PQgetlength(result_.get(), row_, column));
    if (PQftype(result_.get(), column) != kByteaOid) return {v, length};
    try {
      if (decoded_.size() <= static_cast<std::size_t>(column)) decoded_.resize(static_cast<std::size_t>(column) + 1);
      auto& slot = decoded_[static_cast<std::size_t>(column)];
      if (!slot) slot = decode_bytea(v, length);
      return *slot;
    } catch (...) {
      return {};
    }
  }

 private:
  bool valid(int column) const {
    return result_ && row_ >= 0 && row_ < rows_ && column >= 0 && column < PQnfields(result_.get());
  }

  static std::string decode_bytea(const char* v, std::size_t length) {
    auto nibble = [](char c) -> int {
      if (c >= '0' && c <= '9') return c - '0';
      if (c >= 'a' && c <= 'f') return c - 'a' + 10;
      if (c >= 'A' && c <= 'F') return c - 'A' + 10;
      return -1;
    };
    std::string out;
    if (length >= 2 && v[0] == '\\' && v[1] == 'x') {
      out.reserve((length - 2) / 2);
      for (std::size_t i = 2; i + 1 < length; i += 2) {
        int hi = nibble(v[i]), lo = nibble(v[i + 1]);
        if (hi < 0 || lo < 0) break;
        out += static_cast<char>((hi << 4) | lo);
      }
      return out;
    }
    // bytea_output = escape (an old setting of the server's).
    std::size_t n = 0;
    unsigned char* bytes = PQunescapeBytea(reinterpret_cast<const unsigned char*>(v), &n);
    if (bytes == nullptr) return out;
    out.assign(reinterpret_cast<const char*>(bytes), n);
    PQfreemem(bytes);
    return out;
  }

  PqDriver& driver_;
  Rewritten sql_;
  ResultPtr result_;
  bool started_ = false;
  int row_ = -1;
  int rows_ = 0;
  // BYTEA columns of the current row, decoded on first read.
  mutable std::vector<std::optional<std::string>> decoded_;
};

class PqDriver final : public Driver {
 public:
  PqDriver(PGconn* conn, const ConnectOptions& options)
      : conn_(conn),
        server_(server_of(conn)),
        lock_timeout_ms_(options.lock_timeout_ms),
        statement_timeout_ms_(options.statement_timeout_ms) {}
  ~PqDriver() override { PQfinish(conn_); }
  PqDriver(const PqDriver&) = delete;
  PqDriver& operator=(const PqDriver&) = delete;

  Dialect dialect() const override { return Dialect::postgresql; }

  std::unique_ptr<Cursor> prepare(std::string_view sql, Failure& failure) override {
    if (!usable(failure)) return nullptr;
    try {
      return std::make_unique<PqCursor>(*this, rewrite_placeholders(sql));
    } catch (...) {
      failure = {FailureKind::other, "PostgreSQL: out of memory preparing a statement"};
      return nullptr;
    }
  }

  bool exec(std::string_view script, Failure& failure) override {
    if (!usable(failure)) return false;
    try {
      return run_simple(std::string(script), failure);
    } catch (...) {
      failure = {FailureKind::other, "PostgreSQL: out of memory"};
      return false;
    }
  }

  bool begin(bool write, Failure& failure) override {
    if (!usable(failure)) return false;
    try {
      if (!write) return run_simple("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY", failure);
      return run_simple("BEGIN; SELECT pg_catalog.pg_advisory_xact_lock(" + std::to_string(kWriteLockKey) + ")",
                        failure);
    } catch (...) {
      failure = {FailureKind::other, "PostgreSQL: out of memory"};
      return false;
    }
  }

  bool commit(Failure& failure) override {
    if (!usable(failure)) return false;
    try {
      // A failed statement aborts the transaction; after lock_timeout the
      // driver has already rolled it back (busy_message). Either way
      // COMMIT would answer "ROLLBACK" or "no transaction", not an error.
      if (PQtransactionStatus(conn_) != PQTRANS_INTRANS) {
        rollback();
        failure = {FailureKind::other, "PostgreSQL at " + server_ +
                                           ": the transaction had failed and was rolled back, nothing was committed"};
        return false;
      }
      return run_simple("COMMIT", failure);
    } catch (...) {
      failure = {FailureKind::other, "PostgreSQL: out of memory"};
      return false;
    }
  }

  void rollback() noexcept override {
    if (lost_ || PQstatus(conn_) != CONNECTION_OK) return;
    if (PQtransactionStatus(conn_) == PQTRANS_IDLE) return;
    ResultPtr r(PQexec(conn_, "ROLLBACK"));
    if (!ok(r.get()) && PQstatus(conn_) == CONNECTION_BAD) {
      // Lost on the way: the server rolls back by itself; later calls say so.
      try {
        Failure ignored;
        fail(r.get(), ignored);
      } catch (...) {
        lost_ = true;
      }
    }
  }

  int socket() const override { return lost_ ? -1 : PQsocket(conn_); }

  bool notifications(std::vector<std::string>& payloads, Failure& failure) override {
    payloads.clear();
    if (!usable(failure)) return false;
    if (PQconsumeInput(conn_) == 0) {
      lost_ = true;
      lost_message_ = "PostgreSQL at " + server_ + ": the connection was lost while waiting for changes";
      failure = {FailureKind::connection, lost_message_};
      return false;
    }
    try {
      while (PGnotify* n = PQnotifies(conn_)) {
        payloads.emplace_back(n->extra != nullptr ? n->extra : "");
        PQfreemem(n);
      }
    } catch (...) {
      failure = {FailureKind::other, "PostgreSQL: out of memory"};
      return false;
    }
    return true;
  }

  // The settings of a new session: certkeeper's schema, the waits, UTF-8,
  // UTC, no JIT. A wait the administrator chose (the URI's options=-c
  // lock_timeout=5s, ALTER ROLE ... SET, the server's configuration) is
  // kept; only an unbounded one (0, PostgreSQL's default) gets ours.
  bool configure(Failure& failure) {
    ResultPtr r(PQexec(conn_, "SELECT pg_catalog.current_setting('lock_timeout'), "
                              "pg_catalog.current_setting('statement_timeout')"));
    if (!r || PQresultStatus(r.get()) != PGRES_TUPLES_OK || PQntuples(r.get()) != 1) {
      fail(r.get(), failure);
      return false;
    }
    lock_timeout_ = PQgetvalue(r.get(), 0, 0);
    statement_timeout_ = PQgetvalue(r.get(), 0, 1);
    std::string sql = "SET search_path = certkeeper";
    if (lock_timeout_ == "0") {
      lock_timeout_ = std::to_string(lock_timeout_ms_) + "ms";
      sql += "; SET lock_timeout = " + std::to_string(lock_timeout_ms_);
    }
    if (statement_timeout_ == "0") {
      statement_timeout_ = std::to_string(statement_timeout_ms_) + "ms";
      sql += "; SET statement_timeout = " + std::to_string(statement_timeout_ms_);
    }
    // jit off: the store's queries are short index lookups and one report
    // scan; for the scan over a large inventory the planner chooses JIT
    // compilation, which costs more than the query (bench/store.sh).
    sql += "; SET idle_in_transaction_session_timeout = 120000; SET client_encoding = 'UTF8'; SET TimeZone = 'UTC'"
           "; SET jit = off";
    return run_simple(sql, failure);
  }

  // One statement with parameters (index i is $i+1; missing ones are NULL);
  // nullptr with `failure` filled when it failed.
  ResultPtr run(const std::string& sql, int count, const std::vector<Param>& params, Failure& failure) {
    if (!usable(failure)) return nullptr;
    std::size_t n = std::max(static_cast<std::size_t>(count), params.size());
    std::vector<std::string> numbers(n);
    std::vector<const char*> values(n, nullptr);
    std::vector<int> lengths(n, 0), formats(n, 0);
    std::vector<Oid> types(n, 0);
    for (std::size_t i = 0; i < params.size(); ++i) {
      const Param& p = params[i];
      switch (p.type) {
        case Param::Type::null:
          break;
        case Param::Type::integer:
          // Typed by the server from its context, as text is: the store
          // binds 0/1 to BOOLEAN columns (include_root, failure_permanent),
          // which a bigint parameter would not be assigned to (42804), and
          // a number to BIGINT ones. Where nothing gives a type (`? IS
          // NULL`, `? + 1` past int4), the SQL says CAST(? AS BIGINT).
          numbers[i] = std::to_string(p.integer);
          values[i] = numbers[i].c_str();
          types[i] = kIntegerParamOid;
          break;
        case Param::Type::text:
          values[i] = p.text.c_str();
          break;
        case Param::Type::blob:
          values[i] = p.text.data();
          lengths[i] = static_cast<int>(p.text.size());
          formats[i] = 1;
          types[i] = kByteaOid;
          break;
      }
    }
    ResultPtr r(PQexecParams(conn_, sql.c_str(), static_cast<int>(n), types.data(), values.data(), lengths.data(),
                             formats.data(), 0));
    if (!ok(r.get())) {
      fail(r.get(), failure);
      return nullptr;
    }
    return r;
  }

  bool usable(Failure& failure) const {
    if (!lost_) return true;
    failure = {FailureKind::connection, lost_message_};
    return false;
  }

 private:
  static bool ok(const PGresult* r) {
    if (r == nullptr) return false;
    auto status = PQresultStatus(r);
    return status == PGRES_COMMAND_OK || status == PGRES_TUPLES_OK || status == PGRES_EMPTY_QUERY;
  }

  bool run_simple(const std::string& sql, Failure& failure) {
    ResultPtr r(PQexec(conn_, sql.c_str()));
    if (ok(r.get())) return true;
    fail(r.get(), failure);
    return false;
  }

  // Fills `failure` from a failed result (or a failed call: nullptr).
  void fail(const PGresult* r, Failure& failure) {
    const char* state = r != nullptr ? PQresultErrorField(r, PG_DIAG_SQLSTATE) : nullptr;
    const char* primary = r != nullptr ? PQresultErrorField(r, PG_DIAG_MESSAGE_PRIMARY) : nullptr;
    std::string message = one_line(primary != nullptr ? primary : PQerrorMessage(conn_));
    if (message.empty()) message = "no message from libpq";
    std::string code = state != nullptr ? state : "";
    if (PQstatus(conn_) == CONNECTION_BAD || starts_with(state, "08") || code == "57P01" || code == "57P02" ||
        code == "57P03") {
      lost_ = true;
      lost_message_ = "the connection to the PostgreSQL server at " + server_ +
                      " was lost and the transaction was rolled back (" + message +
                      "); run the command again once the server is back";
      failure = {FailureKind::connection, lost_message_};
      return;
    }
    if (code == "55P03") {
      failure = {FailureKind::busy, busy_message(message)};
      return;
    }
    if (code == "57014") {
      failure = {FailureKind::timeout, "a statement on PostgreSQL at " + server_ + " ran past statement_timeout (" +
                                           statement_timeout_ + ") and was canceled: " +
                                           message};
      return;
    }
    FailureKind kind = FailureKind::other;
    if (starts_with(state, "23")) kind = FailureKind::constraint;
    else if (starts_with(state, "53")) kind = FailureKind::io;
    else if (starts_with(state, "28")) kind = FailureKind::authentication;
    const char* detail = r != nullptr ? PQresultErrorField(r, PG_DIAG_MESSAGE_DETAIL) : nullptr;
    std::string text = "PostgreSQL at " + server_ + ": " + message;
    if (detail != nullptr) text += " (" + one_line(detail) + ")";
    if (!code.empty()) text += " [SQLSTATE " + code + "]";
    failure = {kind, std::move(text)};
  }

  // After lock_timeout: who holds the inventory's write lock, asked on a
  // fresh statement once our failed transaction is rolled back.
  std::string busy_message(const std::string& message) {
    std::string wait = "lock_timeout (" + lock_timeout_ + ")";
    if (PQtransactionStatus(conn_) != PQTRANS_IDLE) rollback();
    std::string holder;
    if (PQtransactionStatus(conn_) == PQTRANS_IDLE) {
      std::string sql =
          "SELECT a.pid, coalesce(a.application_name, ''), coalesce(host(a.client_addr), 'the local socket'), "
          "coalesce(extract(epoch FROM now() - a.xact_start)::bigint, 0) "
          "FROM pg_catalog.pg_locks l JOIN pg_catalog.pg_stat_activity a ON a.pid = l.pid "
          "WHERE l.locktype = 'advisory' AND l.granted AND l.classid = 0 AND l.objsubid = 1 AND l.objid = " +
          std::to_string(kWriteLockKey) +
          " AND l.database = (SELECT oid FROM pg_catalog.pg_database WHERE datname = pg_catalog.current_database()) "
          "LIMIT 1";
      ResultPtr r(PQexec(conn_, sql.c_str()));
      if (r && PQresultStatus(r.get()) == PGRES_TUPLES_OK && PQntuples(r.get()) == 1) {
        std::string app = PQgetvalue(r.get(), 0, 1);
        holder = "pid " + std::string(PQgetvalue(r.get(), 0, 0)) +
                 (app.empty() ? std::string() : " (" + one_line(app) + ")") + " connected from " +
                 PQgetvalue(r.get(), 0, 2) + " holds its write lock, in a transaction open for " +
                 PQgetvalue(r.get(), 0, 3) + " s";
      }
    }
    if (holder.empty() && PQtransactionStatus(conn_) == PQTRANS_IDLE) {
      // Not the write lock: a table of the inventory another session locked
      // in a mode that blocks readers or writers (LOCK TABLE, DDL, VACUUM FULL).
      const char* sql =
          "SELECT a.pid, coalesce(a.application_name, ''), coalesce(host(a.client_addr), 'the local socket'), "
          "coalesce(extract(epoch FROM now() - a.xact_start)::bigint, 0), c.relname, l.mode "
          "FROM pg_catalog.pg_locks l JOIN pg_catalog.pg_stat_activity a ON a.pid = l.pid "
          "JOIN pg_catalog.pg_class c ON c.oid = l.relation "
          "WHERE l.locktype = 'relation' AND l.granted AND l.pid <> pg_catalog.pg_backend_pid() "
          "AND l.mode IN ('ShareLock', 'ShareRowExclusiveLock', 'ExclusiveLock', 'AccessExclusiveLock') "
          "AND c.relnamespace = (SELECT oid FROM pg_catalog.pg_namespace WHERE nspname = 'certkeeper') "
          "AND l.database = (SELECT oid FROM pg_catalog.pg_database WHERE datname = pg_catalog.current_database()) "
          "ORDER BY l.mode = 'AccessExclusiveLock' DESC LIMIT 1";
      ResultPtr r(PQexec(conn_, sql));
      if (r && PQresultStatus(r.get()) == PGRES_TUPLES_OK && PQntuples(r.get()) == 1) {
        std::string app = PQgetvalue(r.get(), 0, 1);
        holder = "pid " + std::string(PQgetvalue(r.get(), 0, 0)) +
                 (app.empty() ? std::string() : " (" + one_line(app) + ")") + " connected from " +
                 PQgetvalue(r.get(), 0, 2) + " holds certkeeper." + one_line(PQgetvalue(r.get(), 0, 4)) + " (" +
                 PQgetvalue(r.get(), 0, 5) + "), in a transaction open for " + PQgetvalue(r.get(), 0, 3) + " s";
      }
    }
    if (holder.empty()) {
      return "the inventory on PostgreSQL at " + server_ + " is busy: another session held a lock past " + wait +
             " (" + message + "); try again when it is done";
    }
    return "the inventory on PostgreSQL at " + server_ + " is busy: " + holder + "; waited " + wait +
           ", try again when it is done";
  }

  PGconn* conn_;
  std::string server_;
  int lock_timeout_ms_;
  int statement_timeout_ms_;
  // The waits in force, as the server shows them ("30000ms", "5s").
  std::string lock_timeout_, statement_timeout_;
  bool lost_ = false;
  std::string lost_message_;
};

int PqCursor::step(const std::vector<Param>& params, Failure& failure) {
  try {
    decoded_.clear();
    if (!started_) {
      result_ = driver_.run(sql_.sql, sql_.parameters, params, failure);
      if (!result_) return -1;
      started_ = true;
      row_ = -1;
      rows_ = PQntuples(result_.get());
    } else if (!driver_.usable(failure)) {
      return -1;
    }
    if (row_ < rows_) ++row_;
    return row_ < rows_ ? 1 : 0;
  } catch (...) {
    failure = {FailureKind::other, "PostgreSQL: out of memory"};
    return -1;
  }
}

// A failed connection: who refused it and what to do.
Failure connect_failure(PGconn* conn) {
  std::string message = one_line(PQerrorMessage(conn));
  std::string server = server_of(conn);
  bool refused = PQconnectionNeedsPassword(conn) != 0 || message.find("authentication failed") != std::string::npos ||
                 message.find("no pg_hba.conf entry") != std::string::npos ||
                 message.find("no password supplied") != std::string::npos ||
                 message.find("password authentication") != std::string::npos ||
                 (message.find("role") != std::string::npos && message.find("does not exist") != std::string::npos);
  if (refused) {
    return {FailureKind::authentication,
            "PostgreSQL at " + server + " refused the login: " + message +
                "; check the role and its password in the passfile (~/.pgpass or PGPASSFILE, mode 0600), "
                "the server's pg_hba.conf, or the client certificate (sslcert=, sslkey=)"};
  }
  return {FailureKind::connection, "cannot connect to PostgreSQL at " + server + ": " + message +
                                       "; start the server, or check the host, port and sslmode in the URI"};
}

}  // namespace

std::unique_ptr<Driver> connect(const ConnectOptions& options, Failure& failure) {
  std::string timeout = std::to_string(options.connect_timeout_s);
  // libpq keeps the last value of a keyword: the URI's connect_timeout wins
  // over ours, our application_name over the URI's (a busy inventory's
  // message names its holder by it).
  const char* keys[] = {"connect_timeout", "dbname", "application_name", nullptr};
  const char* values[] = {timeout.c_str(), options.uri, options.application_name, nullptr};
  PGconn* conn = PQconnectdbParams(keys, values, 1);
  if (conn == nullptr) {
    failure = {FailureKind::other, "PostgreSQL: out of memory while connecting"};
    return nullptr;
  }
  if (PQstatus(conn) != CONNECTION_OK) {
    failure = connect_failure(conn);
    PQfinish(conn);
    return nullptr;
  }
  PQsetNoticeProcessor(conn, ignore_notice, nullptr);
  auto driver = std::make_unique<PqDriver>(conn, options);
  if (!driver->configure(failure)) return nullptr;
  return driver;
}

}  // namespace certkeeper::store::sql::pq
