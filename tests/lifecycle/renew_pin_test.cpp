// The scheduler judges the desired version (issue 12): a version pinned by
// rollback that nears expiry is renewed although the newest is far from it,
// the new version ends the pin with the event "pin-ended" and is installed.
// Against the scripted ACME stub without ARI (the lifetime rule decides), on
// a clock the stub follows: every certificate lives 90 days from its issue.
#include <gtest/gtest.h>

#include "certkeeper/lifecycle/install.h"
#include "renew_pass_fixture.h"

namespace certkeeper::lifecycle::renew_pass {
namespace {

class RenewPinTest : public RenewPassFixture {
 protected:
  RenewPinTest() : RenewPassFixture(stub_options(false)) {}

  // Version 1 at t0, version 2 forty days later (installed into the target),
  // then, when `pin`, rollback to version 1.
  void two_versions(bool pin) {
    define();
    issue_first();
    target_ = add_files_target();
    clock_.set(t0_ + 40 * kSecondsPerDay);
    auto again = issue(ctx_, {"web"}, 1);
    ASSERT_EQ(again.size(), 1u);
    ASSERT_TRUE(again[0].stored);
    ASSERT_EQ(again[0].version, 2);
    ASSERT_TRUE(again[0].install && !again[0].install->rolled_back);
    if (!pin) return;
    InstallRequest back;
    back.name = "web";
    back.version = 1;
    auto done = rollback(ctx_, back);
    ASSERT_TRUE(done) << done.error().what();
    ASSERT_EQ(record().pinned_version, 1);
  }

  std::vector<store::EventRecord> events(const std::string& kind) {
    std::vector<store::EventRecord> out;
    auto inv = inventory();
    auto all = inv.events("web");
    EXPECT_TRUE(all);
    for (auto& e : *all) {
      if (e.kind == kind) out.push_back(std::move(e));
    }
    return out;
  }

  std::optional<int> installed() {
    auto inv = inventory();
    auto t = inv.targets("web");
    EXPECT_TRUE(t && t->size() == 1u);
    return t->front().installed_version;
  }

  std::string target_;
};

TEST_F(RenewPinTest, APinnedVersionNearingExpiryIsRenewedAndThePinEnds) {
  two_versions(true);
  // Version 1 (issued at t0, 90 days) is due when a third is left: t0 + 60
  // days. Version 2 would not be before t0 + 100 days.
  auto first = pass();
  const auto* web = item_named(first);
  ASSERT_NE(web, nullptr);
  EXPECT_EQ(web->decision.kind, DecisionKind::check_at);
  EXPECT_EQ(web->decision.at, t0_ + 60 * kSecondsPerDay) << web->decision.reason;
  EXPECT_NE(web->decision.reason.find("pinned version 1: "), std::string::npos) << web->decision.reason;
  EXPECT_EQ(record().next_check, t0_ + 60 * kSecondsPerDay);
  EXPECT_TRUE(new_orders().size() == 2u) << "nothing ordered yet";

  clock_.set(t0_ + 61 * kSecondsPerDay);
  auto due = pass();
  web = item_named(due);
  ASSERT_NE(web, nullptr);
  EXPECT_EQ(web->decision.kind, DecisionKind::renew_now) << web->decision.reason;
  EXPECT_TRUE(web->attempted);
  ASSERT_TRUE(web->issued && web->issued->stored);
  EXPECT_EQ(new_orders().size(), 3u);

  auto c = record();
  EXPECT_EQ(c.current_version, 3);
  EXPECT_FALSE(c.pinned_version) << "the pin ended";
  EXPECT_EQ(store::desired_version(c), 3);
  auto ended = events(store::event::pin_ended);
  ASSERT_EQ(ended.size(), 1u);
  auto detail = json::parse(ended[0].detail_json);
  EXPECT_EQ(detail["pinned_version"], 1);
  EXPECT_EQ(detail["new_version"], 3);
  EXPECT_EQ(ended[0].actor, "test");
  const std::string reason = detail["reason"];
  EXPECT_NE(reason.find("version 3 was stored (issued, by test) while version 1 was pinned, which expires at"),
            std::string::npos)
      << reason;
  EXPECT_EQ(installed(), 3) << "the new version went through the install transaction";

  // Later passes judge version 3: nothing is due for 60 days.
  clock_.set(t0_ + 70 * kSecondsPerDay);
  auto after = pass();
  web = item_named(after);
  ASSERT_NE(web, nullptr);
  EXPECT_EQ(web->decision.kind, DecisionKind::check_at) << web->decision.reason;
  EXPECT_EQ(web->decision.at, t0_ + 61 * kSecondsPerDay + 60 * kSecondsPerDay) << web->decision.reason;
  EXPECT_EQ(web->decision.reason.find("pinned"), std::string::npos) << web->decision.reason;
  EXPECT_EQ(new_orders().size(), 3u);
}

TEST_F(RenewPinTest, WithoutThePinTheSameMomentIsNotDue) {
  two_versions(false);
  clock_.set(t0_ + 61 * kSecondsPerDay);
  auto out = pass();
  const auto* web = item_named(out);
  ASSERT_NE(web, nullptr);
  EXPECT_EQ(web->decision.kind, DecisionKind::check_at) << web->decision.reason;
  EXPECT_EQ(web->decision.at, t0_ + 100 * kSecondsPerDay);
  EXPECT_EQ(new_orders().size(), 2u);
  EXPECT_TRUE(events(store::event::pin_ended).empty());
}

TEST_F(RenewPinTest, AnIssueByHandWhilePinnedEndsThePinToo) {
  two_versions(true);
  auto by_hand = issue(ctx_, {"web"}, 1);
  ASSERT_EQ(by_hand.size(), 1u);
  ASSERT_TRUE(by_hand[0].stored);
  EXPECT_FALSE(record().pinned_version);
  auto ended = events(store::event::pin_ended);
  ASSERT_EQ(ended.size(), 1u);
  EXPECT_EQ(json::parse(ended[0].detail_json)["new_version"], 3);
  EXPECT_EQ(installed(), 3);
}

}  // namespace
}  // namespace certkeeper::lifecycle::renew_pass
