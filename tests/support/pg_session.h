// A libpq session of a test, kept open while it lives: to hold a lock the
// way another client would, and to ask the server what waits for it.
// Header-only, for the test binaries that link libpq (tests/CMakeLists.txt).
#pragma once

#include <gtest/gtest.h>
#include <libpq-fe.h>

#include <chrono>
#include <string>
#include <thread>

namespace certkeeper::testing {

class PgSession {
 public:
  explicit PgSession(const std::string& conninfo) : conn_(PQconnectdb(conninfo.c_str())) {
    if (PQstatus(conn_) != CONNECTION_OK) ADD_FAILURE() << "cannot connect: " << PQerrorMessage(conn_);
  }
  ~PgSession() { PQfinish(conn_); }
  PgSession(const PgSession&) = delete;
  PgSession& operator=(const PgSession&) = delete;

  // Runs `sql`; the first value of its one row ("" for a command), or "" and
  // a test failure when it fails.
  std::string exec(const std::string& sql) {
    PGresult* r = PQexec(conn_, sql.c_str());
    const ExecStatusType status = PQresultStatus(r);
    std::string value;
    if (status == PGRES_TUPLES_OK && PQntuples(r) >= 1 && PQnfields(r) >= 1) value = PQgetvalue(r, 0, 0);
    if (status != PGRES_TUPLES_OK && status != PGRES_COMMAND_OK) ADD_FAILURE() << sql << ": " << PQerrorMessage(conn_);
    PQclear(r);
    return value;
  }

  // Whether `n` sessions of this database wait for a lock (`where`: more
  // conditions on pg_locks, e.g. "locktype = 'advisory'") within `limit`.
  bool wait_for_waiters(int n, const std::string& where, std::chrono::milliseconds limit = std::chrono::seconds(20)) {
    const std::string sql =
        "SELECT count(*) FROM pg_locks WHERE NOT granted AND database = (SELECT oid FROM pg_database WHERE "
        "datname = current_database()) AND " + where;
    const auto give_up = std::chrono::steady_clock::now() + limit;
    while (std::chrono::steady_clock::now() < give_up) {
      const std::string count = exec(sql);
      if (!count.empty() && std::stoi(count) >= n) return true;
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    return false;
  }

 private:
  PGconn* conn_;
};

}  // namespace certkeeper::testing
