#include "certkeeper/store/inventory.h"

#include <gtest/gtest.h>
#include <sqlite3.h>
#include <sys/stat.h>

#include "certkeeper/store/migrations.h"
#include "support/temp_dir.h"
#include "store/store_backends.h"
#include "store/store_fixtures.h"

namespace certkeeper::store {
namespace {

using testing::kNow;
using testing::definition;
using testing::raw_exec;

using testing::TempDir;


VersionRecord sample_version(UnixTime not_after, const std::string& fingerprint = "ab") {
  VersionRecord v;
  v.leaf_pem = "-----BEGIN CERTIFICATE-----\nleaf\n-----END CERTIFICATE-----\n";
  v.chain_pem = "chain";
  v.key_pem = "-----BEGIN PRIVATE KEY-----\nsecret\n-----END PRIVATE KEY-----\n";
  v.fingerprint_sha256 = fingerprint;
  v.serial = "01";
  v.subject = "CN=a.example.test";
  v.issuer = "CN=Test CA";
  v.issuer_cn = "Test CA";
  v.names = {"a.example.test", "b.example.test"};
  v.key_type = "ec-p256";
  v.not_before = not_after - 90 * kSecondsPerDay;
  v.not_after = not_after;
  v.origin = "import-pem";
  return v;
}

// Runs raw SQL on the file, bypassing the store; returns the SQLite result code.
// The behaviour every backend must share; the tests of SQLite's own file
// (modes, WAL, foreign files, triggers made with SQLite's syntax) follow as
// TEST(Inventory, ...), PostgreSQL's in postgresql_inventory_test.cpp.
class InventoryOnBoth : public testing::OnBothBackends {};
CK_ON_BOTH_BACKENDS(InventoryOnBoth);

TEST(Inventory, CreatesPrivateFileAndRecordsSchemaVersion) {
  TempDir dir;
  std::string path = dir.file("sub/dir/ck.db");
  auto inv = Inventory::open(path, OpenMode::create);
  ASSERT_TRUE(inv) << inv.error().what();
  EXPECT_EQ(testing::file_mode(path), 0600);
  EXPECT_EQ(testing::file_mode(dir.file("sub/dir")), 0700);
  ASSERT_TRUE(inv->set_settings({{"external_url", "https://mail.example.test"}}, "test", kNow));
  EXPECT_EQ(testing::file_mode(path + "-wal"), 0600);
  EXPECT_EQ(testing::file_mode(path + "-shm"), 0600);
  EXPECT_EQ(*inv->schema_version(), embedded_migrations().back().version);
}

TEST(Inventory, MissingFileIsNotFoundUnlessCreating) {
  TempDir dir;
  auto inv = Inventory::open(dir.file("none.db"), OpenMode::existing);
  ASSERT_FALSE(inv);
  EXPECT_EQ(inv.error().code, Errc::not_found);
  EXPECT_NE(inv.error().message.find("certkeeper init"), std::string::npos);
  EXPECT_FALSE(testing::file_mode(dir.file("none.db")) >= 0);
}

TEST(Inventory, GarbageFileIsCorruptAndUntouched) {
  TempDir dir;
  std::string path = dir.file("ck.db");
  std::string garbage(8192, 'x');
  testing::write_file(path, garbage);
  for (auto mode : {OpenMode::existing, OpenMode::read_only, OpenMode::create}) {
    auto inv = Inventory::open(path, mode);
    ASSERT_FALSE(inv);
    EXPECT_EQ(inv.error().code, Errc::database_corrupt) << inv.error().what();
    EXPECT_EQ(inv.error().subject, path);
  }
  EXPECT_EQ(testing::read_file(path), garbage);
}

TEST(Inventory, ForeignSqliteDatabaseIsRefused) {
  TempDir dir;
  std::string path = dir.file("other.db");
  ASSERT_EQ(raw_exec(path, "CREATE TABLE mail (id INTEGER)"), SQLITE_OK);
  auto inv = Inventory::open(path, OpenMode::existing);
  ASSERT_FALSE(inv);
  EXPECT_EQ(inv.error().code, Errc::database_corrupt);
}

// One integer from raw SQL on the file, bypassing the store.
std::int64_t raw_int(const std::string& path, const std::string& sql) {
  sqlite3* db = nullptr;
  sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READONLY, nullptr);
  sqlite3_stmt* q = nullptr;
  std::int64_t value = -1;
  if (sqlite3_prepare_v2(db, sql.c_str(), -1, &q, nullptr) == SQLITE_OK && sqlite3_step(q) == SQLITE_ROW) {
    value = sqlite3_column_int64(q, 0);
  }
  sqlite3_finalize(q);
  sqlite3_close(db);
  return value;
}

struct FileState {
  std::string bytes;
  mode_t mode = 0;
  std::int64_t mtime_ns = 0;
  bool operator==(const FileState&) const = default;
};

FileState file_state(const std::string& path) {
  struct stat st {};
  EXPECT_EQ(::stat(path.c_str(), &st), 0) << path;
  return {testing::read_file(path), st.st_mode, st.st_mtim.tv_sec * 1'000'000'000LL + st.st_mtim.tv_nsec};
}

// README "The inventory file": a file is recognised read-only before
// anything is written, so another program's database, an empty SQLite
// database and a zero-byte file stay byte for byte (no WAL switch, no
// chmod, no side files), whichever command was pointed at them.
TEST(Inventory, FilesThatAreNotOursAreNeverWritten) {
  TempDir dir;
  const std::string foreign = dir.file("other.db");
  ASSERT_EQ(raw_exec(foreign, "CREATE TABLE mail (id INTEGER); INSERT INTO mail VALUES (1)"), SQLITE_OK);
  const std::string marked = dir.file("marked.db");  // another program's application_id
  ASSERT_EQ(raw_exec(marked, "PRAGMA application_id = 1234; CREATE TABLE schema_version (version INTEGER)"),
            SQLITE_OK);
  const std::string header_only = dir.file("header-only.db");
  ASSERT_EQ(raw_exec(header_only, "PRAGMA user_version = 3"), SQLITE_OK);
  // SQLite makes a WAL database's -wal and -shm even for a read-only look.
  const std::string wal = dir.file("wal mode?#%.db");
  ASSERT_EQ(raw_exec(wal, "PRAGMA journal_mode = WAL; CREATE TABLE mail (id INTEGER)"), SQLITE_OK);
  const std::string zero = dir.file("zero.db");
  testing::write_file(zero, "");
  for (const std::string& path : {foreign, marked, header_only, wal, zero}) {
    ::chmod(path.c_str(), 0644);
    const FileState before = file_state(path);
    for (auto mode : {OpenMode::existing, OpenMode::read_only, OpenMode::create}) {
      if (path == zero && mode == OpenMode::create) continue;  // init may make an inventory of it
      auto inv = Inventory::open(path, mode);
      ASSERT_FALSE(inv) << path << " was taken for an inventory";
      EXPECT_EQ(inv.error().code, Errc::database_corrupt) << inv.error().what();
      EXPECT_NE(inv.error().message.find("not a certkeeper inventory"), std::string::npos) << inv.error().what();
      EXPECT_NE(inv.error().message.find("nothing was changed"), std::string::npos) << inv.error().what();
      EXPECT_EQ(inv.error().subject, path);
    }
    EXPECT_TRUE(file_state(path) == before) << path << " changed";
    for (const char* side : {"-wal", "-shm", "-journal"}) {
      EXPECT_LT(testing::file_mode(path + side), 0) << path << side << " was created";
    }
  }
}

TEST(Inventory, AFileThatIsNotRegularIsRefused) {
  TempDir dir;
  const std::string fifo = dir.file("fifo.db");
  ASSERT_EQ(::mkfifo(fifo.c_str(), 0600), 0);
  for (auto mode : {OpenMode::existing, OpenMode::read_only, OpenMode::create}) {
    auto inv = Inventory::open(fifo, mode);  // SQLite itself would block on it
    ASSERT_FALSE(inv);
    EXPECT_EQ(inv.error().code, Errc::database_corrupt);
    EXPECT_NE(inv.error().message.find("not a regular file"), std::string::npos) << inv.error().what();
  }
}

TEST(Inventory, InitMakesAnInventoryOfAZeroByteFile) {
  TempDir dir;
  const std::string path = dir.file("ck.db");
  testing::write_file(path, "");
  auto inv = Inventory::open(path, OpenMode::create);
  ASSERT_TRUE(inv) << inv.error().what();
  EXPECT_EQ(*inv->schema_version(), embedded_migrations().back().version);
}

// What an init leaves for a moment before its first migration commits: a
// header in WAL mode, no tables. A second init carries on; nothing else does.
TEST(Inventory, InitCarriesOnWithAFileAnotherInitJustStarted) {
  TempDir dir;
  const std::string path = dir.file("ck.db");
  ASSERT_EQ(raw_exec(path, "PRAGMA journal_mode = WAL"), SQLITE_OK);
  auto list = Inventory::open(path, OpenMode::existing);
  ASSERT_FALSE(list);
  EXPECT_EQ(list.error().code, Errc::database_corrupt);
  auto inv = Inventory::open(path, OpenMode::create);
  ASSERT_TRUE(inv) << inv.error().what();
  EXPECT_EQ(*inv->schema_version(), embedded_migrations().back().version);
}

TEST(Inventory, InventoriesCarryTheApplicationId) {
  TempDir dir;
  const std::string path = dir.file("ck.db");
  ASSERT_TRUE(Inventory::open(path, OpenMode::create));
  EXPECT_EQ(raw_int(path, "PRAGMA application_id"), 0x434B5052);
}

// Inventories made before migration 8 have no mark: recognised by their
// schema_version table, marked at their next migration.
TEST(Inventory, OldInventoriesAreRecognisedAndMarkedWhenMigrated) {
  TempDir dir;
  const std::string path = dir.file("ck.db");
  {
    auto inv = Inventory::open(path, OpenMode::create);
    ASSERT_TRUE(inv->append_version(definition("mail"), sample_version(kNow), "imported", "{}", "t", kNow));
  }
  // Undo what 0012 added (0008..0011 may run again).
  ASSERT_EQ(raw_exec(path, "PRAGMA application_id = 0; DELETE FROM schema_version WHERE version >= 8; "
                           "DROP INDEX certificates_pinned; ALTER TABLE certificates DROP COLUMN pinned_version"),
            SQLITE_OK);
  ASSERT_EQ(raw_int(path, "PRAGMA application_id"), 0);
  auto read_only = Inventory::open(path, OpenMode::read_only);
  ASSERT_FALSE(read_only);
  EXPECT_EQ(read_only.error().code, Errc::database) << "recognised, but older: " << read_only.error().what();
  auto inv = Inventory::open(path, OpenMode::existing);
  ASSERT_TRUE(inv) << inv.error().what();
  EXPECT_EQ(*inv->schema_version(), embedded_migrations().back().version);
  EXPECT_EQ(raw_int(path, "PRAGMA application_id"), 0x434B5052);
  EXPECT_EQ(inv->versions("mail")->size(), 1u);
}

TEST(Inventory, NewerSchemaIsRefusedAndNeverRewritten) {
  TempDir dir;
  std::string path = dir.file("ck.db");
  ASSERT_TRUE(Inventory::open(path, OpenMode::create));
  ASSERT_EQ(raw_exec(path, "INSERT INTO schema_version VALUES (9999, '9999_future.sql', 0)"), SQLITE_OK);
  std::string before = testing::read_file(path);
  auto inv = Inventory::open(path, OpenMode::existing);
  ASSERT_FALSE(inv);
  EXPECT_EQ(inv.error().code, Errc::database_newer);
  EXPECT_EQ(testing::read_file(path), before);
}

TEST_P(InventoryOnBoth, SettingsRoundTripWithEvent) {
  auto inv = fresh();
  ASSERT_TRUE(inv);
  ASSERT_TRUE(inv->set_settings({{"external_url", "https://a"}, {"email", "x@y"}}, "cli:test", kNow));
  EXPECT_EQ(**inv->setting("external_url"), "https://a");
  EXPECT_FALSE(*inv->setting("missing"));
  auto events = testing::own_events(*inv, "");
  ASSERT_TRUE(events);
  ASSERT_EQ(events->size(), 1u);
  EXPECT_EQ((*events)[0].kind, "settings-changed");
  EXPECT_EQ((*events)[0].actor, "cli:test");
  EXPECT_EQ((*events)[0].at, kNow);
}

TEST_P(InventoryOnBoth, AppendVersionIfNewStoresOnlyWhatTheCurrentVersionDoesNotHold) {
  auto inv = fresh();
  ASSERT_TRUE(inv);
  auto first = inv->append_version_if_new(definition("mail"), sample_version(kNow, "f1"), "imported", "{}", "t", kNow);
  ASSERT_TRUE(first) << first.error().what();
  EXPECT_TRUE(first->appended);
  EXPECT_EQ(first->version, 1);
  auto again = inv->append_version_if_new(definition("mail"), sample_version(kNow, "f1"), "imported", "{}", "t", kNow);
  ASSERT_TRUE(again);
  EXPECT_FALSE(again->appended) << "the current version holds it: nothing is written";
  EXPECT_EQ(again->version, 1);
  auto second = inv->append_version_if_new(definition("mail"), sample_version(kNow, "f2"), "imported", "{}", "t", kNow);
  ASSERT_TRUE(second);
  EXPECT_TRUE(second->appended);
  EXPECT_EQ(second->version, 2);
  // An older version is not the current one: going back to it is a new version.
  auto back = inv->append_version_if_new(definition("mail"), sample_version(kNow, "f1"), "imported", "{}", "t", kNow);
  ASSERT_TRUE(back);
  EXPECT_TRUE(back->appended);
  EXPECT_EQ(back->version, 3);
  EXPECT_EQ(inv->events("mail")->size(), 4u) << "created + three imports, none for the repeat";

  CertificateRecord acme = definition("web");
  acme.source = "acme";
  ASSERT_TRUE(inv->define_certificate(acme, "t", kNow));
  auto refused = inv->append_version_if_new(definition("web"), sample_version(kNow, "f3"), "imported", "{}", "t", kNow);
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().code, Errc::conflict);
  EXPECT_TRUE(inv->versions("web")->empty());
}

TEST_P(InventoryOnBoth, ADefinitionNeverTurnsACertificateOfAnotherSource) {
  auto inv = fresh();
  ASSERT_TRUE(inv);
  ASSERT_TRUE(inv->append_version(definition("mail"), sample_version(kNow), "imported", "{}", "t", kNow));
  CertificateRecord acme = definition("mail");
  acme.source = "acme";
  acme.domains = {"mail.example.test"};
  auto refused = inv->define_certificate(acme, "t", kNow);
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().code, Errc::conflict);
  EXPECT_EQ((*inv->find_certificate("mail"))->source, "manual");
  EXPECT_EQ(inv->versions("mail")->size(), 1u);
}

TEST_P(InventoryOnBoth, AppendVersionNumbersAndEvents) {
  auto inv = fresh();
  ASSERT_TRUE(inv);
  auto v1 = inv->append_version(definition("mail"), sample_version(kNow + 10 * kSecondsPerDay, "f1"),
                                "imported", "{}", "t", kNow);
  ASSERT_TRUE(v1) << v1.error().what();
  EXPECT_EQ(*v1, 1);
  auto v2 = inv->append_version(definition("mail"), sample_version(kNow + 90 * kSecondsPerDay, "f2"),
                                "imported", R"({"n":2})", "t", kNow + 5);
  EXPECT_EQ(*v2, 2);
  auto cert = inv->find_certificate("mail");
  ASSERT_TRUE(cert && *cert);
  EXPECT_EQ((*cert)->current_version, 2);
  EXPECT_EQ((*cert)->current_not_after, kNow + 90 * kSecondsPerDay);
  EXPECT_EQ((*cert)->source, "manual");

  auto versions = inv->versions("mail");
  ASSERT_EQ(versions->size(), 2u);
  EXPECT_TRUE((*versions)[0].key_pem.empty()) << "keys are loaded only on demand";
  EXPECT_EQ((*versions)[1].names, (std::vector<std::string>{"a.example.test", "b.example.test"}));
  auto with_key = inv->version_with_key("mail", 1);
  ASSERT_TRUE(with_key);
  EXPECT_NE(with_key->key_pem.find("secret"), std::string::npos);
  EXPECT_EQ(inv->version_with_key("mail", 7).error().code, Errc::not_found);
  EXPECT_EQ(**inv->version_by_fingerprint("mail", "f1"), 1);
  EXPECT_FALSE(*inv->version_by_fingerprint("mail", "zz"));

  auto events = inv->events("mail");
  ASSERT_EQ(events->size(), 3u);
  EXPECT_EQ((*events)[0].kind, "created");
  EXPECT_EQ((*events)[1].kind, "imported");
  EXPECT_EQ((*events)[2].detail_json, R"({"n":2})");
  EXPECT_EQ(inv->events("nope").error().code, Errc::not_found);
}

TEST_P(InventoryOnBoth, VersionsAndEventsAreAppendOnly) {
  {
    auto inv = fresh();
    ASSERT_TRUE(inv->append_version(definition("mail"), sample_version(kNow), "imported", "{}", "t", kNow));
  }
  EXPECT_FALSE(testing::try_raw_sql(location_, "DELETE FROM cert_versions"));
  EXPECT_FALSE(testing::try_raw_sql(location_, "UPDATE cert_versions SET leaf_pem = 'x'"));
  EXPECT_FALSE(testing::try_raw_sql(location_, "DELETE FROM events"));
  EXPECT_FALSE(testing::try_raw_sql(location_, "UPDATE events SET kind = 'x'"));
  EXPECT_TRUE(testing::try_raw_sql(location_, "UPDATE cert_versions SET revoked_at = 1"))
      << "marking a revocation stays possible";
}

TEST(Inventory, FailedAppendLeavesNoPartialRow) {
  TempDir dir;
  std::string path = dir.file("ck.db");
  auto inv = Inventory::open(path, OpenMode::create);
  ASSERT_TRUE(inv);
  // A trigger that fails the final event insert: the definition, the version
  // and the "created" event written before it in the transaction must vanish.
  ASSERT_EQ(raw_exec(path, "CREATE TRIGGER fail_import BEFORE INSERT ON events WHEN NEW.kind = 'imported' "
                           "BEGIN SELECT RAISE(ABORT, 'disk on fire'); END"),
            SQLITE_OK);
  auto v = inv->append_version(definition("mail"), sample_version(kNow), "imported", "{}", "t", kNow);
  ASSERT_FALSE(v);
  EXPECT_EQ(v.error().code, Errc::database);
  EXPECT_FALSE(*inv->find_certificate("mail"));
  EXPECT_TRUE(inv->events("")->empty());
}

TEST_P(InventoryOnBoth, ReportRowsSortedAndFilteredByExpiry) {
  auto inv = fresh();
  ASSERT_TRUE(inv);
  ASSERT_TRUE(inv->append_version(definition("late"), sample_version(kNow + 300 * kSecondsPerDay), "imported", "{}", "t", kNow));
  ASSERT_TRUE(inv->append_version(definition("soon"), sample_version(kNow + 3 * kSecondsPerDay), "imported", "{}", "t", kNow));
  ASSERT_TRUE(inv->append_version(definition("gone"), sample_version(kNow - kSecondsPerDay), "imported", "{}", "t", kNow));
  auto all = inv->report_rows(std::nullopt);
  ASSERT_EQ(all->size(), 3u);
  EXPECT_EQ((*all)[0].name, "gone");
  EXPECT_EQ((*all)[1].name, "soon");
  EXPECT_EQ((*all)[2].name, "late");
  EXPECT_EQ((*all)[1].issuer_cn, "Test CA");
  auto due = inv->report_rows(kNow + 30 * kSecondsPerDay);
  ASSERT_EQ(due->size(), 2u);
  EXPECT_EQ((*due)[1].name, "soon");
}

TEST(Inventory, ReadOnlyOpenDoesNotChangeTheFile) {
  TempDir dir;
  std::string path = dir.file("ck.db");
  {
    auto inv = Inventory::open(path, OpenMode::create);
    ASSERT_TRUE(inv->append_version(definition("mail"), sample_version(kNow), "imported", "{}", "t", kNow));
  }
  std::string before = testing::read_file(path);
  {
    auto inv = Inventory::open(path, OpenMode::read_only);
    ASSERT_TRUE(inv) << inv.error().what();
    EXPECT_EQ(inv->report_rows(std::nullopt)->size(), 1u);
  }
  EXPECT_EQ(testing::read_file(path), before);
}

}  // namespace
}  // namespace certkeeper::store

namespace certkeeper::store {
namespace {

TEST(Inventory, BulkAppendIsAllOrNothing) {
  TempDir dir;
  std::string path = dir.file("ck.db");
  auto inv = Inventory::open(path, OpenMode::create);
  ASSERT_TRUE(inv);
  std::vector<Inventory::NewVersion> items;
  for (int i = 0; i < 3; ++i) {
    items.push_back({definition("c" + std::to_string(i)), sample_version(kNow + i * kSecondsPerDay), "{}"});
  }
  auto numbers = inv->append_versions(items, "imported", "bench", kNow);
  ASSERT_TRUE(numbers) << numbers.error().what();
  EXPECT_EQ(*numbers, (std::vector<int>{1, 1, 1}));
  EXPECT_EQ(inv->report_rows(std::nullopt)->size(), 3u);

  ASSERT_EQ(raw_exec(path, "CREATE TRIGGER fail_third BEFORE INSERT ON certificates WHEN NEW.name = 'd2' "
                           "BEGIN SELECT RAISE(ABORT, 'no'); END"),
            SQLITE_OK);
  for (int i = 0; i < 3; ++i) items[i].definition.name = "d" + std::to_string(i);
  ASSERT_FALSE(inv->append_versions(items, "imported", "bench", kNow));
  EXPECT_EQ(inv->report_rows(std::nullopt)->size(), 3u) << "d0 and d1 rolled back with d2";
}

}  // namespace
}  // namespace certkeeper::store

namespace certkeeper::store {
namespace {

TEST_P(InventoryOnBoth, HostileTextIsStoredAsValidUtf8WithoutNulOnBothBackends) {
  auto inv = fresh();
  ASSERT_TRUE(inv) << inv.error().what();
  VersionRecord v = sample_version(kNow + 30 * kSecondsPerDay);
  using namespace std::string_literals;
  v.subject = "CN=evil\xff\xfe"s;
  v.issuer = "CN=nul\0inside"s;
  v.issuer_cn = "\x1b[31mred\x80"s;
  ASSERT_TRUE(inv->append_version(definition("mail"), v, "imported", "{}", "t", kNow));
  auto read = inv->versions("mail");
  ASSERT_TRUE(read) << read.error().what();
  ASSERT_EQ(read->size(), 1u);
  const VersionRecord& r = read->front();
  EXPECT_EQ(r.subject, "CN=evil\\xFF\\xFE") << "bytes that are not UTF-8, written as \\xNN";
  EXPECT_EQ(r.issuer, "CN=nul\\x00inside") << "a NUL as \\x00";
  EXPECT_EQ(r.issuer_cn, "\x1b[31mred\\x80") << "valid UTF-8 (controls too) as it is; outputs escape it";
}

TEST_P(InventoryOnBoth, CountExpiring) {
  auto inv = fresh();
  ASSERT_TRUE(inv->append_version(definition("a"), sample_version(kNow + 5 * kSecondsPerDay), "imported", "{}", "t", kNow));
  ASSERT_TRUE(inv->append_version(definition("b"), sample_version(kNow + 50 * kSecondsPerDay), "imported", "{}", "t", kNow));
  EXPECT_EQ(*inv->count_expiring(kNow + 30 * kSecondsPerDay), 1u);
  EXPECT_EQ(*inv->count_expiring(kNow + 60 * kSecondsPerDay), 2u);
  EXPECT_EQ(*inv->count_expiring(kNow), 0u);
}

}  // namespace
}  // namespace certkeeper::store

namespace certkeeper::store {
namespace {

CertificateRecord acme_definition() {
  CertificateRecord c;
  c.name = "web";
  c.source = "acme";
  c.domains = {"www.example.test"};
  c.challenge = "http-01";
  c.challenge_config = R"({"listen":"127.0.0.1:5002"})";
  c.key_type = "ec-p256";
  c.acme_server = "https://127.0.0.1:14000/dir";
  c.preferred_chain = "Root X";
  return c;
}

TEST_P(InventoryOnBoth, DefinitionsAreUpsertedAndFailuresRecorded) {
  auto inv = fresh();
  ASSERT_TRUE(inv->define_certificate(acme_definition(), "t", kNow));
  auto c = **inv->find_certificate("web");
  EXPECT_EQ(c.source, "acme");
  EXPECT_EQ(c.challenge_config, R"({"listen":"127.0.0.1:5002"})");
  EXPECT_EQ(c.preferred_chain, "Root X");
  EXPECT_FALSE(c.current_version);

  ASSERT_TRUE(inv->record_failure("web", "rateLimited: slow down", kNow + 3600, "t", kNow));
  ASSERT_TRUE(inv->record_failure("web", "again", std::nullopt, "t", kNow + 1));
  c = **inv->find_certificate("web");
  EXPECT_EQ(c.failures, 2);
  EXPECT_EQ(c.last_error, "again");
  EXPECT_EQ(c.last_attempt, kNow + 1);

  // A new version is a success: the failure streak is over.
  ASSERT_TRUE(inv->append_version(acme_definition(), sample_version(kNow + 90 * kSecondsPerDay), "issued", "{}", "t", kNow + 2));
  c = **inv->find_certificate("web");
  EXPECT_EQ(c.failures, 0);
  EXPECT_EQ(c.last_error, "");
  EXPECT_EQ(c.last_success, kNow + 2);

  auto redefined = acme_definition();
  redefined.domains = {"www.example.test", "example.test"};
  ASSERT_TRUE(inv->define_certificate(redefined, "t", kNow + 3));
  c = **inv->find_certificate("web");
  EXPECT_EQ(c.domains.size(), 2u);
  EXPECT_EQ(c.current_version, 1) << "redefining keeps the versions";
  auto events = *inv->events("web");
  EXPECT_EQ(events.front().kind, "defined");
  EXPECT_EQ(events.back().kind, "redefined");
}

TEST_P(InventoryOnBoth, AccountsAndOrders) {
  auto inv = fresh();
  EXPECT_FALSE(*inv->find_account("https://ca/dir", "mailto:a@b"));
  AccountRecord a;
  a.directory_url = "https://ca/dir";
  a.contact = "mailto:a@b";
  a.key_pem = "KEY";
  auto saved = inv->save_account(a, "t", kNow);
  ASSERT_TRUE(saved) << saved.error().what();
  saved->account_url = "https://ca/acct/1";
  ASSERT_TRUE(inv->save_account(*saved, "t", kNow));
  auto found = **inv->find_account("https://ca/dir", "mailto:a@b");
  EXPECT_EQ(found.account_url, "https://ca/acct/1");
  EXPECT_EQ(found.id, saved->id);

  ASSERT_TRUE(inv->define_certificate(acme_definition(), "t", kNow));
  auto order = inv->open_order("web", found.id, found.account_url, "https://ca/order/7", "ORDERKEY", "t", kNow);
  ASSERT_TRUE(order);
  auto open = **inv->open_order_of("web");
  EXPECT_EQ(open.order_url, "https://ca/order/7");
  EXPECT_EQ(open.key_pem, "ORDERKEY");
  EXPECT_EQ(open.account_url, "https://ca/acct/1") << "the account that made it";
  ASSERT_TRUE(inv->close_order(*order, "done", kNow + 5));
  EXPECT_FALSE(*inv->open_order_of("web"));

  auto second = inv->open_order("web", found.id, found.account_url, "https://ca/order/8", "KEY2", "t", kNow);
  ASSERT_TRUE(second);
  ASSERT_TRUE(inv->abandon_order(**inv->open_order_of("web"), "made by another account", "t", kNow + 6));
  EXPECT_FALSE(*inv->open_order_of("web"));
  auto events = *inv->events("web");
  ASSERT_FALSE(events.empty());
  EXPECT_EQ(events.back().kind, "order-abandoned");
  EXPECT_NE(events.back().detail_json.find("made by another account"), std::string::npos);
}

}  // namespace
}  // namespace certkeeper::store

namespace certkeeper::store {
namespace {

TEST(Inventory, AnOlderDatabaseIsUpgradedInPlace) {
  TempDir dir;
  std::string path = dir.file("ck.db");
  {
    auto inv = Inventory::open(path, OpenMode::create);
    ASSERT_TRUE(inv->append_version(definition("mail"), sample_version(kNow), "imported", "{}", "t", kNow));
  }
  // Turn it back into a schema-1 database, as release 1 left it.
  ASSERT_EQ(raw_exec(path, "DROP TABLE crl_links; DROP TABLE crl_cache; DROP TABLE crl_scan; "
                           "DROP TABLE orders; ALTER TABLE acme_accounts DROP COLUMN pending_key_pem; "
                           "ALTER TABLE targets DROP COLUMN pending_version; "
                           "DROP INDEX certificates_by_next_check; "
                           "ALTER TABLE certificates DROP COLUMN ari_start; ALTER TABLE certificates DROP COLUMN ari_end; "
                           "ALTER TABLE certificates DROP COLUMN ari_next_fetch; "
                           "ALTER TABLE certificates DROP COLUMN retry_after; "
                           "ALTER TABLE certificates DROP COLUMN failure_permanent; "
                           "DROP INDEX certificates_pinned; ALTER TABLE certificates DROP COLUMN pinned_version; "
                           "DELETE FROM schema_version WHERE version >= 2"),
            SQLITE_OK);
  auto read_only = Inventory::open(path, OpenMode::read_only);
  ASSERT_FALSE(read_only) << "a read-only open never migrates";
  auto inv = Inventory::open(path, OpenMode::existing);
  ASSERT_TRUE(inv) << inv.error().what();
  EXPECT_EQ(*inv->schema_version(), embedded_migrations().back().version);
  EXPECT_EQ(inv->versions("mail")->size(), 1u) << "data survives the upgrade";
  EXPECT_TRUE(inv->open_order_of("mail")) << "the new table is there";
  EXPECT_TRUE(inv->targets("mail")) << "the install journal column is there";
  auto scan = inv->crl_unscanned();
  ASSERT_TRUE(scan) << "the revocation watch's tables are there";
  EXPECT_EQ(scan->versions.size(), 1u) << "versions from before the upgrade are read by the first pass";
}

}  // namespace
}  // namespace certkeeper::store

namespace certkeeper::store {
namespace {

TEST(Inventory, AppendFirstVersionNeverTouchesAnExistingName) {
  TempDir dir;
  auto inv = Inventory::open(dir.file("ck.db"), OpenMode::create);
  ASSERT_TRUE(inv) << inv.error().what();
  CertificateRecord acme;
  acme.name = "web";
  acme.source = "acme";
  acme.domains = {"a.example.test"};
  auto first = inv->append_first_version(acme, sample_version(kNow + 1000), "migrated", "{}", "test", kNow);
  ASSERT_TRUE(first) << first.error().what();
  ASSERT_TRUE(first->has_value());
  EXPECT_EQ(**first, 1);
  auto stored = inv->find_certificate("web");
  ASSERT_TRUE(stored && *stored);
  EXPECT_EQ((*stored)->source, "acme");
  EXPECT_EQ((*stored)->current_version, 1);

  const auto events_before = inv->events("web")->size();
  auto again = inv->append_first_version(definition("web"), sample_version(kNow + 2000, "cd"), "migrated", "{}",
                                          "test", kNow);
  ASSERT_TRUE(again) << again.error().what();
  EXPECT_FALSE(again->has_value());
  EXPECT_EQ(inv->versions("web")->size(), 1u);
  EXPECT_EQ(inv->events("web")->size(), events_before);
  EXPECT_EQ((*inv->find_certificate("web"))->source, "acme");
}

TEST(Inventory, AddAccountIfAbsentKeepsTheStoredOne) {
  TempDir dir;
  auto inv = Inventory::open(dir.file("ck.db"), OpenMode::create);
  ASSERT_TRUE(inv) << inv.error().what();
  AccountRecord account;
  account.directory_url = "https://ca.example.test/dir";
  account.contact = "mailto:ops@example.test";
  account.account_url = "https://ca.example.test/acct/1";
  account.key_pem = "first key";
  auto added = inv->add_account_if_absent(account, "test", kNow, "account-imported");
  ASSERT_TRUE(added) << added.error().what();
  EXPECT_TRUE(*added);
  account.account_url = "https://ca.example.test/acct/2";
  account.key_pem = "second key";
  auto again = inv->add_account_if_absent(account, "test", kNow, "account-imported");
  ASSERT_TRUE(again) << again.error().what();
  EXPECT_FALSE(*again);
  auto stored = inv->find_account(account.directory_url, account.contact);
  ASSERT_TRUE(stored && *stored);
  EXPECT_EQ((*stored)->account_url, "https://ca.example.test/acct/1");
  EXPECT_EQ((*stored)->key_pem, "first key");
  auto events = inv->events("");
  ASSERT_TRUE(events);
  std::size_t imported = 0;
  for (const auto& e : *events) imported += e.kind == "account-imported";
  EXPECT_EQ(imported, 1u);
}

}  // namespace
}  // namespace certkeeper::store
