// Private keys at rest in the store (inventory.h "Private keys at rest"):
// once encrypted, every column that holds a key is written sealed and read
// back as PEM; a sealed value moved to another row does not open; the
// append-only versions accept a key's encrypted form and nothing else.
#include <gtest/gtest.h>

#include <cstdio>

#include "certkeeper/crypto/key_wrap.h"
#include "certkeeper/store/inventory.h"
#include "certkeeper/store/inventory_check.h"
#include "store/store_fixtures.h"
#include "support/temp_dir.h"

namespace certkeeper::store {
namespace {

using testing::acme_version;
using testing::definition;
using testing::kNow;
using testing::raw_exec;

// One column of one row, read outside the store.
std::string raw_value(const std::string& path, const std::string& sql) {
  sqlite3* db = nullptr;
  sqlite3_open(path.c_str(), &db);
  sqlite3_stmt* q = nullptr;
  sqlite3_prepare_v2(db, sql.c_str(), -1, &q, nullptr);
  std::string out;
  if (sqlite3_step(q) == SQLITE_ROW) out = reinterpret_cast<const char*>(sqlite3_column_text(q, 0));
  sqlite3_finalize(q);
  sqlite3_close(db);
  return out;
}

class SealedKeysTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(crypto::write_new_key_file(key_));
    auto inv = Inventory::open(path_, OpenMode::create, key_);
    ASSERT_TRUE(inv) << inv.error().what();
    ASSERT_TRUE(inv->encrypt_keys("test", kNow));
  }
  Inventory open() {
    auto inv = Inventory::open(path_, OpenMode::existing, key_);
    EXPECT_TRUE(inv) << inv.error().what();
    return std::move(*inv);
  }

  testing::TempDir dir_;
  std::string path_ = dir_.file("ck.db");
  std::string key_ = dir_.file("ck.key");
};

TEST_F(SealedKeysTest, EveryKeyColumnIsSealedAndReadBack) {
  auto inv = open();
  ASSERT_TRUE(*inv.keys_encrypted());
  const VersionRecord v = acme_version("aa");
  ASSERT_TRUE(inv.append_version(definition("web", "acme"), v, "issued", "{}", "test", kNow));
  AccountRecord account;
  account.directory_url = "https://ca.example.test/dir";
  account.contact = "mailto:ops@example.test";
  account.key_pem = "-----BEGIN PRIVATE KEY-----\naccount\n-----END PRIVATE KEY-----\n";
  account.pending_key_pem = "-----BEGIN PRIVATE KEY-----\npending\n-----END PRIVATE KEY-----\n";
  auto saved = inv.save_account(account, "test", kNow);
  ASSERT_TRUE(saved) << saved.error().what();
  const std::string order_key = "-----BEGIN PRIVATE KEY-----\norder\n-----END PRIVATE KEY-----\n";
  ASSERT_TRUE(inv.open_order("web", saved->id, "https://ca.example.test/acct/1", "https://ca.example.test/order/1",
                             order_key, "test", kNow));
  for (const char* sql : {"SELECT key_pem FROM cert_versions", "SELECT key_pem FROM acme_accounts",
                          "SELECT pending_key_pem FROM acme_accounts", "SELECT key_pem FROM orders"}) {
    const std::string stored = raw_value(path_, sql);
    EXPECT_TRUE(crypto::is_sealed(stored)) << sql << ": " << stored;
    EXPECT_EQ(stored.find("PRIVATE"), std::string::npos) << sql;
  }
  EXPECT_EQ(inv.version_with_key("web", 1)->key_pem, v.key_pem);
  auto found = inv.find_account(account.directory_url, account.contact);
  ASSERT_TRUE(found && *found);
  EXPECT_EQ((*found)->key_pem, account.key_pem);
  EXPECT_EQ((*found)->pending_key_pem, account.pending_key_pem);
  auto order = inv.open_order_of("web");
  ASSERT_TRUE(order && *order) << (order ? "" : order.error().what());
  EXPECT_EQ((*order)->key_pem, order_key);
  auto check = check_inventory(path_);
  ASSERT_TRUE(check);
  EXPECT_EQ(check->keys_encrypted(), 4);
  EXPECT_EQ(check->keys_plaintext(), 0);
}

TEST_F(SealedKeysTest, ACiphertextMovedToAnotherRowDoesNotOpen) {
  auto inv = open();
  ASSERT_TRUE(inv.append_version(definition("web", "acme"), acme_version("aa"), "issued", "{}", "test", kNow));
  ASSERT_TRUE(inv.append_version(definition("web", "acme"), acme_version("bb"), "issued", "{}", "test", kNow));
  ASSERT_TRUE(inv.version_with_key("web", 1));
  // Version 1's key copied over version 2's (the trigger lets a sealed value through).
  ASSERT_EQ(raw_exec(path_, "UPDATE cert_versions SET key_pem = (SELECT key_pem FROM cert_versions WHERE version = 1) "
                            "WHERE version = 2"),
            SQLITE_OK);
  auto moved = inv.version_with_key("web", 2);
  ASSERT_FALSE(moved);
  EXPECT_EQ(moved.error().code, Errc::crypto);
  EXPECT_EQ(moved.error().subject, key_);
  EXPECT_TRUE(inv.version_with_key("web", 1));
}

TEST_F(SealedKeysTest, VersionsStayAppendOnlyButForTheEncryptedForm) {
  auto inv = open();
  ASSERT_TRUE(inv.append_version(definition("web", "acme"), acme_version("aa"), "issued", "{}", "test", kNow));
  EXPECT_NE(raw_exec(path_, "UPDATE cert_versions SET key_pem = 'plain' WHERE version = 1"), SQLITE_OK);
  EXPECT_NE(raw_exec(path_, "UPDATE cert_versions SET leaf_pem = 'x' WHERE version = 1"), SQLITE_OK);
  EXPECT_NE(raw_exec(path_, "DELETE FROM cert_versions"), SQLITE_OK);
  EXPECT_TRUE(inv.version_with_key("web", 1));
}

TEST_F(SealedKeysTest, WithoutTheKeyFileNothingWithAKeyIsWrittenOrRead) {
  {
    auto inv = open();
    ASSERT_TRUE(inv.append_version(definition("web", "acme"), acme_version("aa"), "issued", "{}", "test", kNow));
  }
  ASSERT_EQ(::rename(key_.c_str(), (key_ + ".away").c_str()), 0);
  auto inv = Inventory::open(path_, OpenMode::existing);
  ASSERT_TRUE(inv);
  EXPECT_TRUE(inv->versions("web"));
  auto read = inv->version_with_key("web", 1);
  ASSERT_FALSE(read);
  EXPECT_EQ(read.error().subject, key_);
  auto written = inv->append_version(definition("web", "acme"), acme_version("bb"), "issued", "{}", "test", kNow);
  ASSERT_FALSE(written);
  EXPECT_EQ(written.error().subject, key_);
  EXPECT_EQ(inv->versions("web")->size(), 1u) << "a version was stored without its key";
}

}  // namespace
}  // namespace certkeeper::store
