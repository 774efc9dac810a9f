// db copy (store/inventory_copy.h) against real files and a real
// PostgreSQL: SQLite -> PostgreSQL -> SQLite keeps every row of every table
// (ids, times, values, the CRL's DER bytes), the source's bytes stay, a
// non-empty destination is refused untouched, a plaintext key never reaches
// PostgreSQL (refused without a key file, sealed with one), and the copy
// takes new rows afterwards.
#include <gtest/gtest.h>
#include <sqlite3.h>
#include <sys/stat.h>

#include <algorithm>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "certkeeper/crypto/key_wrap.h"
#include "certkeeper/store/inventory.h"
#include "certkeeper/store/inventory_check.h"
#include "certkeeper/store/inventory_copy.h"
#include "store/store_backends.h"
#include "store/store_fixtures.h"
#include "support/postgres.h"
#include "support/temp_dir.h"

namespace certkeeper::store {
namespace {

using testing::acme_version;
using testing::kDay;
using testing::kNow;
using testing::TempDir;

constexpr const char* kCopyCrlUrl = "http://crl.example.test/copy.crl";
const std::string kCrlDer("\x30\x82\x00\xff\x00\x01\x80", 7);  // bytes, NUL and high bits included

// The columns that hold private keys (impl.h's kKeyColumns, as a reader sees them).
constexpr std::pair<const char*, const char*> kKeyColumnNames[] = {
    {"cert_versions", "key_pem"}, {"acme_accounts", "key_pem"}, {"acme_accounts", "pending_key_pem"},
    {"orders", "key_pem"}};

std::string fmt_hex(unsigned char b) {
  constexpr char kDigits[] = "0123456789abcdef";
  return {kDigits[b >> 4], kDigits[b & 15]};
}

bool exists_path(const std::string& path) {
  struct stat st {};
  return ::stat(path.c_str(), &st) == 0;
}

// The SQLite file and its side files, byte for byte.
std::string sqlite_bytes(const std::string& path) {
  std::string out = testing::read_file(path);
  for (const char* side : {"-wal", "-shm", "-journal"}) {
    out += std::string("\n--") + side + "--\n";
    if (exists_path(path + side)) out += testing::read_file(path + side);
  }
  return out;
}

// Every table of a SQLite inventory but schema_version, each row typed
// ("null", "int:N", "text:...", "blob:HEX") under its column's name, rows
// in the order of their first columns. Key columns show only whether they
// hold a key ("<key>"), since a copy to PostgreSQL seals them.
using Dump = std::map<std::string, std::vector<std::vector<std::string>>>;

Dump dump_sqlite(const std::string& path) {
  Dump dump;
  sqlite3* db = nullptr;
  // Immutable: read without side files, so the dump itself changes no byte.
  const std::string uri = "file:" + path + "?immutable=1";
  EXPECT_EQ(sqlite3_open_v2(uri.c_str(), &db, SQLITE_OPEN_READONLY | SQLITE_OPEN_URI, nullptr), SQLITE_OK);
  std::vector<std::string> tables;
  sqlite3_stmt* q = nullptr;
  sqlite3_prepare_v2(db, "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'", -1, &q,
                     nullptr);
  while (sqlite3_step(q) == SQLITE_ROW) tables.emplace_back(reinterpret_cast<const char*>(sqlite3_column_text(q, 0)));
  sqlite3_finalize(q);
  for (const auto& t : tables) {
    if (t == "schema_version") continue;
    EXPECT_EQ(sqlite3_prepare_v2(db, ("SELECT * FROM " + t + " ORDER BY 1, 2").c_str(), -1, &q, nullptr), SQLITE_OK);
    auto& rows = dump[t];
    while (sqlite3_step(q) == SQLITE_ROW) {
      std::vector<std::string> row;
      for (int i = 0; i < sqlite3_column_count(q); ++i) {
        const std::string column = sqlite3_column_name(q, i);
        std::string value;
        switch (sqlite3_column_type(q, i)) {
          case SQLITE_NULL: value = "null"; break;
          case SQLITE_INTEGER: value = "int:" + std::to_string(sqlite3_column_int64(q, i)); break;
          case SQLITE_BLOB: {
            const auto* p = static_cast<const unsigned char*>(sqlite3_column_blob(q, i));
            value = "blob:";
            for (int b = 0; b < sqlite3_column_bytes(q, i); ++b) value += fmt_hex(p[b]);
            break;
          }
          default:
            value = "text:" + std::string(reinterpret_cast<const char*>(sqlite3_column_text(q, i)),
                                          static_cast<std::size_t>(sqlite3_column_bytes(q, i)));
        }
        const bool key = std::any_of(std::begin(kKeyColumnNames), std::end(kKeyColumnNames), [&](const auto& k) {
          return t == k.first && column == k.second;
        });
        if (key && value != "text:") value = "<key>";
        row.push_back(column + "=" + value);
      }
      rows.push_back(std::move(row));
    }
    sqlite3_finalize(q);
  }
  sqlite3_close(db);
  return dump;
}

std::string key_text(const std::string& label) {
  return "-----BEGIN PRIVATE KEY-----\n" + label + "\n-----END PRIVATE KEY-----\n";
}

// An inventory with something in every table: two certificates, three
// versions with keys, an account, an open order, a target, a pin, a schedule, a
// CRL cached with its DER and linked, settings, and their events.
void fill(Inventory& inv) {
  ASSERT_TRUE(inv.set_settings({{"external_url", "https://www.example.test/"}, {"email", "ops@example.test"}},
                               "t", kNow - 9 * kDay));
  CertificateRecord web;
  web.name = "web";
  web.source = "acme";
  web.domains = {"www.example.test"};
  auto v1 = acme_version("AA01");
  v1.key_pem = key_text("web-1");
  ASSERT_TRUE(inv.append_version(web, v1, "issued", "{\"n\":1}", "t", kNow - 8 * kDay));
  auto v2 = acme_version("AA02");
  v2.key_pem = key_text("web-2");
  ASSERT_TRUE(inv.append_version(web, v2, "issued", "{\"n\":2}", "t", kNow - 7 * kDay));
  auto m1 = acme_version("BB01");
  m1.key_pem = key_text("mail-1");
  ASSERT_TRUE(inv.append_version(testing::definition("mail"), m1, "imported", "{}", "t", kNow - 6 * kDay));
  ASSERT_TRUE(inv.set_schedule("web", {kNow + 10, kNow + 5 * kDay, kNow + 6 * kDay, std::nullopt}));
  AccountRecord a;
  a.directory_url = "https://ca.example.test/dir";
  a.contact = "mailto:ops@example.test";
  a.account_url = "https://ca.example.test/acct/1";
  a.key_pem = key_text("account");
  a.created_at = kNow - 5 * kDay;
  auto saved = inv.save_account(a, "t", kNow - 5 * kDay);
  ASSERT_TRUE(saved) << saved.error().what();
  ASSERT_TRUE(inv.open_order("web", saved->id, saved->account_url, "https://ca.example.test/order/9",
                             key_text("order"), "t", kNow - 4 * kDay));
  // A lease taken, released and taken again (generation 2): its row and
  // generation go across, so no generation is ever reused after a copy.
  ASSERT_TRUE(inv.acquire_lease("web", "node-a/1/1", "node-a", 120, "t", kNow - 4 * kDay));
  ASSERT_TRUE(inv.release_lease("web", {"node-a/1/1", 1}, kNow - 4 * kDay));
  ASSERT_TRUE(inv.acquire_lease("web", "node-a/1/2", "node-a", 120, "t", kNow - 4 * kDay));
  TargetRecord target;
  target.certificate_name = "web";
  target.dir = "/etc/ssl/web";
  target.include_root = true;
  target.reload_json = R"([{"argv":["systemctl","reload","nginx"],"timeout_ms":5000}])";
  auto added = inv.save_target(target, "t", kNow - 3 * kDay);
  ASSERT_TRUE(added) << added.error().what();
  // Rolled back to version 1: pinned (issue 12).
  ASSERT_TRUE(inv.finish_install("web", {{added->id, 1}}, "rolled-back", "{}", "t", kNow - 3 * kDay,
                                 PinRequest::desire(1)));
  auto scan = inv.crl_unscanned();
  ASSERT_TRUE(scan);
  std::vector<std::pair<std::int64_t, std::vector<std::string>>> links;
  for (const auto& v : scan->versions) links.push_back({v.version_id, {kCopyCrlUrl}});
  ASSERT_TRUE(inv.crl_link(links, scan->upto));
  CrlRecord crl;
  crl.url = kCopyCrlUrl;
  crl.issuer = "CN=Issuer";
  crl.this_update = kNow - 60;
  crl.next_update = kNow + 3600;
  crl.fetched_at = kNow;
  crl.der = kCrlDer;
  crl.next_fetch = kNow + 3600;
  ASSERT_TRUE(inv.crl_fetched(crl));
}

// A SQLite inventory with plaintext keys at `path`, filled and closed.
void make_source(const std::string& path) {
  auto inv = Inventory::open(path, OpenMode::create);
  ASSERT_TRUE(inv) << inv.error().what();
  fill(*inv);
}

std::string dbname_of(const std::string& uri) {
  const auto slash = uri.find('/', std::string("postgresql://").size());
  const auto query = uri.find('?', slash);
  return uri.substr(slash + 1, query - slash - 1);
}

std::int64_t rows_of(const CopyReport& r, const std::string& table) {
  for (const auto& t : r.tables) {
    if (t.name == table) return t.rows;
  }
  return -1;
}

CopyOptions options_with(const std::string& key_file) {
  CopyOptions o;
  o.key_file = key_file;
  o.actor = "test";
  o.now = kNow;
  return o;
}

class InventoryCopy : public ::testing::Test {
 protected:
  std::string fresh_postgresql() {
    auto& server = testing::shared_postgres();
    return server.uri(server.create_database());
  }
  std::string psql(const std::string& uri, const std::string& sql) {
    return testing::shared_postgres().psql(dbname_of(uri), "SET search_path = certkeeper; " + sql);
  }
  std::string key_file() {
    const std::string f = dir_.file("inventory.key");
    if (!exists_path(f)) {
      EXPECT_TRUE(crypto::write_new_key_file(f));
    }
    return f;
  }
  TempDir dir_;
};

TEST_F(InventoryCopy, SqliteToPostgresqlAndBackKeepsEveryRowAndLeavesTheSourceAsItWas) {
  const std::string source = dir_.file("source.db");
  make_source(source);
  const std::string before = sqlite_bytes(source);
  const Dump original = dump_sqlite(source);
  ASSERT_EQ(original.size(), copied_tables().size()) << "every table but schema_version is copied";
  for (const char* t : copied_tables()) EXPECT_TRUE(original.count(t)) << t;
  for (const char* t : {"settings", "acme_accounts", "certificates", "leases", "cert_versions", "targets", "events",
                        "orders", "crl_cache", "crl_links", "crl_scan"}) {
    EXPECT_FALSE(original.at(t).empty()) << "the source has a row in " << t;
  }

  const std::string pg = fresh_postgresql();
  auto there = copy_inventory(source, pg, options_with(key_file()));
  ASSERT_TRUE(there) << there.error().what();
  EXPECT_EQ(there->from_backend, Backend::sqlite);
  EXPECT_EQ(there->to_backend, Backend::postgresql);
  EXPECT_EQ(there->keys_sealed, 5) << "three versions, the account and the order";
  EXPECT_EQ(rows_of(*there, "cert_versions"), 3);
  EXPECT_EQ(rows_of(*there, "events"), static_cast<std::int64_t>(original.at("events").size()));
  EXPECT_TRUE(sqlite_bytes(source) == before) << "the source was written";

  // On the server: no plaintext key, the event ids and times as they were.
  auto checked = check_inventory(pg);
  ASSERT_TRUE(checked) << checked.error().what();
  EXPECT_EQ(checked->keys_plaintext(), 0);
  EXPECT_EQ(checked->keys_encrypted(), 5);
  std::string expected_events;
  for (const auto& row : original.at("events")) expected_events += row[0].substr(7) + "|" + row[1].substr(7) + "\n";
  const std::string events = psql(pg, "SELECT id, at FROM events WHERE kind <> 'inventory-copied' ORDER BY id");
  EXPECT_EQ(events, expected_events);
  EXPECT_EQ(psql(pg, "SELECT kind FROM events ORDER BY id DESC LIMIT 1"), "inventory-copied\n");
  EXPECT_EQ(psql(pg, "SELECT encode(der, 'hex') FROM crl_cache"), "308200ff000180\n");
  EXPECT_EQ(psql(pg, "SELECT value FROM settings WHERE key = 'key_encryption'"), "aes-256-gcm\n");

  // And back into a new SQLite file: the same rows, the keys sealed now.
  const std::string back = dir_.file("back/ck.db");
  auto home = copy_inventory(pg, "sqlite:" + back, options_with(""));
  ASSERT_TRUE(home) << home.error().what();
  EXPECT_EQ(home->keys_sealed, 0);
  Dump round = dump_sqlite(back);
  auto& settings = round["settings"];
  std::erase_if(settings, [](const auto& row) {
    return row[0] == "key=text:key_encryption" || row[0] == "key=text:key_file";
  });
  auto& copied_events = round["events"];
  ASSERT_EQ(copied_events.size(), original.at("events").size() + 2);
  for (auto it = copied_events.end() - 2; it != copied_events.end(); ++it) {
    EXPECT_EQ((*it)[4], "kind=text:inventory-copied");
  }
  copied_events.resize(original.at("events").size());
  for (const auto& [table, rows] : original) EXPECT_EQ(round[table], rows) << table;
  EXPECT_EQ(round.size(), original.size());

  // The keys open with the key file, bound to their rows.
  auto inv = Inventory::open(back, OpenMode::read_only, key_file());
  ASSERT_TRUE(inv) << inv.error().what();
  EXPECT_EQ(inv->version_with_key("web", 1)->key_pem, key_text("web-1"));
  EXPECT_EQ(inv->version_with_key("web", 2)->key_pem, key_text("web-2"));
  EXPECT_EQ(inv->version_with_key("mail", 1)->key_pem, key_text("mail-1"));
  auto account = inv->find_account("https://ca.example.test/dir", "mailto:ops@example.test");
  ASSERT_TRUE(account && *account) << "the account";
  EXPECT_EQ((*account)->key_pem, key_text("account"));
  auto order = inv->open_order_of("web");
  ASSERT_TRUE(order && *order);
  EXPECT_EQ((*order)->key_pem, key_text("order"));
  EXPECT_EQ((*order)->order_url, "https://ca.example.test/order/9");
  EXPECT_EQ((*inv->crl(kCopyCrlUrl))->der, kCrlDer);
  EXPECT_EQ((*inv->find_certificate("web"))->pinned_version, 1) << "the pin came along";
}

TEST_F(InventoryCopy, APostgresqlCopyTakesNewRowsAfterTheCopiedIds) {
  const std::string source = dir_.file("source.db");
  make_source(source);
  const std::string pg = fresh_postgresql();
  ASSERT_TRUE(copy_inventory(source, pg, options_with(key_file())));
  const std::string max_event = psql(pg, "SELECT max(id) FROM events");
  auto inv = Inventory::open(pg, OpenMode::existing);  // the key file is the setting key_file now
  ASSERT_TRUE(inv) << inv.error().what();
  CertificateRecord web;
  web.name = "web";
  web.source = "acme";
  auto appended = inv->append_version(web, acme_version("AA03"), "issued", "{}", "t", kNow);
  ASSERT_TRUE(appended) << appended.error().what();
  EXPECT_EQ(*appended, 3);
  auto created = inv->append_version(testing::definition("new"), acme_version("CC01"), "imported", "{}", "t", kNow);
  ASSERT_TRUE(created) << created.error().what();
  ASSERT_TRUE(inv->record_event("web", "exported", "{}", "t", kNow));
  AccountRecord other;
  other.directory_url = "https://other.example.test/dir";
  other.key_pem = key_text("other");
  ASSERT_TRUE(inv->save_account(other, "t", kNow));
  TargetRecord target;
  target.certificate_name = "new";
  target.dir = "/etc/ssl/new";
  ASSERT_TRUE(inv->save_target(target, "t", kNow));
  EXPECT_GT(std::stoll(psql(pg, "SELECT min(id) FROM events WHERE at = " + std::to_string(kNow) +
                                    " AND kind <> 'inventory-copied'")),
            std::stoll(max_event));
  EXPECT_EQ(inv->version_with_key("web", 3)->key_pem, acme_version("AA03").key_pem);
}

TEST_F(InventoryCopy, ANonEmptyDestinationIsRefusedAndNotTouched) {
  const std::string source = dir_.file("source.db");
  make_source(source);
  const std::string source_bytes = sqlite_bytes(source);
  // A SQLite inventory that holds one certificate.
  const std::string used = dir_.file("used.db");
  {
    auto inv = Inventory::open(used, OpenMode::create);
    ASSERT_TRUE(inv);
    ASSERT_TRUE(inv->append_version(testing::definition("x"), acme_version("EE01"), "imported", "{}", "t", kNow));
  }
  const std::string used_bytes = sqlite_bytes(used);
  auto refused = copy_inventory(source, used, options_with(""));
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().code, Errc::conflict);
  EXPECT_NE(refused.error().message.find("is not empty"), std::string::npos) << refused.error().message;
  EXPECT_NE(refused.error().message.find("copy into a new database"), std::string::npos);
  EXPECT_TRUE(sqlite_bytes(used) == used_bytes) << "the destination was written";

  // A PostgreSQL inventory that holds only a setting.
  const std::string pg = fresh_postgresql();
  {
    auto inv = Inventory::open(pg, OpenMode::create);
    ASSERT_TRUE(inv) << inv.error().what();
    ASSERT_TRUE(inv->set_settings({{"external_url", "https://x.example.test/"}}, "t", kNow));
  }
  const std::string snapshot = psql(pg, "SELECT (SELECT count(*) FROM settings), (SELECT count(*) FROM events), "
                                        "(SELECT count(*) FROM certificates)");
  refused = copy_inventory(source, pg, options_with(key_file()));
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().code, Errc::conflict);
  EXPECT_EQ(psql(pg, "SELECT (SELECT count(*) FROM settings), (SELECT count(*) FROM events), "
                     "(SELECT count(*) FROM certificates)"),
            snapshot);
  EXPECT_TRUE(sqlite_bytes(source) == source_bytes) << "the source was written";

  // The source itself is no destination.
  refused = copy_inventory(source, "sqlite:" + source, options_with(""));
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().code, Errc::usage);
}

TEST_F(InventoryCopy, PlaintextKeysReachPostgresqlOnlySealedUnderAKeyFile) {
  const std::string source = dir_.file("source.db");
  make_source(source);
  const std::string pg = fresh_postgresql();
  auto refused = copy_inventory(source, pg, options_with(""));
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().code, Errc::usage);
  EXPECT_NE(refused.error().message.find("--key-file"), std::string::npos) << refused.error().message;
  EXPECT_EQ(psql(pg, "SELECT count(*) FROM information_schema.tables WHERE table_schema = 'certkeeper'"), "0\n")
      << "nothing written";
  // Nor is a new SQLite file left behind by a refused copy.
  auto missing_key = copy_inventory(source, dir_.file("new.db"), options_with(dir_.file("no-such.key")));
  ASSERT_TRUE(missing_key) << "a SQLite destination gets what the source had, and needs no key";
  EXPECT_EQ(missing_key->keys_sealed, 0);

  auto copied = copy_inventory(source, pg, options_with(key_file()));
  ASSERT_TRUE(copied) << copied.error().what();
  EXPECT_EQ(copied->keys_sealed, 5);
  const std::string stored = psql(pg, "SELECT key_pem FROM cert_versions ORDER BY id LIMIT 1");
  EXPECT_EQ(stored.rfind(kEncryptedKeyPrefix, 0), 0u) << stored;
  EXPECT_EQ(psql(pg, "SELECT count(*) FROM cert_versions WHERE key_pem LIKE '%PRIVATE KEY%'"), "0\n");
  auto inv = Inventory::open(pg, OpenMode::read_only, key_file());
  ASSERT_TRUE(inv) << inv.error().what();
  auto version = inv->version_with_key("web", 1);
  ASSERT_TRUE(version) << version.error().what();
  EXPECT_EQ(version->key_pem, key_text("web-1"));
}

TEST_F(InventoryCopy, EveryTableAndColumnOfTheSchemaIsCopiedOrTheCopyIsRefused) {
  // The tables of both dialects' schemas are those db copy copies.
  const std::string pg = fresh_postgresql();
  ASSERT_TRUE(Inventory::open(pg, OpenMode::create));
  std::string expected;
  std::vector<std::string> names(copied_tables().begin(), copied_tables().end());
  names.push_back("schema_version");
  std::sort(names.begin(), names.end());
  for (const auto& n : names) expected += n + "\n";
  EXPECT_EQ(psql(pg, "SELECT table_name FROM information_schema.tables WHERE table_schema = 'certkeeper' ORDER BY 1"),
            expected);
  const std::string source = dir_.file("source.db");
  make_source(source);
  std::set<std::string> sqlite_tables;
  for (const auto& [t, rows] : dump_sqlite(source)) sqlite_tables.insert(t);
  EXPECT_EQ(sqlite_tables, std::set<std::string>(copied_tables().begin(), copied_tables().end()));

  // A column the destination's schema lacks is refused, not dropped.
  ASSERT_EQ(testing::raw_exec(source, "ALTER TABLE targets ADD COLUMN extra TEXT NOT NULL DEFAULT 'x'"), SQLITE_OK);
  auto refused = copy_inventory(source, dir_.file("drift.db"), options_with(""));
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().code, Errc::internal);
  EXPECT_NE(refused.error().message.find("targets"), std::string::npos) << refused.error().message;
  EXPECT_FALSE(exists_path(dir_.file("drift.db"))) << "a file made for a refused copy goes";

  // A table db copy does not know is refused before anything is made.
  ASSERT_EQ(testing::raw_exec(source, "ALTER TABLE targets DROP COLUMN extra; CREATE TABLE later (id INTEGER)"),
            SQLITE_OK);
  refused = copy_inventory(source, dir_.file("drift.db"), options_with(""));
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().code, Errc::internal);
  EXPECT_NE(refused.error().message.find("later"), std::string::npos) << refused.error().message;
  EXPECT_FALSE(exists_path(dir_.file("drift.db")));
}

}  // namespace
}  // namespace certkeeper::store
