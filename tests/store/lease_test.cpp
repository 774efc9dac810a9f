// Leases (issue 12, "One node talks to the CA") on both backends: taken,
// renewed, released, expired, taken over with a higher generation, and the
// fence: a version is stored under a lease only while that lease is the
// current, unexpired one, in the storing transaction itself.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "certkeeper/store/inventory.h"
#include "store/store_backends.h"
#include "store/store_fixtures.h"
#include "support/temp_dir.h"

namespace certkeeper::store {
namespace {

using testing::kNow;
using certkeeper::testing::TempDir;

constexpr int kSeconds = 60;

class LeaseTest : public ::testing::TestWithParam<testing::StoreBackend> {
 protected:
  void SetUp() override {
    auto opened = testing::open_fresh(GetParam(), dir_, location_);
    ASSERT_TRUE(opened) << opened.error().what();
    inv_.emplace(std::move(*opened));
    ASSERT_TRUE(inv_->define_certificate(testing::definition("web", "acme"), "t", kNow));
    AccountRecord a;
    a.directory_url = "https://ca/dir";
    a.contact = "mailto:a@b";
    a.account_url = "https://ca/acct/1";
    a.key_pem = "-----BEGIN PRIVATE KEY-----\nacct\n-----END PRIVATE KEY-----\n";
    auto saved = inv_->save_account(a, "t", kNow);
    ASSERT_TRUE(saved) << saved.error().what();
    auto order = inv_->open_order("web", saved->id, a.account_url, "https://ca/order/1",
                                  "-----BEGIN PRIVATE KEY-----\norder\n-----END PRIVATE KEY-----\n", "t", kNow);
    ASSERT_TRUE(order) << order.error().what();
    order_id_ = *order;
  }

  LeaseGrant take(const std::string& holder, const std::string& node, UnixTime at) {
    auto g = inv_->acquire_lease("web", holder, node, kSeconds, "t", at);
    EXPECT_TRUE(g) << g.error().what();
    return g ? *g : LeaseGrant{};
  }

  // The fenced store of a new version under `fence` at `at`.
  Result<int> store_under(const LeaseHandle& fence, UnixTime at, const std::string& fingerprint) {
    return inv_->append_fenced_version(testing::definition("web", "acme"), testing::acme_version(fingerprint), fence,
                                       order_id_, "issued", "{}", "t", at);
  }

  std::size_t versions() { return inv_->versions("web")->size(); }
  std::size_t events_of(const std::string& kind) {
    std::size_t n = 0;
    auto events = inv_->events("web");
    for (const auto& e : *events) n += e.kind == kind;
    return n;
  }

  TempDir dir_;
  std::string location_;
  std::optional<Inventory> inv_;
  std::int64_t order_id_ = 0;
};

TEST_P(LeaseTest, FreeLeaseIsTakenWithGenerationOneAndHeldAgainstOthers) {
  EXPECT_FALSE(*inv_->lease_of("web")) << "no row before the first lease";
  auto a = take("a/1/x", "a", kNow);
  EXPECT_EQ(a.lease.generation, 1);
  EXPECT_EQ(a.lease.expires_at, kNow + kSeconds);
  EXPECT_FALSE(a.replaced);
  auto b = inv_->acquire_lease("web", "b/2/y", "b", kSeconds, "t", kNow + 10);
  ASSERT_FALSE(b);
  EXPECT_EQ(b.error().code, Errc::conflict);
  EXPECT_EQ(b.error().cause.type, kLeaseHeld);
  EXPECT_NE(b.error().message.find("held by node a until"), std::string::npos) << b.error().message;
  auto row = **inv_->lease_of("web");
  EXPECT_EQ(row.holder, "a/1/x");
  EXPECT_EQ(row.node, "a");
  EXPECT_EQ(row.generation, 1);
}

TEST_P(LeaseTest, TheHolderTakesItAgainWithTheSameGeneration) {
  take("a/1/x", "a", kNow);
  auto again = take("a/1/x", "a", kNow + 30);
  EXPECT_EQ(again.lease.generation, 1);
  EXPECT_EQ(again.lease.acquired_at, kNow);
  EXPECT_EQ(again.lease.expires_at, kNow + 30 + kSeconds);
}

TEST_P(LeaseTest, RenewExtendsOnlyTheCurrentUnexpiredLease) {
  auto a = take("a/1/x", "a", kNow);
  const LeaseHandle mine{"a/1/x", a.lease.generation};
  ASSERT_TRUE(inv_->renew_lease("web", mine, kSeconds, kNow + 50));
  EXPECT_EQ((*inv_->lease_of("web"))->expires_at, kNow + 50 + kSeconds);
  EXPECT_EQ((*inv_->lease_of("web"))->renewed_at, kNow + 50);
  // Expired: lost, even though nobody took it yet.
  auto late = inv_->renew_lease("web", mine, kSeconds, kNow + 50 + kSeconds);
  ASSERT_FALSE(late);
  EXPECT_EQ(late.error().cause.type, kLeaseLost);
  EXPECT_NE(late.error().message.find("expired at"), std::string::npos) << late.error().message;
  EXPECT_EQ((*inv_->lease_of("web"))->expires_at, kNow + 50 + kSeconds) << "a lost lease is not extended";
}

TEST_P(LeaseTest, AnExpiredHolderIsTakenOverWithAHigherGenerationAndAnEvent) {
  auto a = take("a/1/x", "a", kNow);
  auto b = take("b/2/y", "b", kNow + kSeconds);  // a's expired at exactly kNow + kSeconds
  EXPECT_EQ(b.lease.generation, 2);
  ASSERT_TRUE(b.replaced);
  EXPECT_EQ(b.replaced->holder, "a/1/x");
  EXPECT_EQ(b.replaced->generation, 1);
  ASSERT_EQ(events_of("lease-taken-over"), 1u);
  auto events = *inv_->events("web");
  auto detail = nlohmann::json::parse(events.back().detail_json);
  EXPECT_EQ(detail["previous_node"], "a");
  EXPECT_EQ(detail["previous_generation"], 1);
  EXPECT_EQ(detail["generation"], 2);
  // The old holder's renewal names the new one.
  auto lost = inv_->renew_lease("web", {"a/1/x", 1}, kSeconds, kNow + kSeconds + 1);
  ASSERT_FALSE(lost);
  EXPECT_EQ(lost.error().cause.type, kLeaseLost);
  EXPECT_NE(lost.error().message.find("passed to node b (generation 2)"), std::string::npos) << lost.error().message;
}

TEST_P(LeaseTest, ReleaseKeepsTheRowAndTheGenerationIsNeverReused) {
  auto a = take("a/1/x", "a", kNow);
  ASSERT_TRUE(inv_->release_lease("web", {"a/1/x", 1}, kNow + 5));
  auto row = **inv_->lease_of("web");
  EXPECT_EQ(row.holder, "");
  EXPECT_EQ(row.generation, 1);
  EXPECT_FALSE(row.held_at(kNow + 5));
  auto b = take("b/2/y", "b", kNow + 6);
  EXPECT_EQ(b.lease.generation, 2) << "a new holder after a release gets a new generation";
  EXPECT_FALSE(b.replaced) << "a released lease is not taken over";
  EXPECT_EQ(events_of("lease-taken-over"), 0u);
  // A release by a holder that no longer holds it changes nothing.
  ASSERT_TRUE(inv_->release_lease("web", {"a/1/x", 1}, kNow + 7));
  EXPECT_EQ((*inv_->lease_of("web"))->holder, "b/2/y");
  ASSERT_TRUE(inv_->release_lease("web", {"b/2/y", 2}, kNow + 8));
  EXPECT_EQ(take("b/2/y", "b", kNow + 9).lease.generation, 3) << "even the same holder, once released";
}

TEST_P(LeaseTest, TheFenceStoresUnderTheCurrentLeaseAndClosesTheOrder) {
  auto a = take("a/1/x", "a", kNow);
  auto stored = store_under({"a/1/x", a.lease.generation}, kNow + 10, "AA01");
  ASSERT_TRUE(stored) << stored.error().what();
  EXPECT_EQ(*stored, 1);
  EXPECT_EQ(versions(), 1u);
  EXPECT_FALSE(*inv_->open_order_of("web")) << "the order is closed in the same transaction";
}

TEST_P(LeaseTest, TheFenceRefusesAStaleGenerationAndStoresNothing) {
  take("a/1/x", "a", kNow);
  take("b/2/y", "b", kNow + kSeconds + 1);  // a stopped past its lease; b took it
  auto refused = store_under({"a/1/x", 1}, kNow + kSeconds + 2, "AA01");
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().code, Errc::conflict);
  EXPECT_EQ(refused.error().cause.type, kLeaseLost);
  EXPECT_EQ(refused.error().what(),
            "web: the lease to talk to the CA passed to node b (generation 2); this node's order is abandoned; "
            "nothing stored");
  EXPECT_EQ(versions(), 0u);
  EXPECT_EQ(events_of("issued"), 0u);
  EXPECT_TRUE(*inv_->open_order_of("web")) << "the order stays open for the new holder";
  ASSERT_TRUE(store_under({"b/2/y", 2}, kNow + kSeconds + 3, "AA02"));
  EXPECT_EQ(versions(), 1u);
}

TEST_P(LeaseTest, TheFenceRefusesAnExpiredLeaseThatNobodyTookAndAReleasedOne) {
  take("a/1/x", "a", kNow);
  auto expired = store_under({"a/1/x", 1}, kNow + kSeconds, "AA01");
  ASSERT_FALSE(expired);
  EXPECT_EQ(expired.error().cause.type, kLeaseLost);
  EXPECT_NE(expired.error().message.find("expired at"), std::string::npos) << expired.error().message;
  ASSERT_TRUE(inv_->release_lease("web", {"a/1/x", 1}, kNow + 1));
  auto released = store_under({"a/1/x", 1}, kNow + 2, "AA01");
  ASSERT_FALSE(released);
  EXPECT_EQ(released.error().cause.type, kLeaseLost);
  auto never = store_under({"c/3/z", 7}, kNow + 2, "AA01");
  ASSERT_FALSE(never);
  EXPECT_EQ(never.error().cause.type, kLeaseLost);
  EXPECT_EQ(versions(), 0u);
  EXPECT_TRUE(*inv_->open_order_of("web"));
}

TEST_P(LeaseTest, AHolderTheCallerKnowsIsGoneIsTakenOverBeforeItsExpiry) {
  take("a/1/x", "a", kNow);
  auto other = inv_->acquire_lease("web", "a/2/y", "a", kSeconds, "t", kNow + 1, "a/9/z");
  ASSERT_FALSE(other) << "only the holder named as gone is replaced";
  EXPECT_EQ(other.error().cause.type, kLeaseHeld);
  auto g = inv_->acquire_lease("web", "a/2/y", "a", kSeconds, "t", kNow + 1, "a/1/x");
  ASSERT_TRUE(g) << g.error().what();
  EXPECT_EQ(g->lease.generation, 2);
  ASSERT_TRUE(g->replaced);
  auto events = *inv_->events("web");
  EXPECT_EQ(nlohmann::json::parse(events.back().detail_json)["reason"], "its process is gone");
  EXPECT_FALSE(store_under({"a/1/x", 1}, kNow + 2, "AA01")) << "the gone holder's generation is fenced off";
}

TEST_P(LeaseTest, UnknownCertificateIsNotFound) {
  auto g = inv_->acquire_lease("nope", "a/1/x", "a", kSeconds, "t", kNow);
  ASSERT_FALSE(g);
  EXPECT_EQ(g.error().code, Errc::not_found);
}

CK_ON_BOTH_BACKENDS(LeaseTest);

}  // namespace
}  // namespace certkeeper::store
