// Watched remote endpoints in the store: what is due, the probe record and
// its events only on a change, and the managed-fingerprint lookup.
#include <gtest/gtest.h>

#include "certkeeper/store/inventory.h"
#include "support/temp_dir.h"
#include "store/store_backends.h"
#include "store/store_fixtures.h"

#include <optional>

namespace certkeeper::store {
namespace {

using testing::kNow;
using testing::definition;

using testing::TempDir;
using Change = Inventory::ObservationChange;


VersionRecord probed_version(const std::string& fingerprint) {
  VersionRecord v;
  v.leaf_pem = "leaf";
  v.fingerprint_sha256 = fingerprint;
  v.serial = "01";
  v.names = {"a.example.test"};
  v.not_before = kNow - 10 * kSecondsPerDay;
  v.not_after = kNow + 80 * kSecondsPerDay;
  v.origin = "probe";
  return v;
}

class RemoteStoreTest : public ::testing::TestWithParam<testing::StoreBackend> {
 protected:
  void SetUp() override {
    auto opened = testing::open_fresh(GetParam(), dir, location_);
    ASSERT_TRUE(opened);
    store.emplace(std::move(*opened));
  }
  TempDir dir;
  std::string location_;
  std::optional<Inventory> store;
  Inventory& inv_ref() { return *store; }

  std::vector<std::string> events_of(const std::string& name) {
    std::vector<std::string> kinds;
    auto events = inv_ref().events(name);
    EXPECT_TRUE(events);
    for (const auto& e : *events) kinds.push_back(e.kind);
    return kinds;
  }
};

TEST_P(RemoteStoreTest, OnlyRemoteEndpointsAreDueForProbing) {
  ASSERT_TRUE(inv_ref().define_certificate(definition("edge", "remote"), "test", kNow));
  ASSERT_TRUE(inv_ref().define_certificate(definition("web", "acme"), "test", kNow));
  auto due = inv_ref().due_remotes(kNow);
  ASSERT_TRUE(due);
  ASSERT_EQ(due->size(), 1u);
  EXPECT_EQ(due->front().name, "edge");
  auto renewals = inv_ref().due_certificates(kNow);
  ASSERT_TRUE(renewals);
  ASSERT_EQ(renewals->size(), 1u);
  EXPECT_EQ(renewals->front().name, "web");
  ASSERT_TRUE(inv_ref().set_schedule("edge", {kNow + 100, std::nullopt, std::nullopt, std::nullopt}));
  EXPECT_TRUE(inv_ref().due_remotes(kNow)->empty());
  EXPECT_EQ(inv_ref().due_remotes(kNow + 100)->size(), 1u);
}

TEST_P(RemoteStoreTest, ObservationsCountFailuresAndSpeakOnlyOnAChange) {
  ASSERT_TRUE(inv_ref().define_certificate(definition("edge", "remote"), "test", kNow));
  EXPECT_EQ(*inv_ref().record_observation("edge", true, "", "test", kNow), Change::none);
  EXPECT_EQ(*inv_ref().record_observation("edge", false, "refused", "test", kNow + 1), Change::unreachable);
  EXPECT_EQ(*inv_ref().record_observation("edge", false, "refused", "test", kNow + 2), Change::none);
  EXPECT_EQ(*inv_ref().record_observation("edge", false, "timeout", "test", kNow + 3), Change::none);
  auto c = inv_ref().find_certificate("edge");
  ASSERT_TRUE(c && *c);
  EXPECT_EQ((*c)->failures, 3);
  EXPECT_EQ((*c)->last_error, "timeout");
  EXPECT_EQ((*c)->last_attempt, kNow + 3);
  EXPECT_EQ((*c)->last_success, kNow);
  EXPECT_EQ(*inv_ref().record_observation("edge", true, "", "test", kNow + 4), Change::reachable_again);
  c = inv_ref().find_certificate("edge");
  EXPECT_EQ((*c)->failures, 0);
  EXPECT_EQ((*c)->last_error, "");
  EXPECT_EQ(events_of("edge"), (std::vector<std::string>{"defined", "endpoint-unreachable", "endpoint-reachable"}));
  auto unknown = inv_ref().record_observation("nope", true, "", "test", kNow);
  ASSERT_FALSE(unknown);
  EXPECT_EQ(unknown.error().code, Errc::not_found);
}

TEST_P(RemoteStoreTest, AFingerprintMatchesManagedCertificatesOnly) {
  ASSERT_TRUE(inv_ref().append_version(definition("web", "manual"), probed_version("f1"), "imported", "{}", "test", kNow));
  ASSERT_TRUE(inv_ref().append_version(definition("web", "manual"), probed_version("f2"), "imported", "{}", "test", kNow));
  ASSERT_TRUE(inv_ref().append_version(definition("edge", "remote"), probed_version("f3"), "observed", "{}", "test", kNow));
  auto match = inv_ref().find_by_fingerprint("f2");
  ASSERT_TRUE(match && *match);
  EXPECT_EQ(**match, (std::pair<std::string, int>{"web", 2}));
  EXPECT_FALSE(*inv_ref().find_by_fingerprint("f3")) << "a remote endpoint's leaf is not a managed certificate";
  EXPECT_FALSE(*inv_ref().find_by_fingerprint("none"));
}

CK_ON_BOTH_BACKENDS(RemoteStoreTest);

}  // namespace
}  // namespace certkeeper::store
