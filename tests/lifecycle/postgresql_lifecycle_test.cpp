// Whole operations on a PostgreSQL inventory (issue 11: lifecycle reaches the
// store only through its Context, so the same operations run on either
// backend): init with encrypted keys, add, issue from the stub CA, a
// scheduler pass that renews and installs, install and rollback, the run
// locks as advisory locks, and nothing of a key in plaintext afterwards.
#include <gtest/gtest.h>

#include "certkeeper/crypto/key_wrap.h"
#include "certkeeper/lifecycle/db_check.h"
#include "certkeeper/lifecycle/install.h"
#include "certkeeper/store/inventory_check.h"
#include "certkeeper/store/inventory_lock.h"
#include "lifecycle/renew_pass_fixture.h"
#include "support/postgres.h"
#include "support/program.h"

namespace certkeeper::lifecycle::renew_pass {
namespace {

using testing::shared_postgres;

class PostgresqlLifecycle : public RenewPassFixture {
 protected:
  PostgresqlLifecycle() {
    server_ = &shared_postgres();  // a throw fails the test with the server's log
    db_ = server_->create_database();
    ctx_.db_path = server_->uri(db_);
    ctx_.key_file = dir_.file("inventory.key");
  }

  void SetUp() override {
    ASSERT_TRUE(crypto::write_new_key_file(ctx_.key_file));
    InitRequest request{std::nullopt, stub_.directory_url(), stub_.ca_file(), "ops@example.test", {}};
    request.encrypt_keys = true;
    auto made = init(ctx_, request);
    ASSERT_TRUE(made) << made.error().what();
    EXPECT_TRUE(made->created);
  }

  std::string pg_dump() {
    auto dump = testing::run_program({"/usr/lib/postgresql/15/bin/pg_dump", "-h", server_->socket_dir(), "-p",
                                      std::to_string(server_->port()), "-U", "ck", "-d", db_},
                                     dir_.path());
    EXPECT_EQ(dump.exit_code, 0) << dump.err;
    return dump.out;
  }

  testing::Postgres* server_ = nullptr;
  std::string db_;
};

TEST_F(PostgresqlLifecycle, InitWithoutEncryptionIsRefusedBeforeAnythingIsMade) {
  Context plain = ctx_;
  plain.db_path = server_->uri(server_->create_database());
  plain.key_file.clear();
  auto refused = init(plain, {std::nullopt, stub_.directory_url(), stub_.ca_file(), "ops@example.test", {}});
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().code, Errc::usage);
  EXPECT_NE(refused.error().message.find("--encrypt-keys"), std::string::npos) << refused.error().what();
  auto opened = store::Inventory::open(plain.db_path, store::OpenMode::read_only);
  ASSERT_FALSE(opened);
  EXPECT_EQ(opened.error().code, Errc::not_found) << "no schema was made";
}

TEST_F(PostgresqlLifecycle, AVersionIsIssuedRenewedByAPassInstalledAndRolledBack) {
  define();
  const std::string live = add_files_target();
  issue_first();  // version 1, installed
  const std::string first = read_file(live + "/fullchain.pem");
  ASSERT_NE(first.find("BEGIN CERTIFICATE"), std::string::npos);

  RenewRequest forced;
  forced.force = true;
  auto out = pass(lower_bound_random(), forced);
  const RenewItem* item = item_named(out);
  ASSERT_NE(item, nullptr);
  ASSERT_TRUE(item->issued);
  EXPECT_FALSE(item->issued->error) << item->issued->error->what();
  EXPECT_EQ(record().current_version, 2);
  const std::string second = read_file(live + "/fullchain.pem");
  EXPECT_NE(second, first) << "the pass installed the renewal";
  EXPECT_NE(second.find(leaf_of(2)), std::string::npos);

  InstallRequest previous;
  previous.name = "web";
  auto back = rollback(ctx_, previous);
  ASSERT_TRUE(back) << back.error().what();
  EXPECT_EQ(back->version, 1);
  EXPECT_EQ(read_file(live + "/fullchain.pem"), first);

  auto checked = check_inventory(ctx_);
  ASSERT_TRUE(checked) << checked.error().what();
  EXPECT_EQ(checked->backend, store::Backend::postgresql);
  EXPECT_STREQ(checked->key_encryption(), "encrypted");
  EXPECT_EQ(checked->keys_plaintext(), 0);
  EXPECT_GE(checked->keys_encrypted(), 3) << "two versions and the account";
  const std::string dump = pg_dump();
  EXPECT_EQ(dump.find("PRIVATE KEY"), std::string::npos) << "no key in plaintext in a pg_dump";
}

TEST_F(PostgresqlLifecycle, APassWhileAnotherHoldsThePassLockLeavesTheWorkToIt) {
  define();
  ctx_.node = "node-a";
  {
    // Another node's pass runs beside this one: the leases decide per certificate.
    auto other = store::InventoryLock::acquire(ctx_.db_path, "renew@node-b", 0);
    ASSERT_TRUE(other) << other.error().what();
    auto out = renew(ctx_, {}, lower_bound_random());
    ASSERT_TRUE(out) << out.error().what();
  }
  auto held = store::InventoryLock::acquire(ctx_.db_path, "renew@node-a", 0);
  ASSERT_TRUE(held) << held.error().what();
  auto out = renew(ctx_, {}, lower_bound_random());
  ASSERT_FALSE(out);
  EXPECT_EQ(out.error().code, Errc::conflict);
  EXPECT_NE(out.error().message.find("another renew pass"), std::string::npos) << out.error().what();
}

TEST_F(PostgresqlLifecycle, ACertificateAnotherWorkerHoldsIsSkippedAndIssuedByTheNextPass) {
  define();
  {
    // Another node holds the certificate's lease (issue 12): this pass
    // leaves the certificate to it.
    auto inv = ctx_.inventory(store::OpenMode::existing);
    ASSERT_TRUE(inv) << inv.error().what();
    ASSERT_TRUE(inv->acquire_lease("web", "node-z/1/1", "node-z", 120, "test", ctx_.now()));
    auto out = pass();
    const RenewItem* item = item_named(out);
    ASSERT_NE(item, nullptr);
    EXPECT_FALSE(item->attempted);
    EXPECT_NE(item->decision.reason.find("held by node node-z"), std::string::npos) << item->decision.reason;
    EXPECT_TRUE(new_orders().empty());
    ASSERT_TRUE(inv->release_lease("web", {"node-z/1/1", 1}, ctx_.now()));
  }
  auto out = pass();
  const RenewItem* item = item_named(out);
  ASSERT_NE(item, nullptr);
  ASSERT_TRUE(item->issued);
  EXPECT_TRUE(item->issued->stored);
  EXPECT_EQ(new_orders().size(), 1u);
}

}  // namespace
}  // namespace certkeeper::lifecycle::renew_pass
