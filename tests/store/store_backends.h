// The store suite runs on both backends (issue 11): each fixture is
// parameterised by StoreBackend and opens a fresh inventory of it, a SQLite
// file in the test's temp dir or a new database on the test binary's real
// PostgreSQL server (support/postgres.h).
#pragma once

#include <gtest/gtest.h>

#include <string>

#include "certkeeper/crypto/key_wrap.h"
#include "certkeeper/store/inventory.h"
#include "certkeeper/store/location.h"
#include "store/store_fixtures.h"
#include "support/fixed_time.h"
#include "support/postgres.h"
#include "support/temp_dir.h"

namespace certkeeper::testing {

enum class StoreBackend { sqlite, postgresql };

inline std::string store_backend_name(const ::testing::TestParamInfo<StoreBackend>& info) {
  return info.param == StoreBackend::sqlite ? "Sqlite" : "Postgresql";
}

#define CK_ON_BOTH_BACKENDS(Suite)                                                                         \
  INSTANTIATE_TEST_SUITE_P(Backends, Suite,                                                              \
                           ::testing::Values(::certkeeper::testing::StoreBackend::sqlite,                \
                                             ::certkeeper::testing::StoreBackend::postgresql),           \
                           ::certkeeper::testing::store_backend_name)

// For the few tests of SQLite's own file or query plans: said in the
// output on PostgreSQL, never silent.
#define CK_SQLITE_ONLY(why)                                                              \
  if (GetParam() != ::certkeeper::testing::StoreBackend::sqlite) GTEST_SKIP() << "SQLite only: " << (why)

// A location with no inventory yet: a file in `dir`, or a new empty
// database on the PostgreSQL server (started on first use; its failure to
// start throws, and the test fails with the server's log).
inline std::string fresh_location(StoreBackend backend, const TempDir& dir) {
  if (backend == StoreBackend::sqlite) return dir.file("ck.db");
  Postgres& server = shared_postgres();
  return server.uri(server.create_database());
}

// A fresh inventory at `location` (fresh_location), open for writing. On
// PostgreSQL its private keys are encrypted under a key file made in `dir`
// (a shared database never holds a plaintext key): the key file is set
// with the setting key_file, so a later open finds it as a user's would.
inline Result<store::Inventory> open_fresh(StoreBackend backend, const TempDir& dir, std::string& location) {
  location = fresh_location(backend, dir);
  auto inv = store::Inventory::open(location, store::OpenMode::create);
  if (!inv || backend == StoreBackend::sqlite) return inv;
  const std::string key = dir.file("inventory.key");
  if (auto written = crypto::write_new_key_file(key); !written) return written.error();
  inv->use_key_file(key);
  if (auto encrypted = inv->encrypt_keys("test", kNow - 10 * kDay); !encrypted) return encrypted.error();
  return inv;
}

// Runs `sql` on the inventory at `location` outside the store (to set up
// what no store call makes): sqlite3_exec on the file, or psql on the
// database with the schema certkeeper first on the search path. "" when it
// ran, else what failed.
inline std::string raw_sql_failure(const std::string& location, const std::string& sql) {
  if (!store::is_postgresql_location(location)) {
    const int rc = raw_exec(location, sql);
    return rc == 0 ? "" : "sqlite3_exec " + std::to_string(rc) + ": " + sql;
  }
  // postgresql://ck@/DBNAME?host=...: the database is the path.
  const auto slash = location.find('/', std::string("postgresql://").size());
  const auto query = location.find('?', slash);
  const std::string dbname = location.substr(slash + 1, query - slash - 1);
  try {
    shared_postgres().psql(dbname, "SET search_path = certkeeper; " + sql);
    return "";
  } catch (const std::exception& e) {
    return e.what();
  }
}

// Whether it ran, saying nothing (for statements that must fail).
inline bool try_raw_sql(const std::string& location, const std::string& sql) {
  return raw_sql_failure(location, sql).empty();
}

// Whether it ran; a failure is added to the test.
inline bool raw_sql(const std::string& location, const std::string& sql) {
  const std::string failure = raw_sql_failure(location, sql);
  if (!failure.empty()) ADD_FAILURE() << failure;
  return failure.empty();
}

// inventory.events(name) without the event open_fresh's key set-up wrote
// on PostgreSQL ("keys-encrypted"), so that counts agree on both backends.
inline Result<std::vector<store::EventRecord>> own_events(store::Inventory& inv, const std::string& name) {
  auto events = inv.events(name);
  if (events) std::erase_if(*events, [](const store::EventRecord& e) { return e.kind == "keys-encrypted"; });
  return events;
}

// A fixture for tests that make their own inventories: fresh() opens a new
// one of the test's backend each time it is called.
class OnBothBackends : public ::testing::TestWithParam<StoreBackend> {
 protected:
  Result<store::Inventory> fresh() { return open_fresh(GetParam(), dir_, location_); }
  TempDir dir_;
  std::string location_;
};

}  // namespace certkeeper::testing
