// An account key rollover interrupted by a crash (RFC 8555 §7.3.5): the
// inventory holds the new key as pending; the next session keeps whichever
// key the CA knows the account by. Against Debian's pebble.
#include <gtest/gtest.h>

#include "certkeeper/acme/client.h"
#include "certkeeper/lifecycle/account_ops.h"
#include "certkeeper/lifecycle/init.h"
#include "certkeeper/store/inventory.h"
#include "support/pebble.h"
#include "support/temp_dir.h"

namespace certkeeper::lifecycle {
namespace {

using namespace certkeeper::testing;

class InterruptedRolloverTest : public ::testing::Test {
 protected:
  void SetUp() override {
    trust_ = dir_.file("trust.pem");
    write_file(trust_, read_file(pebble_.ca_file()) + pebble_.issuing_root_pem());
    ctx_ = Context{dir_.file("ck.db"), &clock_, "test"};
    ASSERT_TRUE(init(ctx_, {std::nullopt, pebble_.directory_url(), trust_, "ops@example.test", {}}));
    auto registered = register_account(ctx_, {});
    ASSERT_TRUE(registered) << registered.error().what();
  }

  store::AccountRecord stored() {
    auto inv = store::Inventory::open(ctx_.db_path, store::OpenMode::existing);
    return **inv->find_account(pebble_.directory_url(), "mailto:ops@example.test");
  }

  // The state a crash right after the CA's answer leaves: `new_key` stored
  // only as pending; with `tell_ca`, the CA already switched to it.
  void crash_mid_rollover(const std::string& new_key, bool tell_ca) {
    store::AccountRecord account = stored();
    if (tell_ca) {
      net::HttpOptions options;
      options.ca_file = trust_;
      auto http = net::make_http_client(options);
      auto old_signer = crypto::make_signer(account.key_pem).value();
      auto new_signer = crypto::make_signer(new_key).value();
      acme::Client client(*http, *old_signer, pebble_.directory_url(), clock_);
      client.set_account_url(account.account_url);
      auto changed = client.key_change(*new_signer);
      ASSERT_TRUE(changed) << changed.error().what();
    }
    account.pending_key_pem = new_key;
    auto inv = store::Inventory::open(ctx_.db_path, store::OpenMode::existing);
    ASSERT_TRUE(inv->save_account(account, "test", clock_.now()));
  }

  Pebble pebble_;
  TempDir dir_;
  SystemClock clock_;
  std::string trust_;
  Context ctx_;
};

TEST_F(InterruptedRolloverTest, TheKeyTheCaAcceptedIsKept) {
  std::string old_key = stored().key_pem;
  std::string new_key = *crypto::generate_private_key("ec-p256");
  crash_mid_rollover(new_key, /*tell_ca=*/true);
  auto shown = show_account(ctx_, /*ask_server=*/true);
  ASSERT_TRUE(shown) << shown.error().what();
  EXPECT_EQ(shown->server_status, "valid");
  auto account = stored();
  EXPECT_EQ(account.key_pem, new_key);
  EXPECT_NE(account.key_pem, old_key);
  EXPECT_TRUE(account.pending_key_pem.empty());
}

TEST_F(InterruptedRolloverTest, AKeyTheCaNeverSawIsDropped) {
  std::string old_key = stored().key_pem;
  crash_mid_rollover(*crypto::generate_private_key("ec-p256"), /*tell_ca=*/false);
  auto shown = show_account(ctx_, /*ask_server=*/true);
  ASSERT_TRUE(shown) << shown.error().what();
  EXPECT_FALSE(shown->server_error) << shown->server_error->what();
  EXPECT_EQ(shown->server_status, "valid");
  auto account = stored();
  EXPECT_EQ(account.key_pem, old_key);
  EXPECT_TRUE(account.pending_key_pem.empty());
}

}  // namespace
}  // namespace certkeeper::lifecycle
