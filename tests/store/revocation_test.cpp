// Inventory::mark_revoked, and the event kinds of save_account.
#include <gtest/gtest.h>

#include "certkeeper/store/inventory.h"
#include "support/temp_dir.h"
#include "store/store_backends.h"
#include "store/store_fixtures.h"

namespace certkeeper::store {
namespace {

using testing::kNow;
using testing::acme_version;

using testing::TempDir;


class InventoryRevocation : public ::testing::TestWithParam<testing::StoreBackend> {
 protected:
  void SetUp() override {
    auto opened = testing::open_fresh(GetParam(), dir_, location_);
    ASSERT_TRUE(opened) << opened.error().what();
    inv_.emplace(std::move(*opened));
    CertificateRecord def;
    def.name = "web";
    def.source = "acme";
    ASSERT_TRUE(inv_->append_version(def, acme_version("01"), "issued", "{}", "t", kNow));
    ASSERT_TRUE(inv_->append_version(def, acme_version("02"), "issued", "{}", "t", kNow));
  }

  std::vector<EventRecord> events(const std::string& kind) {
    std::vector<EventRecord> out;
    auto all = inv_->events("web");
    for (auto& e : *all) {
      if (e.kind == kind) out.push_back(e);
    }
    return out;
  }

  TempDir dir_;
  std::string location_;
  std::optional<Inventory> inv_;
};

TEST_P(InventoryRevocation, MarksOneVersionAndWritesTheEvent) {
  auto marked = inv_->mark_revoked("web", 1, "keyCompromise", "cli:ops", kNow + 60);
  ASSERT_TRUE(marked) << marked.error().what();
  EXPECT_TRUE(*marked);
  auto versions = *inv_->versions("web");
  EXPECT_EQ(versions[0].revoked_at, kNow + 60);
  EXPECT_EQ(versions[0].revoke_reason, "keyCompromise");
  EXPECT_FALSE(versions[1].revoked_at) << "only the version named";
  EXPECT_EQ(versions[1].revoke_reason, "");
  EXPECT_EQ(versions[0].fingerprint_sha256, "01") << "nothing else changes";
  auto revoked = events("revoked");
  ASSERT_EQ(revoked.size(), 1u);
  EXPECT_EQ(revoked[0].actor, "cli:ops");
  EXPECT_EQ(revoked[0].at, kNow + 60);
  EXPECT_EQ(revoked[0].detail_json, R"({"reason":"keyCompromise","serial":"0A01","version":1})");
}

TEST_P(InventoryRevocation, TheFirstMarkStands) {
  ASSERT_TRUE(*inv_->mark_revoked("web", 2, "superseded", "t", kNow));
  auto again = inv_->mark_revoked("web", 2, "keyCompromise", "t", kNow + 10);
  ASSERT_TRUE(again);
  EXPECT_FALSE(*again);
  auto v = inv_->versions("web")->at(1);
  EXPECT_EQ(v.revoked_at, kNow);
  EXPECT_EQ(v.revoke_reason, "superseded");
  EXPECT_EQ(events("revoked").size(), 1u);
}

TEST_P(InventoryRevocation, UnknownCertificateOrVersion) {
  EXPECT_EQ(inv_->mark_revoked("nope", 1, "unspecified", "t", kNow).error().code, Errc::not_found);
  auto missing = inv_->mark_revoked("web", 3, "unspecified", "t", kNow);
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().code, Errc::not_found);
  EXPECT_NE(missing.error().message.find("no version 3"), std::string::npos);
  EXPECT_TRUE(events("revoked").empty());
}

class InventoryAccounts : public testing::OnBothBackends {};
CK_ON_BOTH_BACKENDS(InventoryAccounts);

TEST_P(InventoryAccounts, SaveAccountWritesTheEventItIsGiven) {
  auto inv = fresh();
  ASSERT_TRUE(inv) << inv.error().what();
  AccountRecord a;
  a.directory_url = "https://ca/dir";
  a.key_pem = "-----BEGIN PRIVATE KEY-----\nOLD\n-----END PRIVATE KEY-----\n";
  a.account_url = "https://ca/acct/1";
  auto saved = inv->save_account(a, "t", kNow);
  ASSERT_TRUE(saved);
  saved->key_pem = "-----BEGIN PRIVATE KEY-----\nNEW\n-----END PRIVATE KEY-----\n";
  auto rolled = inv->save_account(*saved, "t", kNow + 1, "account-rolled-over");
  ASSERT_TRUE(rolled);
  EXPECT_EQ(rolled->id, saved->id) << "the same row";
  EXPECT_EQ((*inv->find_account("https://ca/dir", ""))->key_pem, saved->key_pem);
  auto all = *inv->events("");
  std::erase_if(all, [](const EventRecord& e) { return e.kind.rfind("account-", 0) != 0; });
  ASSERT_EQ(all.size(), 2u);
  EXPECT_EQ(all[0].kind, "account-key-stored");
  EXPECT_EQ(all[1].kind, "account-rolled-over");
  EXPECT_EQ(all[1].detail_json.find("PRIVATE"), std::string::npos) << "never the key";
}

CK_ON_BOTH_BACKENDS(InventoryRevocation);

}  // namespace
}  // namespace certkeeper::store
