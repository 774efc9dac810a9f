// What only a PostgreSQL inventory has to show (the shared behaviour runs on
// both backends in the other store tests): recognising the schema
// certkeeper without writing to it, no plaintext key ever written, a lost
// connection, and the locks that keep operations apart across hosts.
#include <gtest/gtest.h>

#include <thread>

#include "certkeeper/store/inventory.h"
#include "certkeeper/store/inventory_lock.h"
#include "certkeeper/store/migrations.h"
#include "store/store_backends.h"
#include "store/store_fixtures.h"
#include "support/program.h"

namespace certkeeper::store {
namespace {

using testing::acme_version;
using testing::definition;
using testing::kNow;
using testing::Postgres;
using testing::shared_postgres;

class PostgresqlInventory : public ::testing::Test {
 protected:
  void SetUp() override {
    try {
      server_ = &shared_postgres();
      db_ = server_->create_database();
    } catch (const std::exception& e) {
      FAIL() << e.what();
    }
    uri_ = server_->uri(db_);
  }
  std::string psql(const std::string& sql) { return server_->psql(db_, sql); }
  // The tables of the schema certkeeper, by name.
  std::string tables() {
    return psql("SELECT string_agg(table_name, ',' ORDER BY table_name) FROM information_schema.tables "
                "WHERE table_schema = 'certkeeper'");
  }
  // A fresh inventory with its keys encrypted, as `init --encrypt-keys` makes one.
  Inventory encrypted() {
    auto inv = Inventory::open(uri_, OpenMode::create);
    EXPECT_TRUE(inv) << inv.error().what();
    const std::string key = dir_.file("inventory.key");
    EXPECT_TRUE(crypto::write_new_key_file(key));
    inv->use_key_file(key);
    EXPECT_TRUE(inv->encrypt_keys("t", kNow));
    return std::move(*inv);
  }

  Postgres* server_ = nullptr;
  std::string db_, uri_;
  testing::TempDir dir_;
};

TEST_F(PostgresqlInventory, OnlyCreateMakesTheSchemaAndAnEmptyDatabaseIsNotAnInventory) {
  for (auto mode : {OpenMode::existing, OpenMode::read_only}) {
    auto inv = Inventory::open(uri_, mode);
    ASSERT_FALSE(inv);
    EXPECT_EQ(inv.error().code, Errc::not_found);
    EXPECT_NE(inv.error().message.find("init"), std::string::npos) << inv.error().what();
    EXPECT_EQ(tables(), "\n") << "nothing written";
  }
  auto inv = Inventory::open(uri_, OpenMode::create);
  ASSERT_TRUE(inv) << inv.error().what();
  EXPECT_EQ(*inv->schema_version(), postgresql_migrations().back().version);
  EXPECT_EQ(psql("SELECT count(*) FROM information_schema.tables WHERE table_schema = 'public'"), "0\n");
  EXPECT_TRUE(Inventory::open(uri_, OpenMode::existing));
  EXPECT_TRUE(Inventory::open(uri_, OpenMode::read_only));
}

TEST_F(PostgresqlInventory, AnotherApplicationsTablesInTheSchemaAreRefusedUntouched) {
  psql("CREATE SCHEMA certkeeper; CREATE TABLE certkeeper.mail (id int); INSERT INTO certkeeper.mail VALUES (1)");
  for (auto mode : {OpenMode::create, OpenMode::existing, OpenMode::read_only}) {
    auto inv = Inventory::open(uri_, mode);
    ASSERT_FALSE(inv);
    EXPECT_EQ(inv.error().code, Errc::database_corrupt);
    EXPECT_NE(inv.error().message.find("mail"), std::string::npos) << inv.error().what();
    EXPECT_EQ(tables(), "mail\n");
  }
  // Beside an inventory, too.
  psql("DROP SCHEMA certkeeper CASCADE");
  ASSERT_TRUE(Inventory::open(uri_, OpenMode::create));
  psql("CREATE TABLE certkeeper.mail (id int)");
  auto inv = Inventory::open(uri_, OpenMode::existing);
  ASSERT_FALSE(inv);
  EXPECT_EQ(inv.error().code, Errc::database_corrupt);
  EXPECT_NE(inv.error().message.find("mail"), std::string::npos) << inv.error().what();
}

TEST_F(PostgresqlInventory, AnEmptySchemaMadeByTheAdministratorIsUsed) {
  psql("CREATE SCHEMA certkeeper");
  auto inv = Inventory::open(uri_, OpenMode::create);
  ASSERT_TRUE(inv) << inv.error().what();
  EXPECT_EQ(*inv->schema_version(), postgresql_migrations().back().version);
}

TEST_F(PostgresqlInventory, ARoleWithoutCreateOnTheDatabaseUsesTheSchemaItWasGiven) {
  // As docs/manual/postgresql.md shows: the administrator makes the schema
  // and gives it to certkeeper's role, which may create nothing else.
  const std::string role = "ck_app_" + db_;
  psql("CREATE ROLE " + role + " LOGIN; REVOKE ALL ON DATABASE " + db_ + " FROM PUBLIC; GRANT CONNECT ON DATABASE " +
       db_ + " TO " + role + "; CREATE SCHEMA certkeeper AUTHORIZATION " + role);
  std::string uri = uri_;
  uri.replace(uri.find("ck@"), 3, role + "@");
  auto inv = Inventory::open(uri, OpenMode::create);
  ASSERT_TRUE(inv) << inv.error().what();
  EXPECT_EQ(*inv->schema_version(), postgresql_migrations().back().version);
  EXPECT_EQ(psql("SELECT has_database_privilege('" + role + "', '" + db_ + "', 'CREATE')"), "f\n");
}

TEST_F(PostgresqlInventory, ATableTheRoleCannotSeeIsStillAnotherApplicationsTable) {
  const std::string role = "ck_app_" + db_;
  psql("CREATE ROLE " + role + " LOGIN; CREATE SCHEMA certkeeper AUTHORIZATION " + role);
  std::string uri = uri_;
  uri.replace(uri.find("ck@"), 3, role + "@");
  ASSERT_TRUE(Inventory::open(uri, OpenMode::create));
  // Made by the superuser: certkeeper's role has no right on it at all.
  psql("CREATE TABLE certkeeper.payroll (id int); REVOKE ALL ON certkeeper.payroll FROM PUBLIC");
  auto inv = Inventory::open(uri, OpenMode::existing);
  ASSERT_FALSE(inv);
  EXPECT_EQ(inv.error().code, Errc::database_corrupt);
  EXPECT_NE(inv.error().message.find("payroll"), std::string::npos) << inv.error().what();
}

TEST_F(PostgresqlInventory, ANewerSchemaIsRefusedAndNeverRewritten) {
  ASSERT_TRUE(Inventory::open(uri_, OpenMode::create));
  psql("INSERT INTO certkeeper.schema_version VALUES (9999, '9999_future.sql', 0); "
       "CREATE TABLE certkeeper.future (id int)");
  const std::string before = tables();
  for (auto mode : {OpenMode::create, OpenMode::existing, OpenMode::read_only}) {
    auto inv = Inventory::open(uri_, mode);
    ASSERT_FALSE(inv);
    EXPECT_EQ(inv.error().code, Errc::database_newer) << inv.error().what();
  }
  EXPECT_EQ(tables(), before);
  EXPECT_EQ(psql("SELECT max(version) FROM certkeeper.schema_version"), "9999\n");
}

TEST_F(PostgresqlInventory, APlaintextKeyIsNeverWritten) {
  auto inv = Inventory::open(uri_, OpenMode::create);
  ASSERT_TRUE(inv) << inv.error().what();
  auto v = inv->append_version(definition("mail"), acme_version("01"), "imported", "{}", "t", kNow);
  ASSERT_FALSE(v);
  EXPECT_EQ(v.error().code, Errc::usage);
  EXPECT_NE(v.error().message.find("--encrypt-keys"), std::string::npos) << v.error().what();
  EXPECT_FALSE(*inv->find_certificate("mail")) << "nothing written";
  EXPECT_EQ(psql("SELECT count(*) FROM certkeeper.events"), "0\n");
}

TEST_F(PostgresqlInventory, APgDumpHoldsNoPlaintextKey) {
  {
    Inventory inv = encrypted();
    ASSERT_TRUE(inv.append_version(definition("mail"), acme_version("01"), "imported", "{}", "t", kNow));
    AccountRecord a;
    a.directory_url = "https://ca/dir";
    a.key_pem = "-----BEGIN PRIVATE KEY-----\nACCOUNT\n-----END PRIVATE KEY-----\n";
    ASSERT_TRUE(inv.save_account(a, "t", kNow));
    auto order = inv.open_order("mail", 1, "https://ca/acct/1", "https://ca/order/1",
                                "-----BEGIN PRIVATE KEY-----\nORDER\n-----END PRIVATE KEY-----\n", "t", kNow);
    ASSERT_TRUE(order) << order.error().what();
    auto read = inv.version_with_key("mail", 1);
    ASSERT_TRUE(read) << read.error().what();
    EXPECT_EQ(read->key_pem, acme_version("01").key_pem) << "it opens again";
  }
  auto dump = testing::run_program({"/usr/lib/postgresql/15/bin/pg_dump", "-h", server_->socket_dir(), "-p",
                                    std::to_string(server_->port()), "-U", "ck", "-d", db_},
                                   dir_.path());
  ASSERT_EQ(dump.exit_code, 0) << dump.err;
  EXPECT_NE(dump.out.find("ck-aesgcm-v1:"), std::string::npos) << "the keys are in it, encrypted";
  EXPECT_EQ(dump.out.find("PRIVATE KEY"), std::string::npos);
  EXPECT_EQ(dump.out.find("ACCOUNT"), std::string::npos);
}

TEST_F(PostgresqlInventory, ALostConnectionFailsTheCallAndTheNextOpenWorks) {
  Inventory inv = encrypted();
  ASSERT_TRUE(inv.append_version(definition("mail"), acme_version("01"), "imported", "{}", "t", kNow));
  psql("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = current_database() "
       "AND pid <> pg_backend_pid()");
  auto v = inv.append_version(definition("mail"), acme_version("02"), "imported", "{}", "t", kNow);
  ASSERT_FALSE(v);
  EXPECT_EQ(v.error().code, Errc::database);
  EXPECT_NE(v.error().what().find(server_->socket_dir()), std::string::npos) << "names the server: " << v.error().what();
  auto again = Inventory::open(uri_, OpenMode::existing);
  ASSERT_TRUE(again) << again.error().what();
  auto versions = again->versions("mail");
  ASSERT_TRUE(versions) << versions.error().what();
  EXPECT_EQ(versions->size(), 1u) << "nothing of the lost call was kept";
}

TEST_F(PostgresqlInventory, LocksAreHeldAcrossConnectionsUntilReleased) {
  ASSERT_TRUE(Inventory::open(uri_, OpenMode::create));
  auto first = InventoryLock::acquire(uri_, "web", 0);
  ASSERT_TRUE(first) << first.error().what();
  auto second = InventoryLock::acquire(uri_, "web", 200);
  ASSERT_FALSE(second);
  EXPECT_EQ(second.error().code, Errc::conflict);
  EXPECT_TRUE(InventoryLock::acquire(uri_, "web@install", 0)) << "another name is another lock";
  std::thread release([held = std::move(*first)]() mutable {
    std::this_thread::sleep_for(std::chrono::milliseconds(300));
    InventoryLock gone = std::move(held);
  });
  auto waited = InventoryLock::acquire(uri_, "web", 10000);
  release.join();
  EXPECT_TRUE(waited) << waited.error().what();
}

}  // namespace
}  // namespace certkeeper::store
