// The scheduler pass and ACME Renewal Information (RFC 9773), end to end
// against the scripted stub (pebble 2.4 has no ARI): the window decides and
// is polled, a window moved into the past (a mass revocation) renews at the
// next fetch, renewal orders carry "replaces" (and survive alreadyReplaced),
// and a failing or malformed renewalInfo falls back to the time rule.
#include "lifecycle/renew_pass_fixture.h"

namespace certkeeper::lifecycle::renew_pass {
namespace {

class RenewPassAri : public RenewPassFixture {
 protected:
  void SetUp() override {
    RenewPassFixture::SetUp();
    if (HasFatalFailure()) return;
    define();
    issue_first();  // version 1, valid t0 .. t0 + 90 days
    stub_.clear_log();
  }
  // The lifetime rule for the stub's 90-day certificate issued at t0.
  UnixTime time_rule_due() const { return t0_ + days(60); }
};

TEST_F(RenewPassAri, AFutureWindowIsWaitedForAndPolledAtItsRetryAfter) {
  const std::string id = ari_id_of(1);
  stub_.set_renewal_info(ari_window(t0_ + days(50), t0_ + days(52)), 21600);
  stub_.clear_log();
  clock_.advance(days(1));
  const UnixTime now = clock_.now();

  auto out = pass();

  const RenewItem* item = item_named(out);
  ASSERT_NE(item, nullptr);
  EXPECT_FALSE(item->attempted);
  EXPECT_EQ(item->decision.kind, DecisionKind::check_at) << item->decision.reason;
  EXPECT_EQ(item->decision.at, t0_ + days(50)) << "the random moment: the window's lower bound";
  auto c = record();
  ASSERT_TRUE(c.ari_start && c.ari_end && c.ari_next_fetch && c.next_check);
  EXPECT_EQ(*c.ari_start, t0_ + days(50));
  EXPECT_EQ(*c.ari_end, t0_ + days(52));
  EXPECT_EQ(*c.ari_next_fetch, now + 21600);
  EXPECT_EQ(*c.next_check, now + 21600) << "min(moment in window, next ARI fetch)";
  auto gets = ari_gets();
  ASSERT_EQ(gets.size(), 1u);
  EXPECT_EQ(gets[0].method, "GET");
  EXPECT_EQ(gets[0].path, "/renewal-info/" + id);
  EXPECT_TRUE(new_orders().empty());
  EXPECT_EQ(c.current_version, 1);

  // Before the next check a pass has nothing to do and asks nobody.
  clock_.set(now + 21600 - 1);
  EXPECT_TRUE(pass().items.empty());
  EXPECT_EQ(ari_gets().size(), 1u);

  // At it, the window is fetched again; still nothing to renew.
  clock_.set(now + 21600);
  auto again = pass();
  ASSERT_NE(item_named(again), nullptr);
  EXPECT_FALSE(item_named(again)->attempted);
  EXPECT_EQ(ari_gets().size(), 2u);
  EXPECT_EQ(*record().next_check, now + 2 * 21600);
}

TEST_F(RenewPassAri, AWindowNearerThanTheNextFetchIsTheNextCheck) {
  // The window opens in an hour, the CA asks to be polled again in a day:
  // the pass comes back at the moment drawn in the window (its midpoint here).
  clock_.advance(days(1));
  const UnixTime now = clock_.now();
  stub_.set_renewal_info(ari_window(now + kHour, now + 3 * kHour), 86400);

  auto out = pass(midpoint_random());

  ASSERT_NE(item_named(out), nullptr);
  EXPECT_FALSE(item_named(out)->attempted);
  auto c = record();
  ASSERT_TRUE(c.next_check && c.ari_next_fetch);
  EXPECT_EQ(*c.ari_next_fetch, now + 86400);
  EXPECT_EQ(*c.next_check, now + 2 * kHour);

  // Then: the moment has come, the stored window is used (no fetch) and it renews.
  clock_.set(*c.next_check);
  auto renewed = pass(midpoint_random());
  ASSERT_NE(item_named(renewed), nullptr);
  EXPECT_TRUE(item_named(renewed)->attempted);
  ASSERT_TRUE(item_named(renewed)->issued && item_named(renewed)->issued->stored);
  EXPECT_EQ(ari_gets().size(), 1u) << "the stored window was used until its next fetch";
  EXPECT_EQ(record().current_version, 2);
}

TEST_F(RenewPassAri, AWindowMovedIntoThePastRenewsAtTheNextFetchAndReplacesTheOldCertificate) {
  const std::string old_id = ari_id_of(1);
  stub_.set_renewal_info(ari_window(t0_ + days(50), t0_ + days(52)), 21600);
  clock_.advance(days(1));
  auto first = pass();
  ASSERT_NE(item_named(first), nullptr);
  ASSERT_FALSE(item_named(first)->attempted);
  auto c = record();
  ASSERT_TRUE(c.ari_next_fetch);

  // A mass revocation: the CA moves the window into the past.
  stub_.set_renewal_info(ari_window(c.ari_next_fetch.value() - days(2), c.ari_next_fetch.value() - days(1)), 21600);
  clock_.set(*c.ari_next_fetch);
  auto gets_before = ari_gets().size();

  auto out = pass();

  const RenewItem* item = item_named(out);
  ASSERT_NE(item, nullptr);
  EXPECT_EQ(ari_gets().size(), gets_before + 1) << "fetched again at ari_next_fetch";
  EXPECT_TRUE(item->attempted) << item->decision.reason;
  ASSERT_TRUE(item->issued);
  ASSERT_FALSE(item->issued->error) << item->issued->error->what();
  EXPECT_TRUE(item->issued->stored);
  auto orders = new_orders();
  ASSERT_FALSE(orders.empty());
  ASSERT_TRUE(orders.back().payload.is_object());
  EXPECT_EQ(orders.back().payload.value("replaces", ""), old_id);
  auto after = record();
  EXPECT_EQ(after.current_version, 2);
  EXPECT_NE(ari_id_of(2), old_id);
}

TEST_F(RenewPassAri, AlreadyReplacedIsOrderedOnceMoreWithoutReplaces) {
  const std::string old_id = ari_id_of(1);
  stub_.set_already_replaced({old_id});
  stub_.set_renewal_info(ari_window(t0_ - days(2), t0_ - days(1)), 21600);  // renew now
  clock_.advance(kHour);
  auto orders_before = new_orders().size();

  auto out = pass();

  const RenewItem* item = item_named(out);
  ASSERT_NE(item, nullptr);
  ASSERT_TRUE(item->attempted) << item->decision.reason;
  ASSERT_TRUE(item->issued);
  ASSERT_FALSE(item->issued->error) << item->issued->error->what();
  EXPECT_TRUE(item->issued->stored);
  auto orders = new_orders();
  ASSERT_EQ(orders.size(), orders_before + 2) << "one refused order, one retry";
  EXPECT_EQ(orders[orders_before].payload.value("replaces", ""), old_id);
  EXPECT_FALSE(orders[orders_before + 1].payload.contains("replaces"));
  auto c = record();
  EXPECT_EQ(c.current_version, 2);
  EXPECT_EQ(c.failures, 0);
}

TEST_F(RenewPassAri, AFailingOrMalformedRenewalInfoFallsBackToTheTimeRuleAndAsksAgainInSixHours) {
  struct Answer {
    const char* what;
    std::function<void()> script;
  };
  std::vector<Answer> answers = {
      {"500 with an HTML page", [&] { stub_.fail_next("/renewal-info/", 500, "<html>oops</html>"); }},
      {"503 problem",
       [&] {
         stub_.fail_next("/renewal-info/", 503, problem_body("serverInternal", "down"), {}, 1,
                         "application/problem+json");
       }},
      {"not JSON", [&] { stub_.fail_next("/renewal-info/", 200, "{not json", {}, 1, "application/json"); }},
      {"no suggestedWindow", [&] { stub_.set_renewal_info(json{{"explanationURL", "https://ca/why"}}, 3600); }},
      {"a window that ends before it starts",
       [&] { stub_.set_renewal_info(ari_window(t0_ + days(40), t0_ + days(39)), 3600); }},
      {"times that are not RFC 3339",
       [&] {
         stub_.set_renewal_info(json{{"suggestedWindow", {{"start", "tomorrow"}, {"end", "later"}}}}, 3600);
       }},
  };
  clock_.advance(days(1));
  std::size_t gets = 0;
  for (const auto& answer : answers) {
    SCOPED_TRACE(answer.what);
    answer.script();
    const UnixTime now = clock_.now();
    auto out = pass();
    const RenewItem* item = item_named(out);
    ASSERT_NE(item, nullptr);
    EXPECT_EQ(ari_gets().size(), ++gets);
    EXPECT_FALSE(item->attempted);
    EXPECT_EQ(item->decision.kind, DecisionKind::check_at) << item->decision.reason;
    EXPECT_EQ(item->decision.at, time_rule_due()) << item->decision.reason;
    auto c = record();
    EXPECT_FALSE(c.ari_start) << "no window was ever valid";
    EXPECT_FALSE(c.ari_end);
    ASSERT_TRUE(c.ari_next_fetch && c.next_check);
    EXPECT_EQ(*c.ari_next_fetch, now + kAriRecheck);
    EXPECT_EQ(*c.next_check, now + kAriRecheck);
    EXPECT_EQ(c.failures, 0) << "an ARI failure is not a renewal failure";
    clock_.set(*c.next_check);
  }
  EXPECT_TRUE(new_orders().empty());
  EXPECT_EQ(record().current_version, 1);
}

TEST_F(RenewPassAri, AFailingRenewalInfoStillRenewsWhenTheTimeRuleSaysSo) {
  stub_.set_override([](const StubRequest& r) -> std::optional<StubResponse> {
    if (r.path.rfind("/renewal-info/", 0) == 0) return StubResponse::problem(500, "serverInternal", "ARI is down");
    return std::nullopt;
  });
  clock_.set(time_rule_due());
  auto out = pass();
  ASSERT_NE(item_named(out), nullptr);
  EXPECT_TRUE(item_named(out)->attempted) << item_named(out)->decision.reason;
  ASSERT_TRUE(item_named(out)->issued);
  EXPECT_TRUE(item_named(out)->issued->stored);
  EXPECT_EQ(record().current_version, 2);
}

TEST_F(RenewPassAri, RetryAfterIsClampedToBetweenAMinuteAndADay) {
  clock_.advance(days(1));
  const json future = ari_window(t0_ + days(50), t0_ + days(52));

  stub_.set_renewal_info(future, 5);
  UnixTime now = clock_.now();
  pass();
  auto c = record();
  ASSERT_TRUE(c.ari_next_fetch && c.next_check);
  EXPECT_EQ(*c.ari_next_fetch, now + 60);
  EXPECT_EQ(*c.next_check, now + 60);

  stub_.set_renewal_info(future, static_cast<int>(days(10)));
  clock_.set(*c.next_check);
  now = clock_.now();
  pass();
  c = record();
  ASSERT_TRUE(c.ari_next_fetch && c.next_check);
  EXPECT_EQ(*c.ari_next_fetch, now + days(1));
  EXPECT_EQ(*c.next_check, now + days(1));

  // No Retry-After at all: the default of 6 hours.
  stub_.set_renewal_info(future, 0);
  clock_.set(*c.next_check);
  now = clock_.now();
  pass();
  c = record();
  ASSERT_TRUE(c.ari_next_fetch);
  EXPECT_EQ(*c.ari_next_fetch, now + kAriRecheck);
  EXPECT_EQ(ari_gets().size(), 3u);
}

// A renewal attempt made because the freshly fetched window says "now" and
// failing (a transient CA error) must be retried on the failure back-off
// (5 minutes after the first failure), from the window just fetched, not
// after the next ARI fetch (here 6 hours) from the window stored before.
TEST_F(RenewPassAri, AFailedAttemptKeepsTheWindowJustFetched) {
  stub_.set_renewal_info(ari_window(t0_ + days(50), t0_ + days(52)), 21600);
  clock_.advance(days(1));
  pass();
  auto before = record();
  ASSERT_TRUE(before.ari_next_fetch);

  const UnixTime past_start = *before.ari_next_fetch - days(2), past_end = *before.ari_next_fetch - days(1);
  stub_.set_renewal_info(ari_window(past_start, past_end), 21600);
  stub_.fail_next("/order", 503, problem_body("serverInternal", "busy"), {}, 1, "application/problem+json");
  clock_.set(*before.ari_next_fetch);
  const UnixTime now = clock_.now();

  auto out = pass();

  ASSERT_NE(item_named(out), nullptr);
  ASSERT_TRUE(item_named(out)->attempted);
  ASSERT_TRUE(item_named(out)->issued && item_named(out)->issued->error);
  auto c = record();
  ASSERT_TRUE(c.ari_start && c.ari_end && c.next_check);
  EXPECT_EQ(*c.ari_start, past_start) << "the window fetched in this pass is stored";
  EXPECT_EQ(*c.ari_end, past_end);
  EXPECT_EQ(*c.next_check, now + backoff_delay(1)) << "retried on the back-off schedule";
}

// After a renewal, the new certificate's window must be asked for within
// the ARI polling interval: a mass revocation of the new certificate has to
// be seen long before the lifetime rule's moment (60 days on).
TEST_F(RenewPassAri, TheNewCertificatesWindowIsPolledAfterARenewal) {
  stub_.set_renewal_info(ari_window(t0_ - days(2), t0_ - days(1)), 21600);  // renew now
  clock_.advance(kHour);
  auto out = pass();
  ASSERT_NE(item_named(out), nullptr);
  ASSERT_TRUE(item_named(out)->issued && item_named(out)->issued->stored);
  const UnixTime now = clock_.now();
  auto c = record();
  ASSERT_TRUE(c.next_check);
  EXPECT_LE(*c.next_check, now + days(1)) << "next check at " << format_utc(*c.next_check);
}

class RenewPassNoAri : public RenewPassFixture {
 protected:
  RenewPassNoAri() : RenewPassFixture(stub_options(false)) {}
  void SetUp() override {
    RenewPassFixture::SetUp();
    if (HasFatalFailure()) return;
    define();
    issue_first();
  }
};

TEST_F(RenewPassNoAri, WithoutRenewalInfoTheTimeRuleDecidesAndOrdersCarryNoReplaces) {
  clock_.advance(days(1));
  auto out = pass();
  ASSERT_NE(item_named(out), nullptr);
  EXPECT_FALSE(item_named(out)->attempted);
  auto c = record();
  EXPECT_FALSE(c.ari_next_fetch) << "nothing to poll";
  ASSERT_TRUE(c.next_check);
  EXPECT_EQ(*c.next_check, t0_ + days(60));
  EXPECT_TRUE(ari_gets().empty());

  clock_.set(*c.next_check);
  auto renewed = pass();
  ASSERT_NE(item_named(renewed), nullptr);
  ASSERT_TRUE(item_named(renewed)->issued && item_named(renewed)->issued->stored);
  auto orders = new_orders();
  ASSERT_EQ(orders.size(), 2u);
  EXPECT_FALSE(orders.back().payload.contains("replaces"));
  EXPECT_TRUE(ari_gets().empty());
}

}  // namespace
}  // namespace certkeeper::lifecycle::renew_pass
