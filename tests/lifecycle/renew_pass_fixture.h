// The scheduler pass (`renew`) against the scripted ACME stub, on a
// FixedClock that the stub follows too (AcmeStubOptions::clock), so that a
// test can move through weeks of time and every certificate the stub issues
// is issued "now". Shared by renew_ari_test.cpp, renew_outage_test.cpp and
// renew_halt_test.cpp.
#pragma once

#include <gtest/gtest.h>

#include <ctime>
#include <numeric>
#include <string>
#include <vector>

#include "certkeeper/crypto/ari_id.h"
#include "certkeeper/lifecycle/acme_ops.h"
#include "certkeeper/lifecycle/init.h"
#include "certkeeper/lifecycle/renew.h"
#include "certkeeper/lifecycle/targets.h"
#include "certkeeper/store/inventory.h"
#include "support/acme_stub.h"
#include "support/temp_dir.h"

namespace certkeeper::lifecycle::renew_pass {

using namespace certkeeper::testing;
using nlohmann::json;

constexpr std::int64_t kHour = 3600;
constexpr std::int64_t kAriRecheck = 6 * kHour;  // the issue: "retry ARI in 6 hours"

// Deterministic draws from an ARI window.
inline RandomSource lower_bound_random() {
  return [](std::int64_t lo, std::int64_t) { return lo; };
}
inline RandomSource midpoint_random() {
  return [](std::int64_t lo, std::int64_t hi) { return std::midpoint(lo, hi); };
}

inline json ari_window(UnixTime start, UnixTime end) {
  return {{"suggestedWindow", {{"start", format_utc(start)}, {"end", format_utc(end)}}}};
}

inline AcmeStubOptions stub_options(bool renewal_info, json profiles = nullptr) {
  AcmeStubOptions o;
  o.renewal_info = renewal_info;
  o.profiles = std::move(profiles);
  return o;
}

class RenewPassFixture : public ::testing::Test {
 protected:
  explicit RenewPassFixture(AcmeStubOptions options = stub_options(true))
      : t0_(static_cast<UnixTime>(std::time(nullptr))), clock_(t0_), stub_(follow(options, clock_)) {
    ctx_.db_path = dir_.file("ck.db");
    ctx_.clock = &clock_;
    ctx_.actor = "test";
  }

  void SetUp() override {
    auto made = init(ctx_, {std::nullopt, stub_.directory_url(), stub_.ca_file(), "ops@example.test", {}});
    ASSERT_TRUE(made) << made.error().what();
  }

  static AcmeStubOptions follow(AcmeStubOptions o, const FixedClock& clock) {
    o.clock = &clock;
    return o;
  }

  AddRequest add_request(const std::string& name = "web", const std::string& profile = "") {
    AddRequest add;
    add.name = name;
    add.domains = {name + ".example.test"};
    add.webroot = dir_.file("");
    add.profile = profile;
    return add;
  }

  void define(const std::string& name = "web", const std::string& profile = "") {
    auto def = add_certificate(ctx_, add_request(name, profile));
    ASSERT_TRUE(def) << def.error().what();
  }

  // The first version, by `issue` (not by a pass), at the current time.
  void issue_first(const std::string& name = "web") {
    auto out = issue(ctx_, {name}, 1);
    ASSERT_EQ(out.size(), 1u);
    ASSERT_FALSE(out[0].error) << out[0].error->what();
    ASSERT_TRUE(out[0].stored);
  }

  // An install target (files only, no reload, no probe).
  std::string add_files_target(const std::string& name = "web") {
    TargetRequest t;
    t.name = name;
    t.dir = dir_.file("live-" + name);
    auto added = add_target(ctx_, t);
    EXPECT_TRUE(added) << added.error().what();
    return t.dir;
  }

  RenewOutcome pass(const RandomSource& random = lower_bound_random(), RenewRequest request = {}) {
    request.parallel = 1;
    auto out = renew(ctx_, request, random);
    EXPECT_TRUE(out) << out.error().what();
    return out ? *out : RenewOutcome{};
  }

  // A fresh connection, as a new process would open it.
  store::Inventory inventory() {
    return std::move(store::Inventory::open(ctx_.db_path, store::OpenMode::existing).value());
  }
  store::CertificateRecord record(const std::string& name = "web") {
    auto found = inventory().find_certificate(name);
    EXPECT_TRUE(found && *found);
    return found && *found ? **found : store::CertificateRecord{};
  }
  std::string leaf_of(int version, const std::string& name = "web") {
    auto v = inventory().version_with_key(name, version);
    EXPECT_TRUE(v);
    return v ? v->leaf_pem : std::string();
  }
  std::string ari_id_of(int version, const std::string& name = "web") {
    auto id = crypto::ari_cert_id(leaf_of(version, name));
    EXPECT_TRUE(id) << id.error().what();
    return id ? *id : std::string();
  }

  // newOrder requests (POST /order, not /order/N).
  std::vector<StubRequest> new_orders() const {
    std::vector<StubRequest> out;
    for (const auto& r : stub_.requests_to("/order")) {
      if (r.path == "/order" && r.method == "POST") out.push_back(r);
    }
    return out;
  }
  std::vector<StubRequest> ari_gets() const { return stub_.requests_to("/renewal-info/"); }

  static std::string problem_body(const std::string& type, const std::string& detail) {
    return json{{"type", "urn:ietf:params:acme:error:" + type}, {"detail", detail}}.dump();
  }

  TempDir dir_;
  UnixTime t0_;
  FixedClock clock_;
  AcmeStub stub_;
  Context ctx_;
};

inline const RenewItem* item_named(const RenewOutcome& out, const std::string& name = "web") {
  for (const auto& i : out.items) {
    if (i.name == name) return &i;
  }
  return nullptr;
}

inline bool has_event(const RenewItem& item, const std::string& event) {
  for (const auto& e : item.events) {
    if (e == event) return true;
  }
  return false;
}

}  // namespace certkeeper::lifecycle::renew_pass
