// db/postgresql/ (issue 11) against a real PostgreSQL 15 server
// (tests/support/postgres.h): every migration applies in order, one
// transaction each, to a schema `certkeeper` and nowhere else; the
// append-only triggers behave as SQLite's do (the same statements give the
// same outcome on both); applying the set again changes nothing, as the
// SQLite runner does; and both dialects have the same tables and columns.
//
// The binary does not apply these yet (no libpq in it): the runner below
// mirrors src/store/migrate.cpp. Only this test links libpq.
#include <gtest/gtest.h>
#include <libpq-fe.h>
#include <sqlite3.h>

#include <algorithm>
#include <cctype>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "certkeeper/store/inventory.h"
#include "certkeeper/store/migrations.h"
#include "store_fixtures.h"
#include "support/postgres.h"
#include "support/temp_dir.h"

namespace certkeeper::store {
namespace {

using testing::Postgres;
using testing::TempDir;

// A query's outcome: its rows (every value as text, NULL as "NULL"), or the
// server's error message.
struct PgOutcome {
  bool ok = false;
  std::string error;
  std::vector<std::vector<std::string>> rows;
};

class PgConnection {
 public:
  explicit PgConnection(const std::string& conninfo) : conn_(PQconnectdb(conninfo.c_str())) {
    // The server's NOTICEs (IF EXISTS that found nothing) stay out of the test output.
    PQsetNoticeProcessor(conn_, [](void*, const char*) {}, nullptr);
  }
  ~PgConnection() { PQfinish(conn_); }
  PgConnection(const PgConnection&) = delete;
  PgConnection& operator=(const PgConnection&) = delete;

  bool connected() const { return PQstatus(conn_) == CONNECTION_OK; }
  std::string error() const { return PQerrorMessage(conn_); }

  // PQexec: several statements in one string run as one implicit
  // transaction unless the string holds BEGIN/COMMIT itself.
  PgOutcome exec(const std::string& sql) {
    PgOutcome out;
    PGresult* r = PQexec(conn_, sql.c_str());
    const ExecStatusType status = PQresultStatus(r);
    out.ok = status == PGRES_COMMAND_OK || status == PGRES_TUPLES_OK;
    if (!out.ok) out.error = PQresultErrorMessage(r);
    if (status == PGRES_TUPLES_OK) {
      for (int i = 0; i < PQntuples(r); ++i) {
        std::vector<std::string> row;
        for (int j = 0; j < PQnfields(r); ++j) row.push_back(PQgetisnull(r, i, j) ? "NULL" : PQgetvalue(r, i, j));
        out.rows.push_back(std::move(row));
      }
    }
    PQclear(r);
    return out;
  }

  std::string scalar(const std::string& sql) {
    PgOutcome o = exec(sql);
    EXPECT_TRUE(o.ok) << sql << ": " << o.error;
    return o.ok && !o.rows.empty() && !o.rows[0].empty() ? o.rows[0][0] : "";
  }

 private:
  PGconn* conn_;
};

// The PostgreSQL twin of src/store/migrate.cpp's loop: the versions above
// the highest one recorded, each in one transaction with its row in
// certkeeper.schema_version (made by 0001). Which versions it applied, or
// the error of the one that failed (rolled back; later ones not tried).
struct PgMigrated {
  std::vector<int> applied;
  std::string error;
};

int pg_schema_version(PgConnection& db) {
  if (db.scalar("SELECT to_regclass('certkeeper.schema_version') IS NOT NULL") != "t") return 0;
  return std::stoi(db.scalar("SELECT coalesce(max(version), 0) FROM certkeeper.schema_version"));
}

PgMigrated pg_migrate(PgConnection& db) {
  PgMigrated out;
  const int have = pg_schema_version(db);
  for (const auto& m : postgresql_migrations()) {
    if (m.version <= have) continue;
    const std::string sql = std::string("BEGIN;\n") + m.sql +
                            "\n;INSERT INTO certkeeper.schema_version (version, file, applied_at) VALUES (" +
                            std::to_string(m.version) + ", '" + m.file +
                            "', extract(epoch FROM now())::bigint);\nCOMMIT;";
    PgOutcome o = db.exec(sql);
    if (!o.ok) {
      db.exec("ROLLBACK");
      out.error = std::string(m.file) + ": " + o.error;
      return out;
    }
    out.applied.push_back(m.version);
  }
  return out;
}

std::string lower_name(std::string s) {
  for (char& c : s) c = std::isalnum(static_cast<unsigned char>(c)) ? static_cast<char>(std::tolower(c)) : '_';
  return s;
}

class PostgresqlSchemaTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    try {
      server_ = &testing::shared_postgres();
    } catch (const std::exception& e) {
      server_ = nullptr;
      start_error_ = e.what();
    }
  }

  // A database of its own per test, on the binary's one server.
  void SetUp() override {
    ASSERT_NE(server_, nullptr) << "PostgreSQL 15 did not start: " << start_error_;
    const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
    dbname_ = "t_" + lower_name(info->name());
    PgConnection admin(server_->conninfo());
    ASSERT_TRUE(admin.connected()) << admin.error() << server_->log_tail();
    admin.exec("DROP DATABASE IF EXISTS " + dbname_);
    PgOutcome made = admin.exec("CREATE DATABASE " + dbname_);
    ASSERT_TRUE(made.ok) << made.error;
    db_.emplace(server_->conninfo(dbname_));
    ASSERT_TRUE(db_->connected()) << db_->error();
  }

  PgConnection& db() { return *db_; }

  // A current SQLite inventory made by the store itself (its runner, its
  // schema_version), for the comparisons.
  std::string sqlite_inventory() {
    const std::string path = dir_.file("inventory.db");
    auto inv = Inventory::open(path, OpenMode::create);
    EXPECT_TRUE(inv.has_value());
    return path;
  }

  static Postgres* server_;
  static std::string start_error_;
  std::string dbname_;
  std::optional<PgConnection> db_;
  TempDir dir_;
};

Postgres* PostgresqlSchemaTest::server_ = nullptr;
std::string PostgresqlSchemaTest::start_error_;

// Rows of a query on the SQLite file, each row's values joined by '|'.
std::vector<std::string> sqlite_rows(const std::string& path, const std::string& sql) {
  std::vector<std::string> rows;
  sqlite3* db = nullptr;
  sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READONLY, nullptr);
  sqlite3_stmt* q = nullptr;
  EXPECT_EQ(sqlite3_prepare_v2(db, sql.c_str(), -1, &q, nullptr), SQLITE_OK) << sqlite3_errmsg(db);
  while (q != nullptr && sqlite3_step(q) == SQLITE_ROW) {
    std::string row;
    for (int i = 0; i < sqlite3_column_count(q); ++i) {
      const auto* text = sqlite3_column_text(q, i);
      row += (i ? "|" : "") + std::string(text ? reinterpret_cast<const char*>(text) : "NULL");
    }
    rows.push_back(row);
  }
  sqlite3_finalize(q);
  sqlite3_close(db);
  return rows;
}

std::vector<std::string> joined(const std::vector<std::vector<std::string>>& rows) {
  std::vector<std::string> out;
  for (const auto& r : rows) {
    std::string s;
    for (std::size_t i = 0; i < r.size(); ++i) s += (i ? "|" : "") + r[i];
    out.push_back(s);
  }
  return out;
}

// Without PostgreSQL the fixture says what is missing and which package
// brings it; the tests above then fail with that (they never skip).
TEST(PostgresFixtureTest, FailsNamingThePackageWhenTheBinariesAreMissing) {
  Postgres server("/nonexistent/postgresql/15/bin");
  try {
    server.start();
    ADD_FAILURE() << "started without binaries";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("/nonexistent/postgresql/15/bin/pg_ctl is missing"), std::string::npos)
        << e.what();
    EXPECT_NE(std::string(e.what()).find("postgresql-15"), std::string::npos) << e.what();
  }
  EXPECT_FALSE(server.running());
}

TEST_F(PostgresqlSchemaTest, EmbedsTheSameNumbersAndFileNamesAsSqlite) {
  const auto& pg = postgresql_migrations();
  const auto& lite = embedded_migrations();
  ASSERT_EQ(pg.size(), lite.size());
  for (std::size_t i = 0; i < pg.size(); ++i) {
    // Numbered 1, 2, 3, ... as SQLite's.
    EXPECT_EQ(pg[i].version, static_cast<int>(i) + 1);
    EXPECT_EQ(pg[i].version, lite[i].version);
    EXPECT_STREQ(pg[i].file, lite[i].file);
  }
}

TEST_F(PostgresqlSchemaTest, AppliesEveryMigrationInOrderAndRecordsEach) {
  PgMigrated m = pg_migrate(db());
  ASSERT_EQ(m.error, "");
  std::vector<int> all;
  for (const auto& mig : postgresql_migrations()) all.push_back(mig.version);
  EXPECT_EQ(m.applied, all);
  std::vector<std::string> expected;
  for (const auto& mig : postgresql_migrations()) expected.push_back(std::to_string(mig.version) + "|" + mig.file);
  EXPECT_EQ(joined(db().exec("SELECT version, file FROM certkeeper.schema_version ORDER BY version").rows),
            expected);
  EXPECT_EQ(expected.size(), embedded_migrations().size()) << "both dialects have every migration";
  // As on SQLite's: the singleton row of the CRL scan.
  EXPECT_EQ(db().scalar("SELECT last_version_id FROM certkeeper.crl_scan WHERE id = 1"), "0");
  EXPECT_EQ(db().scalar("SELECT obj_description('certkeeper'::regnamespace, 'pg_namespace')"),
            "certkeeper inventory (CKPR)");
}

TEST_F(PostgresqlSchemaTest, PutsEverythingInSchemaCertkeeperWhateverTheSearchPath) {
  // An empty search_path: an unqualified name would fail or land nowhere.
  ASSERT_TRUE(db().exec("SET search_path = ''").ok);
  ASSERT_EQ(pg_migrate(db()).error, "");
  ASSERT_TRUE(db().exec("RESET search_path").ok);
  // Tables, indexes, sequences, views, functions and types outside the
  // system schemas: all in certkeeper.
  const std::string not_system = "NOT IN ('pg_catalog', 'information_schema', 'pg_toast')";
  EXPECT_EQ(joined(db().exec("SELECT DISTINCT n.nspname FROM pg_class c JOIN pg_namespace n ON n.oid = "
                             "c.relnamespace WHERE n.nspname " + not_system)
                       .rows),
            std::vector<std::string>{"certkeeper"});
  EXPECT_EQ(joined(db().exec("SELECT DISTINCT n.nspname FROM pg_proc p JOIN pg_namespace n ON n.oid = "
                             "p.pronamespace WHERE n.nspname " + not_system)
                       .rows),
            std::vector<std::string>{"certkeeper"});
  EXPECT_EQ(db().scalar("SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
                        "WHERE n.nspname = 'public'"),
            "0");
  EXPECT_EQ(db().scalar("SELECT count(*) FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace "
                        "WHERE n.nspname = 'public'"),
            "0");
  EXPECT_EQ(db().scalar("SELECT count(*) FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid JOIN "
                        "pg_namespace n ON n.oid = c.relnamespace WHERE NOT t.tgisinternal AND n.nspname = "
                        "'certkeeper'"),
            "7");  // versions: no_delete, no_rewrite, key_only_sealed, no_truncate; events: three
}

// The same statements on both dialects, after the same rows were put in:
// each one is refused on both or allowed on both. Statements that name the
// schema are written for PostgreSQL; "certkeeper." is dropped for SQLite.
TEST_F(PostgresqlSchemaTest, AppendOnlyTriggersRefuseAndAllowWhatSqlitesDo) {
  ASSERT_EQ(pg_migrate(db()).error, "");
  const std::string lite = sqlite_inventory();
  const std::string rows =
      "INSERT INTO certkeeper.certificates (id, name, source, created_at, updated_at) VALUES (1, 'a', 'manual', 1, "
      "1);"
      "INSERT INTO certkeeper.cert_versions (id, certificate_id, version, leaf_pem, chain_pem, root_pem, key_pem, "
      "fingerprint_sha256, serial, subject, issuer, issuer_cn, names, key_type, not_before, not_after, origin, "
      "created_at) VALUES (1, 1, 1, 'leaf', '', '', 'PLAIN KEY', 'ff', '01', 'CN=a', 'CN=ca', 'ca', '[\"a\"]', "
      "'ec-p256', 1, 2, 'manual', 1);"
      "INSERT INTO certkeeper.events (id, at, certificate_id, certificate_name, kind, actor) VALUES (1, 1, 1, 'a', "
      "'import', 'test');";
  auto for_sqlite = [](std::string sql) {
    for (std::size_t at; (at = sql.find("certkeeper.")) != std::string::npos;) sql.erase(at, 11);
    return sql;
  };
  ASSERT_TRUE(db().exec(rows).ok);
  ASSERT_EQ(testing::raw_exec(lite, for_sqlite(rows)), SQLITE_OK);

  struct Case {
    std::string sql;
    bool allowed;
    std::string message;  // part of the refusal, on PostgreSQL
  };
  const std::string append_only = "cert_versions is append-only";
  const std::string sealed_only = "a stored key may only be replaced by its encrypted form";
  const std::vector<Case> cases = {
      {"UPDATE certkeeper.cert_versions SET leaf_pem = 'other' WHERE id = 1", false, append_only},
      {"UPDATE certkeeper.cert_versions SET not_after = 3 WHERE id = 1", false, append_only},
      {"UPDATE certkeeper.cert_versions SET findings = findings WHERE id = 1", false, append_only},
      {"DELETE FROM certkeeper.cert_versions WHERE id = 1", false, append_only},
      {"UPDATE certkeeper.cert_versions SET key_pem = 'OTHER PLAIN KEY' WHERE id = 1", false, sealed_only},
      {"UPDATE certkeeper.cert_versions SET key_pem = 'ck-aesgcm-v1' WHERE id = 1", false, sealed_only},
      // A revocation is the one ordinary update.
      {"UPDATE certkeeper.cert_versions SET revoked_at = 5, revoke_reason = 'keyCompromise' WHERE id = 1", true, ""},
      // The key replaced by its encrypted form (init --encrypt-keys)...
      {"UPDATE certkeeper.cert_versions SET key_pem = 'ck-aesgcm-v1:sealed-1' WHERE id = 1", true, ""},
      // ...and re-encrypted under a new key file (keys rotate)...
      {"UPDATE certkeeper.cert_versions SET key_pem = 'ck-aesgcm-v1:sealed-2' WHERE id = 1", true, ""},
      // ...but never back to plaintext, nor together with another column.
      {"UPDATE certkeeper.cert_versions SET key_pem = 'PLAIN KEY' WHERE id = 1", false, sealed_only},
      {"UPDATE certkeeper.cert_versions SET key_pem = 'ck-aesgcm-v1:sealed-3', serial = '02' WHERE id = 1", false,
       append_only},
      {"UPDATE certkeeper.events SET detail = '{\"x\":1}' WHERE id = 1", false, "events is append-only"},
      {"UPDATE certkeeper.events SET kind = kind WHERE id = 1", false, "events is append-only"},
      {"DELETE FROM certkeeper.events WHERE id = 1", false, "events is append-only"},
      // Other tables stay writable.
      {"UPDATE certkeeper.certificates SET status = 'retired' WHERE id = 1", true, ""},
  };
  for (const auto& c : cases) {
    PgOutcome pg = db().exec(c.sql);
    const int lite_rc = testing::raw_exec(lite, for_sqlite(c.sql));
    EXPECT_EQ(pg.ok, c.allowed) << c.sql << ": " << pg.error;
    EXPECT_EQ(lite_rc == SQLITE_OK, c.allowed) << "SQLite: " << c.sql;
    if (!c.allowed) {
      EXPECT_NE(pg.error.find(c.message), std::string::npos) << c.sql << ": " << pg.error;
    }
  }
  // Both hold the same row at the end.
  const std::string version = "SELECT key_pem, revoked_at, revoke_reason, leaf_pem, serial FROM certkeeper.cert_versions";
  EXPECT_EQ(joined(db().exec(version).rows), sqlite_rows(lite, for_sqlite(version)));
  EXPECT_EQ(joined(db().exec(version).rows),
            std::vector<std::string>{"ck-aesgcm-v1:sealed-2|5|keyCompromise|leaf|01"});
  EXPECT_EQ(db().scalar("SELECT count(*) FROM certkeeper.events"), "1");

  // TRUNCATE, which SQLite lacks, skips row triggers on PostgreSQL: refused too.
  for (const std::string table : {"cert_versions", "events"}) {
    PgOutcome t = db().exec("TRUNCATE certkeeper." + table + " CASCADE");
    EXPECT_FALSE(t.ok) << table;
    EXPECT_NE(t.error.find(table + " is append-only"), std::string::npos) << t.error;
  }
}

// The SQLite runner applies only what is above the recorded version: a
// second run is a no-op. The PostgreSQL migrations, like SQLite's, are not
// idempotent SQL themselves: applied again they fail and roll back whole.
TEST_F(PostgresqlSchemaTest, ApplyingTheSetAgainChangesNothingAsOnSqlite) {
  ASSERT_EQ(pg_migrate(db()).error, "");
  const std::string versions = "SELECT version, file FROM certkeeper.schema_version ORDER BY version";
  const auto before = joined(db().exec(versions).rows);
  PgMigrated again = pg_migrate(db());
  EXPECT_EQ(again.error, "");
  EXPECT_TRUE(again.applied.empty());
  EXPECT_EQ(joined(db().exec(versions).rows), before);

  const std::string lite = sqlite_inventory();
  ASSERT_TRUE(Inventory::open(lite, OpenMode::existing).has_value());  // the store's runner, again
  EXPECT_EQ(sqlite_rows(lite, "SELECT version, file FROM schema_version ORDER BY version"), before);

  const std::string objects =
      "SELECT (SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = "
      "'certkeeper') || '/' || (SELECT count(*) FROM pg_trigger WHERE NOT tgisinternal)";
  const std::string objects_before = db().scalar(objects);
  for (std::size_t i = 0; i < postgresql_migrations().size(); ++i) {
    const Migration& m = postgresql_migrations()[i];
    PgOutcome raw = db().exec(std::string("BEGIN;\n") + m.sql + "\n;COMMIT;");
    if (!raw.ok) db().exec("ROLLBACK");
    const std::string lite_sql = std::string("BEGIN;\n") + embedded_migrations()[i].sql + "\n;COMMIT;";
    // 0008 (a mark) and 0009 (drops its triggers first) run again harmlessly on both.
    EXPECT_EQ(raw.ok, testing::raw_exec(lite, lite_sql) == SQLITE_OK) << m.file << ": " << raw.error;
  }
  EXPECT_EQ(db().scalar(objects), objects_before);
  EXPECT_EQ(joined(db().exec(versions).rows), before);
}

// Nobody can add a table or a column to one dialect and forget the other:
// the same tables with the same columns, each NOT NULL on both or on
// neither (a primary key counts as NOT NULL).
TEST_F(PostgresqlSchemaTest, BothDialectsHaveTheSameTablesAndColumns) {
  ASSERT_EQ(pg_migrate(db()).error, "");
  const std::string lite = sqlite_inventory();
  auto lite_columns = sqlite_rows(
      lite,
      "SELECT m.name || '.' || p.name || CASE WHEN p.\"notnull\" OR p.pk > 0 THEN ' not null' ELSE '' END "
      "FROM sqlite_master m, pragma_table_info(m.name) p WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite_%'");
  auto pg_columns = joined(db().exec("SELECT table_name || '.' || column_name || CASE WHEN is_nullable = 'NO' THEN "
                                     "' not null' ELSE '' END FROM information_schema.columns WHERE table_schema = "
                                     "'certkeeper'")
                               .rows);
  std::sort(lite_columns.begin(), lite_columns.end());
  std::sort(pg_columns.begin(), pg_columns.end());
  EXPECT_EQ(pg_columns, lite_columns);
  EXPECT_GT(pg_columns.size(), 90u);
  EXPECT_NE(std::find(pg_columns.begin(), pg_columns.end(), "schema_version.version not null"), pg_columns.end());
}

}  // namespace
}  // namespace certkeeper::store
