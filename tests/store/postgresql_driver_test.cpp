// The PostgreSQL driver (src/store/postgresql, certkeeper-pq.so, loaded by
// sql::connect_postgresql from the build dir) against a real PostgreSQL 15
// (tests/support/postgres.h), each test in a fresh database: placeholders,
// round trips, changes(), RETURNING, the write lock between two
// connections, statement_timeout, an unreachable server, a session
// terminated under us, a refused password. The placeholder rewriting is
// also tested on its own (it is compiled into this binary too).
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cctype>
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "certkeeper/util/module_loader.h"
#include "store/postgresql/placeholders.h"
#include "store/sql/pq_loader.h"
#include "support/loopback.h"
#include "support/postgres.h"
#include "support/spawn.h"
#include "support/temp_dir.h"

namespace certkeeper::store::sql {
namespace {

using PgClock = std::chrono::steady_clock;

// ---- the rewriting alone ----

TEST(PostgresqlPlaceholders, NumbersAsSqliteDoes) {
  auto r = pq::rewrite_placeholders("SELECT ?, ?, ?");
  EXPECT_EQ(r.sql, "SELECT $1, $2, $3");
  EXPECT_EQ(r.parameters, 3);
  r = pq::rewrite_placeholders("?2, ?, ?1");
  EXPECT_EQ(r.sql, "$2, $3, $1");
  EXPECT_EQ(r.parameters, 3);
  r = pq::rewrite_placeholders("a = :a AND b = :b_2 OR a2 = :a");
  EXPECT_EQ(r.sql, "a = $1 AND b = $2 OR a2 = $1");
  ASSERT_EQ(r.names.size(), 2u);
  EXPECT_EQ(r.names[0], std::make_pair(std::string(":a"), 1));
  EXPECT_EQ(r.names[1], std::make_pair(std::string(":b_2"), 2));
  // A name after ?3 takes the next number, as in SQLite.
  r = pq::rewrite_placeholders("?3 :x ? :x");
  EXPECT_EQ(r.sql, "$3 $4 $5 $4");
  EXPECT_EQ(r.parameters, 5);
}

TEST(PostgresqlPlaceholders, LeavesLiteralsCommentsAndCastsAlone) {
  auto r = pq::rewrite_placeholders("SELECT '?:a', 'it''s ?', \"col?:x\", x::text, y::BIGINT -- ? :c\n, :d");
  EXPECT_EQ(r.sql, "SELECT '?:a', 'it''s ?', \"col?:x\", x::text, y::BIGINT -- ? :c\n, $1");
  EXPECT_EQ(r.parameters, 1);
  r = pq::rewrite_placeholders("/* ? :a */ ? E'\\'?' $$ ? :b $$ $tag$ ? $tag$ $1 a[1:2]");
  EXPECT_EQ(r.sql, "/* ? :a */ $1 E'\\'?' $$ ? :b $$ $tag$ ? $tag$ $1 a[1:2]");
  EXPECT_EQ(r.parameters, 1);
  EXPECT_TRUE(r.names.empty());
  // Unterminated quotes and comments end the text without a crash.
  EXPECT_EQ(pq::rewrite_placeholders("'?").sql, "'?");
  EXPECT_EQ(pq::rewrite_placeholders("/* ?").sql, "/* ?");
  EXPECT_EQ(pq::rewrite_placeholders("?").sql, "$1");
  EXPECT_EQ(pq::rewrite_placeholders("a:").sql, "a:");
}

// ---- the loader without its module ----

// Run only by the lone copy of this binary (below), which has no module beside it.
TEST(PostgresqlLoader, DISABLED_NamesTheMissingModuleAndWhatToDo) {
  pq::ConnectOptions o;
  o.uri = "postgresql://ck@127.0.0.1:9/postgres";
  Failure f;
  EXPECT_FALSE(connect_postgresql(o, f));
  RecordProperty("message", f.message);
  EXPECT_EQ(f.kind, FailureKind::other) << f.message;
  EXPECT_NE(f.message.find("certkeeper-pq.so"), std::string::npos) << f.message;
  EXPECT_NE(f.message.find("reinstall certkeeper"), std::string::npos) << f.message;
  EXPECT_EQ(f.message.find('\n'), std::string::npos) << f.message;
}

TEST(PostgresqlLoader, MissingModuleFailsWithoutLibpq) {
  auto dirs = module_dirs();
  if (std::filesystem::exists(dirs.back() + "/" + pq::kFile)) {
    GTEST_SKIP() << "certkeeper is installed on this machine: the lone binary would find its module";
  }
  testing::TempDir dir;
  const std::string self = std::filesystem::read_symlink("/proc/self/exe").string();
  const std::string lone = dir.file("store_tests");
  std::error_code ec;
  std::filesystem::create_hard_link(self, lone, ec);
  if (ec) std::filesystem::copy_file(self, lone, ec);
  ASSERT_FALSE(ec) << ec.message();
  auto r = testing::spawn({lone, "--gtest_also_run_disabled_tests",
                           "--gtest_filter=PostgresqlLoader.DISABLED_NamesTheMissingModuleAndWhatToDo"});
  EXPECT_TRUE(r.exited(0)) << r.describe() << "\n" << r.out << r.err;
  EXPECT_NE(r.out.find("[  PASSED  ] 1 test"), std::string::npos) << r.out;
}

// ---- against the server ----

Param int_param(std::int64_t v) { return Param{Param::Type::integer, v, {}}; }
Param text_param(std::string v) { return Param{Param::Type::text, 0, std::move(v)}; }
Param blob_param(std::string v) { return Param{Param::Type::blob, 0, std::move(v)}; }
Param null_param() { return Param{}; }

class PostgresqlDriver : public ::testing::Test {
 protected:
  void SetUp() override {
    try {
      server_ = &testing::shared_postgres();
    } catch (const std::exception& e) {
      FAIL() << e.what();
    }
    const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
    db_ = "drv_";
    for (char c : std::string(info->name())) db_ += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    auto admin = open("postgres");
    ASSERT_TRUE(admin);
    Failure f;
    ASSERT_TRUE(admin->exec("DROP DATABASE IF EXISTS " + db_, f)) << f.message;
    ASSERT_TRUE(admin->exec("CREATE DATABASE " + db_, f)) << f.message;
    driver_ = open(db_);
    ASSERT_TRUE(driver_);
    ASSERT_TRUE(driver_->exec("CREATE SCHEMA certkeeper", f)) << f.message;
  }

  pq::ConnectOptions options(const std::string& uri) {
    uri_ = uri;
    pq::ConnectOptions o;
    o.uri = uri_.c_str();
    o.application_name = "certkeeper driver test";
    o.connect_timeout_s = 5;
    return o;
  }

  std::unique_ptr<Driver> open(const std::string& db, const char* application_name = nullptr,
                               int lock_timeout_ms = 30000, int statement_timeout_ms = 60000) {
    pq::ConnectOptions o = options(server_->conninfo(db));
    if (application_name != nullptr) o.application_name = application_name;
    o.lock_timeout_ms = lock_timeout_ms;
    o.statement_timeout_ms = statement_timeout_ms;
    Failure f;
    auto d = connect_postgresql(o, f);
    EXPECT_TRUE(d) << f.message;
    return d;
  }

  // Runs `sql` and returns its first row's column `column` as text.
  std::string scalar(Driver& d, const std::string& sql, const std::vector<Param>& params = {}, int column = 0) {
    Failure f;
    auto c = d.prepare(sql, f);
    EXPECT_TRUE(c) << f.message;
    if (!c) return {};
    int rc = c->step(params, f);
    EXPECT_EQ(rc, 1) << sql << ": " << f.message;
    if (rc != 1) return {};
    return c->is_null(column) ? "NULL" : std::string(c->text(column));
  }

  // Runs `sql` to its end: the rows it changed, or -1.
  std::int64_t run(Driver& d, const std::string& sql, const std::vector<Param>& params, Failure& f) {
    auto c = d.prepare(sql, f);
    if (!c) return -1;
    int rc;
    while ((rc = c->step(params, f)) == 1) {
    }
    return rc == 0 ? c->changes() : -1;
  }

  testing::Postgres* server_ = nullptr;
  std::string db_;
  std::string uri_;
  std::unique_ptr<Driver> driver_;
};

TEST_F(PostgresqlDriver, LoadsTheModuleFromTheBuildDir) {
  auto dirs = module_dirs();
  ASSERT_FALSE(dirs.empty());
  struct stat st {};
  EXPECT_EQ(::stat((dirs.front() + "/" + pq::kFile).c_str(), &st), 0) << dirs.front();
  EXPECT_EQ(driver_->dialect(), Dialect::postgresql);
  // The session's settings.
  EXPECT_EQ(scalar(*driver_, "SHOW search_path"), "certkeeper");
  EXPECT_EQ(scalar(*driver_, "SHOW TimeZone"), "UTC");
  EXPECT_EQ(scalar(*driver_, "SHOW client_encoding"), "UTF8");
  EXPECT_EQ(scalar(*driver_, "SHOW lock_timeout"), "30s");
  EXPECT_EQ(scalar(*driver_, "SHOW statement_timeout"), "1min");
  EXPECT_EQ(scalar(*driver_, "SELECT application_name FROM pg_stat_activity WHERE pid = pg_backend_pid()"),
            "certkeeper driver test");
  // The URI's options pass through; the application name stays ours.
  pq::ConnectOptions o = options(server_->conninfo(db_) + " application_name=theirs options='-c work_mem=7MB'");
  Failure f;
  auto other = connect_postgresql(o, f);
  ASSERT_TRUE(other) << f.message;
  EXPECT_EQ(scalar(*other, "SHOW work_mem"), "7MB");
  EXPECT_EQ(scalar(*other, "SELECT application_name FROM pg_stat_activity WHERE pid = pg_backend_pid()"),
            "certkeeper driver test");
}

TEST_F(PostgresqlDriver, RoundTripsEveryType) {
  Failure f;
  ASSERT_TRUE(driver_->exec("CREATE TABLE t (id BIGSERIAL PRIMARY KEY, i BIGINT, s TEXT, b BYTEA, flag BOOLEAN);"
                            "CREATE TABLE u (k TEXT PRIMARY KEY)",
                            f))
      << f.message;
  std::string blob;
  for (int i = 0; i < 256; ++i) blob += static_cast<char>(i);
  const std::string utf8 = "Gr\xC3\xBC\xC3\x9F" "e \xE8\xA8\xBC\xE6\x98\x8E\xE6\x9B\xB8 \xF0\x9F\x94\x90 'quote' \\ ?";
  const std::string big(1 << 20, 'x');

  auto insert = driver_->prepare("INSERT INTO t (i, s, b, flag) VALUES (?, ?, ?, ?) RETURNING id", f);
  ASSERT_TRUE(insert) << f.message;
  struct Row {
    Param i, s, b, flag;
  };
  std::vector<Row> rows_in = {
      {int_param(INT64_MAX), text_param(utf8), blob_param(blob), int_param(1)},
      {int_param(INT64_MIN), text_param(big), blob_param(""), int_param(0)},
      {null_param(), null_param(), null_param(), null_param()},
  };
  std::vector<std::int64_t> ids;
  for (const Row& r : rows_in) {
    insert->reset();
    ASSERT_EQ(insert->step({r.i, r.s, r.b, r.flag}, f), 1) << f.message;
    ids.push_back(insert->integer(0));
    EXPECT_EQ(insert->step({}, f), 0);
    EXPECT_EQ(insert->changes(), 1);
  }
  EXPECT_EQ(ids, (std::vector<std::int64_t>{1, 2, 3}));

  auto select = driver_->prepare("SELECT i, s, b, flag, s IS NULL FROM t WHERE id = :id", f);
  ASSERT_TRUE(select) << f.message;
  int id = select->parameter_index(":id");
  EXPECT_EQ(id, 1);
  EXPECT_EQ(select->parameter_index(":other"), 0);

  ASSERT_EQ(select->step({int_param(1)}, f), 1) << f.message;
  EXPECT_EQ(select->integer(0), INT64_MAX);
  EXPECT_EQ(select->text(1), utf8);
  EXPECT_EQ(select->text(2), blob);
  EXPECT_EQ(select->integer(3), 1);
  EXPECT_EQ(select->integer(4), 0);
  EXPECT_FALSE(select->is_null(2));
  EXPECT_EQ(select->step({}, f), 0);

  select->reset();
  ASSERT_EQ(select->step({int_param(2)}, f), 1) << f.message;
  EXPECT_EQ(select->integer(0), INT64_MIN);
  EXPECT_EQ(select->text(1).size(), big.size());
  EXPECT_EQ(select->text(1), big);
  EXPECT_FALSE(select->is_null(2));
  EXPECT_EQ(select->text(2), "");
  EXPECT_EQ(select->integer(3), 0);

  select->reset();
  ASSERT_EQ(select->step({int_param(3)}, f), 1) << f.message;
  for (int c = 0; c < 4; ++c) EXPECT_TRUE(select->is_null(c)) << c;
  EXPECT_EQ(select->integer(0), 0);
  EXPECT_EQ(select->text(1), "");
  EXPECT_EQ(select->integer(4), 1);

  // Fewer parameters than placeholders: the rest are NULL, as in SQLite.
  select->reset();
  EXPECT_EQ(select->step({}, f), 0) << f.message;

  // changes(): an UPDATE of two rows, a DELETE of none, a SELECT.
  Failure g;
  EXPECT_EQ(run(*driver_, "UPDATE t SET s = ? WHERE id <= ?", {text_param("z"), int_param(2)}, g), 2) << g.message;
  EXPECT_EQ(run(*driver_, "DELETE FROM t WHERE id > ?", {int_param(100)}, g), 0) << g.message;
  EXPECT_EQ(run(*driver_, "SELECT * FROM t", {}, g), 0) << g.message;
  // Text parameters whose type the server infers; a cast survives.
  EXPECT_EQ(scalar(*driver_, "SELECT ?::bigint + ?", {text_param("40"), int_param(2)}), "42");
  EXPECT_EQ(scalar(*driver_, "SELECT CAST(? AS BIGINT) - 1", {int_param(INT64_MAX)}), std::to_string(INT64_MAX - 1));
  EXPECT_EQ(scalar(*driver_, "SELECT count(*) FROM t WHERE flag = ? OR i = ?", {int_param(1), int_param(INT64_MIN)}),
            "2");
  EXPECT_EQ(run(*driver_, "UPDATE t SET flag = ? WHERE id = ?", {int_param(0), int_param(1)}, g), 1) << g.message;
  EXPECT_EQ(scalar(*driver_, "SELECT length(?)", {text_param(utf8)}), "23");

  // A constraint.
  EXPECT_EQ(run(*driver_, "INSERT INTO u VALUES (?)", {text_param("a")}, g), 1) << g.message;
  EXPECT_EQ(run(*driver_, "INSERT INTO u VALUES (?)", {text_param("a")}, g), -1);
  EXPECT_EQ(g.kind, FailureKind::constraint) << g.message;
  EXPECT_NE(g.message.find("duplicate key"), std::string::npos) << g.message;
  EXPECT_EQ(g.message.find('\n'), std::string::npos) << g.message;
  // Another engine error.
  EXPECT_EQ(run(*driver_, "SELECT * FROM nowhere", {}, g), -1);
  EXPECT_EQ(g.kind, FailureKind::other) << g.message;
  EXPECT_NE(g.message.find("nowhere"), std::string::npos) << g.message;
}

TEST_F(PostgresqlDriver, TransactionsCommitAndRollBack) {
  Failure f;
  ASSERT_TRUE(driver_->exec("CREATE TABLE t (v BIGINT)", f)) << f.message;
  ASSERT_TRUE(driver_->begin(true, f)) << f.message;
  EXPECT_EQ(run(*driver_, "INSERT INTO t VALUES (1)", {}, f), 1) << f.message;
  driver_->rollback();
  ASSERT_TRUE(driver_->begin(true, f)) << f.message;
  EXPECT_EQ(run(*driver_, "INSERT INTO t VALUES (2)", {}, f), 1) << f.message;
  ASSERT_TRUE(driver_->commit(f)) << f.message;
  EXPECT_EQ(scalar(*driver_, "SELECT string_agg(v::text, ',') FROM t"), "2");
  // A reading transaction refuses writes.
  ASSERT_TRUE(driver_->begin(false, f)) << f.message;
  EXPECT_EQ(run(*driver_, "INSERT INTO t VALUES (3)", {}, f), -1);
  EXPECT_NE(f.message.find("read-only"), std::string::npos) << f.message;
  // A failed transaction does not commit.
  Failure g;
  EXPECT_FALSE(driver_->commit(g));
  EXPECT_FALSE(g.message.empty());
  driver_->rollback();  // nothing open: harmless
  EXPECT_EQ(scalar(*driver_, "SELECT count(*) FROM t"), "1");
}

TEST_F(PostgresqlDriver, ASecondWriterIsBusyAndToldWhoHoldsTheLock) {
  auto holder = open(db_, "certkeeper install pid 4242");
  auto waiter = open(db_, "certkeeper renew", 300);
  ASSERT_TRUE(holder && waiter);
  Failure f;
  ASSERT_TRUE(holder->begin(true, f)) << f.message;
  // A reader is not held up by the writer.
  ASSERT_TRUE(waiter->begin(false, f)) << f.message;
  EXPECT_EQ(scalar(*waiter, "SELECT 1"), "1");
  waiter->rollback();

  auto start = PgClock::now();
  Failure busy;
  EXPECT_FALSE(waiter->begin(true, busy));
  auto waited = PgClock::now() - start;
  EXPECT_EQ(busy.kind, FailureKind::busy) << busy.message;
  EXPECT_NE(busy.message.find("certkeeper install pid 4242"), std::string::npos) << busy.message;
  EXPECT_NE(busy.message.find(scalar(*holder, "SELECT pg_backend_pid()")), std::string::npos) << busy.message;
  EXPECT_EQ(busy.message.find('\n'), std::string::npos) << busy.message;
  EXPECT_GE(waited, std::chrono::milliseconds(250));
  EXPECT_LT(waited, std::chrono::seconds(5));
  // Nothing is open to commit, and the session is usable at once.
  Failure nothing;
  EXPECT_FALSE(waiter->commit(nothing));
  EXPECT_EQ(scalar(*waiter, "SELECT 2"), "2");
  // A statement that waits for a row the holder changed is busy too.
  ASSERT_TRUE(holder->exec("CREATE TABLE IF NOT EXISTS r (v BIGINT); INSERT INTO r VALUES (1)", f)) << f.message;
  ASSERT_TRUE(holder->commit(f)) << f.message;
  ASSERT_TRUE(holder->begin(true, f)) << f.message;
  EXPECT_EQ(run(*holder, "UPDATE r SET v = 2", {}, f), 1) << f.message;
  Failure row;
  EXPECT_EQ(run(*waiter, "UPDATE r SET v = 3", {}, row), -1);
  EXPECT_EQ(row.kind, FailureKind::busy) << row.message;
  EXPECT_NE(row.message.find("certkeeper install pid 4242"), std::string::npos) << row.message;
  // The waiter gets the lock once it is free.
  ASSERT_TRUE(holder->commit(f)) << f.message;
  ASSERT_TRUE(waiter->begin(true, f)) << f.message;
  ASSERT_TRUE(waiter->commit(f)) << f.message;
}

TEST_F(PostgresqlDriver, AStatementPastStatementTimeoutTimesOut) {
  auto slow = open(db_, nullptr, 30000, 200);
  ASSERT_TRUE(slow);
  Failure f;
  auto start = PgClock::now();
  EXPECT_EQ(run(*slow, "SELECT pg_sleep(5)", {}, f), -1);
  EXPECT_LT(PgClock::now() - start, std::chrono::seconds(3));
  EXPECT_EQ(f.kind, FailureKind::timeout) << f.message;
  EXPECT_NE(f.message.find("statement_timeout (200ms)"), std::string::npos) << f.message;
  EXPECT_EQ(scalar(*slow, "SELECT 3"), "3");
}

TEST_F(PostgresqlDriver, WaitsTheAdministratorChoseAreKeptAndOnlyUnboundedOnesFilledIn) {
  pq::ConnectOptions o = options(server_->uri(db_) + "&options=-c%20lock_timeout%3D1234");
  o.lock_timeout_ms = 30000;
  o.statement_timeout_ms = 60000;
  Failure f;
  auto d = connect_postgresql(o, f);
  ASSERT_TRUE(d) << f.message;
  EXPECT_EQ(scalar(*d, "SHOW lock_timeout"), "1234ms") << "the URI's options win";
  EXPECT_EQ(scalar(*d, "SHOW statement_timeout"), "1min") << "ours where the session had none";
  server_->psql("postgres", "ALTER ROLE ck SET statement_timeout = '45s'");
  auto role = open(db_);
  server_->psql("postgres", "ALTER ROLE ck RESET statement_timeout");
  ASSERT_TRUE(role);
  EXPECT_EQ(scalar(*role, "SHOW statement_timeout"), "45s") << "the role's setting wins";
}

TEST_F(PostgresqlDriver, AServerNobodyRunsIsAConnectionFailureInBoundedTime) {
  int port = testing::free_ports(1).front();
  std::string uri = "postgresql://ck@127.0.0.1:" + std::to_string(port) + "/postgres";
  pq::ConnectOptions o = options(uri);
  Failure f;
  auto start = PgClock::now();
  auto d = connect_postgresql(o, f);
  EXPECT_LT(PgClock::now() - start, std::chrono::seconds(7));
  EXPECT_FALSE(d);
  EXPECT_EQ(f.kind, FailureKind::connection) << f.message;
  EXPECT_NE(f.message.find("127.0.0.1:" + std::to_string(port) + "/postgres"), std::string::npos) << f.message;
  EXPECT_NE(f.message.find("start the server"), std::string::npos) << f.message;
  EXPECT_EQ(f.message.find('\n'), std::string::npos) << f.message;
}

TEST_F(PostgresqlDriver, ASessionTerminatedUnderUsFailsEveryCallWithConnection) {
  Failure f;
  ASSERT_TRUE(driver_->exec("CREATE TABLE t (v BIGINT)", f)) << f.message;
  std::string pid = scalar(*driver_, "SELECT pg_backend_pid()");
  ASSERT_TRUE(driver_->begin(true, f)) << f.message;
  EXPECT_EQ(run(*driver_, "INSERT INTO t VALUES (1)", {}, f), 1) << f.message;

  auto admin = open(db_);
  ASSERT_TRUE(admin);
  EXPECT_EQ(scalar(*admin, "SELECT pg_terminate_backend(?::int)", {text_param(pid)}), "t");

  Failure lost;
  EXPECT_EQ(run(*driver_, "INSERT INTO t VALUES (2)", {}, lost), -1);
  EXPECT_EQ(lost.kind, FailureKind::connection) << lost.message;
  EXPECT_NE(lost.message.find("was lost and the transaction was rolled back"), std::string::npos) << lost.message;
  EXPECT_NE(lost.message.find(server_->socket_dir()), std::string::npos) << lost.message;
  EXPECT_EQ(lost.message.find('\n'), std::string::npos) << lost.message;
  // Every later call fails the same way, and nothing crashes.
  Failure again;
  EXPECT_FALSE(driver_->commit(again));
  EXPECT_EQ(again.kind, FailureKind::connection);
  driver_->rollback();
  EXPECT_FALSE(driver_->exec("SELECT 1", again));
  EXPECT_EQ(again.kind, FailureKind::connection);
  EXPECT_FALSE(driver_->begin(false, again));
  EXPECT_EQ(again.kind, FailureKind::connection);
  EXPECT_FALSE(driver_->prepare("SELECT 1", again));
  EXPECT_EQ(again.kind, FailureKind::connection);
  // Nothing of the transaction was written.
  EXPECT_EQ(scalar(*admin, "SELECT count(*) FROM t"), "0");
}

TEST_F(PostgresqlDriver, AWrongPasswordIsAnAuthenticationFailure) {
  // One role that must give a password over TCP (scram), whatever the
  // cluster's trust lines below say; the other tests' connections are unchanged.
  std::string hba = scalar(*driver_, "SHOW hba_file");
  ASSERT_FALSE(hba.empty());
  {
    std::ifstream in(hba);
    std::string old((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    if (old.find("ck_pw_role") == std::string::npos) {
      std::ofstream out(hba, std::ios::trunc);
      out << "host all ck_pw_role 127.0.0.1/32 scram-sha-256\n" << old;
      ASSERT_TRUE(out.good()) << hba;
    }
  }
  Failure f;
  ASSERT_TRUE(driver_->exec("DROP ROLE IF EXISTS ck_pw_role; CREATE ROLE ck_pw_role LOGIN PASSWORD 'right-one'", f))
      << f.message;
  EXPECT_EQ(scalar(*driver_, "SELECT pg_reload_conf()"), "t");

  testing::TempDir dir;
  auto passfile = [&](const std::string& password) {
    std::string path = dir.file("pgpass");
    std::ofstream(path, std::ios::trunc) << "127.0.0.1:" << server_->port() << ":*:ck_pw_role:" << password << "\n";
    ::chmod(path.c_str(), 0600);
    return path;
  };
  std::string base = "postgresql://ck_pw_role@127.0.0.1:" + std::to_string(server_->port()) + "/" + db_;

  // The reload is asynchronous: wait until the right password is needed.
  std::string nopass = base + "?passfile=" + dir.file("none");
  Failure refused;
  std::unique_ptr<Driver> d;
  for (int i = 0; i < 50; ++i) {
    pq::ConnectOptions o = options(nopass);
    d = connect_postgresql(o, refused);
    if (!d) break;
    d.reset();
    ::usleep(100000);
  }
  ASSERT_FALSE(d) << "the server never asked for a password";
  EXPECT_EQ(refused.kind, FailureKind::authentication) << refused.message;
  EXPECT_NE(refused.message.find("passfile"), std::string::npos) << refused.message;

  std::string wrong = base + "?passfile=" + passfile("wrong-one");
  pq::ConnectOptions o = options(wrong);
  Failure w;
  EXPECT_FALSE(connect_postgresql(o, w));
  EXPECT_EQ(w.kind, FailureKind::authentication) << w.message;
  EXPECT_NE(w.message.find("password authentication failed"), std::string::npos) << w.message;
  EXPECT_NE(w.message.find("127.0.0.1:" + std::to_string(server_->port())), std::string::npos) << w.message;
  EXPECT_EQ(w.message.find("wrong-one"), std::string::npos) << w.message;
  EXPECT_EQ(w.message.find('\n'), std::string::npos) << w.message;

  // The URI's own options pass through: the right passfile lets it in.
  std::string right = base + "?passfile=" + passfile("right-one") + "&sslmode=disable";
  o = options(right);
  Failure ok;
  auto good = connect_postgresql(o, ok);
  ASSERT_TRUE(good) << ok.message;
  EXPECT_EQ(scalar(*good, "SELECT current_user"), "ck_pw_role");
}

}  // namespace
}  // namespace certkeeper::store::sql
