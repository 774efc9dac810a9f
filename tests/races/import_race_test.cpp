// import x import: the same files imported by several processes at once
// store one version; the others say "unchanged", as they would one after
// another. The barrier is the inventory's own write lock (SQLite's, or on
// PostgreSQL the advisory lock every write transaction takes): the test
// holds it until every import has read the inventory and waits to write.
#include <sqlite3.h>

#include <memory>

#include "races/race_fixture.h"
#include "support/pg_session.h"

namespace certkeeper::testing {
namespace {

// Holds the inventory's write lock (BEGIN IMMEDIATE) while it lives.
class WriteLock {
 public:
  explicit WriteLock(const std::string& path) {
    if (sqlite3_open_v2(path.c_str(), &db_, SQLITE_OPEN_READWRITE, nullptr) != SQLITE_OK ||
        sqlite3_exec(db_, "BEGIN IMMEDIATE", nullptr, nullptr, nullptr) != SQLITE_OK) {
      ADD_FAILURE() << "cannot lock " << path << ": " << sqlite3_errmsg(db_);
    }
  }
  ~WriteLock() {
    sqlite3_exec(db_, "ROLLBACK", nullptr, nullptr, nullptr);
    sqlite3_close(db_);
  }
  WriteLock(const WriteLock&) = delete;
  WriteLock& operator=(const WriteLock&) = delete;

 private:
  sqlite3* db_ = nullptr;
};

class ImportRaceTest : public RaceTest {
 protected:
  void SetUp() override { init(); }

  // Starts `copies` imports of the same files while the write lock is held,
  // and releases it once each of them waits for it.
  std::vector<nlohmann::json> import_at_once(const Files& f, int copies) {
    auto args = with_db({"--json", "import", "web", "--cert", f.cert, "--key", f.key, "--chain", f.chain});
    std::vector<std::unique_ptr<Running>> runs;
    if (on_postgresql()) {
      // The advisory lock every write transaction takes (kWriteLockKey of
      // src/store/postgresql/pq_driver.cpp).
      const std::string write_lock = std::to_string(0x434B5052);
      PgSession lock(server_->conninfo(database_));
      lock.exec("SELECT pg_advisory_lock(" + write_lock + ")");
      for (int i = 0; i < copies; ++i) runs.push_back(std::make_unique<Running>(args));
      EXPECT_TRUE(lock.wait_for_waiters(copies, "locktype = 'advisory' AND objid = " + write_lock))
          << "each import has read and waits to write";
    } else {
      WriteLock lock(db());
      for (int i = 0; i < copies; ++i) runs.push_back(std::make_unique<Running>(args));
      for (auto& r : runs) EXPECT_TRUE(wait_blocked(r->pid())) << "each import has read and waits to write";
    }
    std::vector<nlohmann::json> docs;
    for (auto& r : runs) {
      const auto& res = r->result();
      EXPECT_TRUE(res.exited(0)) << res.describe() << res.out;
      docs.push_back(res.exited(0) ? nlohmann::json::parse(res.out) : nlohmann::json::object());
    }
    return docs;
  }

  static int count(const std::vector<nlohmann::json>& docs, const char* field) {
    int n = 0;
    for (const auto& d : docs) n += d.value(field, false) ? 1 : 0;
    return n;
  }
};

TEST_F(ImportRaceTest, ANewCertificateImportedThreeTimesAtOnceIsStoredOnce) {
  auto leaf = pki_.leaf();
  auto docs = import_at_once(write_set(leaf), 3);
  EXPECT_EQ(count(docs, "stored"), 1);
  EXPECT_EQ(count(docs, "unchanged"), 2) << "the others say unchanged, as one after another would";
  EXPECT_EQ(count(docs, "created"), 1);
  for (const auto& d : docs) EXPECT_EQ(d["version"], 1);
  EXPECT_EQ(expect_consistent("web"), 1u);
  EXPECT_EQ(events_of_kind("web", "imported").size(), 1u);
}

TEST_F(ImportRaceTest, ANewVersionImportedThreeTimesAtOnceIsStoredOnce) {
  auto v1 = pki_.leaf();
  auto v2 = pki_.leaf();
  auto f1 = write_set(v1, "v1-");
  ASSERT_EQ(ck({"import", "web", "--cert", f1.cert, "--key", f1.key, "--chain", f1.chain}).exit_code, 0);
  auto docs = import_at_once(write_set(v2, "v2-"), 3);
  EXPECT_EQ(count(docs, "stored"), 1);
  EXPECT_EQ(count(docs, "unchanged"), 2);
  for (const auto& d : docs) EXPECT_EQ(d["version"], 2);
  EXPECT_EQ(expect_consistent("web"), 2u);
}

}  // namespace
}  // namespace certkeeper::testing
