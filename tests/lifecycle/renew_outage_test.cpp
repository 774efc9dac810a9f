// Failures across scheduler passes: a 7-day CA outage (the stub answering
// 503) walked through pass by pass on a fixed clock, and the persisted
// back-off that keeps a restarted process from hammering the CA.
#include <algorithm>
#include <chrono>
#include <cstdlib>

#include "lifecycle/renew_pass_fixture.h"

namespace certkeeper::lifecycle::renew_pass {
namespace {

struct OutageCase {
  const char* name;
  bool renewal_info;     // the directory offers ARI
  bool everything;       // every request answers 503, else only newOrder
  int retry_after = 0;   // seconds on each 503 (0: none)
};

std::ostream& operator<<(std::ostream& os, const OutageCase& c) { return os << c.name; }

class RenewPassOutage : public RenewPassFixture, public ::testing::WithParamInterface<OutageCase> {
 protected:
  RenewPassOutage() : RenewPassFixture(stub_options(GetParam().renewal_info)) {}
};

TEST_P(RenewPassOutage, ASevenDayOutageEndsRenewedWithoutHammeringTheCa) {
  const OutageCase& param = GetParam();
  define();
  const std::string live = add_files_target();
  issue_first();  // version 1, valid t0 .. t0 + 90 days, installed
  const std::string installed = read_file(live + "/fullchain.pem");
  ASSERT_NE(installed.find("BEGIN CERTIFICATE"), std::string::npos);
  // The CA's window agrees with the lifetime rule: renew from day 60.
  stub_.set_renewal_info(ari_window(t0_ + days(60), t0_ + days(62)), 21600);

  const UnixTime outage_start = t0_ + days(60), outage_end = outage_start + days(7);
  const FixedClock* clock = &clock_;
  stub_.set_override([clock, outage_end, param](const StubRequest& r) -> std::optional<StubResponse> {
    if (clock->now() >= outage_end) return std::nullopt;
    if (!param.everything && !(r.method == "POST" && r.path == "/order")) return std::nullopt;
    StubResponse down;
    down.status = 503;
    down.content_type = "text/html";
    down.body = "<html><body>503 Service Unavailable</body></html>";
    if (param.retry_after > 0) down.headers["Retry-After"] = std::to_string(param.retry_after);
    return down;
  });
  clock_.set(outage_start);

  const auto wall_start = std::chrono::steady_clock::now();
  std::vector<UnixTime> attempts;  // when an order was attempted during the outage
  int passes = 0;
  std::optional<UnixTime> renewed_at;
  std::optional<UnixTime> first_attempt_after_recovery;
  int passes_after_recovery = 0;  // up to and including the one that renewed
  while (!renewed_at && passes < 500) {
    ++passes;
    const UnixTime now = clock_.now();
    auto out = pass();
    if (now >= outage_end) ++passes_after_recovery;
    if (std::getenv("RENEW_PASS_TRACE")) {
      for (const auto& i : out.items) {
        std::cout << format_utc(now) << " " << i.name << " attempted=" << i.attempted << " "
                  << i.decision.reason << "\n";
      }
    }
    const RenewItem* item = item_named(out);
    ASSERT_NE(item, nullptr) << "the certificate was due at " << format_utc(now);
    if (item->attempted) {
      ASSERT_TRUE(item->issued);
      if (now < outage_end) {
        attempts.push_back(now);
        EXPECT_TRUE(item->issued->error) << "attempt at " << format_utc(now) << " succeeded during the outage";
        EXPECT_FALSE(item->issued->stored);
        EXPECT_FALSE(item->issued->permanent_failure) << "a 503 is transient: " << item->issued->error->what();
        EXPECT_TRUE(has_event(*item, "renewal-failed"));
      } else if (!first_attempt_after_recovery) {
        first_attempt_after_recovery = now;
        EXPECT_FALSE(item->issued->error) << "the first attempt after recovery, at " << format_utc(now) << ": "
                                          << item->issued->error->what();
      }
      if (item->issued->stored) renewed_at = now;
    }
    auto c = record();
    if (!renewed_at) {
      // A failed renewal touches neither the current version nor the files.
      EXPECT_EQ(c.current_version, 1);
      EXPECT_EQ(read_file(live + "/fullchain.pem"), installed) << "at " << format_utc(now);
      EXPECT_FALSE(c.failure_permanent) << c.last_error;
      ASSERT_TRUE(c.next_check);
      ASSERT_GT(*c.next_check, now) << "a pass must schedule the next check in the future";
      if (param.retry_after > 0 && item->attempted) {
        EXPECT_GE(*c.next_check, now + param.retry_after) << "the CA's Retry-After is honoured";
      }
      clock_.set(*c.next_check);
    }
  }
  const double wall_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - wall_start).count();

  ASSERT_TRUE(renewed_at) << "not renewed after " << passes << " passes";
  ASSERT_TRUE(first_attempt_after_recovery);
  EXPECT_EQ(*renewed_at, *first_attempt_after_recovery) << "renewed by the first attempt after the outage";
  EXPECT_LE(*renewed_at - outage_end, 12 * kHour) << "the longest back-off is 12 hours";
  if (param.everything) {
    // The issue: "renewed in the first pass after recovery". With ARI, the
    // 6-hourly renewalInfo pass sees the CA back and does not wait out the
    // back-off; without ARI, the passes are the back-off's own attempts.
    EXPECT_EQ(passes_after_recovery, 1) << "renewed by the first pass after the outage";
  }
  EXPECT_LE(attempts.size(), 30u);
  EXPECT_GE(attempts.size(), 10u) << "it kept trying through the outage";
  ASSERT_GE(attempts.size(), 2u);
  EXPECT_LE(attempts[1] - attempts[0], std::max<std::int64_t>(15 * 60, param.retry_after))
      << "front-weighted: a glitch is retried within minutes";
  for (std::size_t i = 1; i < attempts.size(); ++i) {
    EXPECT_LE(attempts[i] - attempts[i - 1], 12 * kHour) << "attempt " << i;
  }
  if (!param.everything) {
    // The CA's side of the count: the first issuance, one newOrder per
    // attempt during the outage, and the one that succeeded.
    EXPECT_EQ(new_orders().size(), attempts.size() + 2);
  }
  auto c = record();
  EXPECT_EQ(c.current_version, 2);
  EXPECT_EQ(c.failures, 0);
  EXPECT_NE(read_file(live + "/fullchain.pem"), installed) << "the renewal was installed";
  EXPECT_EQ(read_file(live + "/fullchain.pem").find(leaf_of(2)), 0u);
  EXPECT_LT(wall_seconds, 120.0) << "no pass sleeps on the wall clock";
  RecordProperty("passes", passes);
  RecordProperty("attempts", static_cast<int>(attempts.size()));
  std::cout << "[ info     ] " << param.name << ": " << attempts.size() << " attempts in " << passes
            << " passes; renewed " << (*renewed_at - outage_end) / 60 << " min after recovery, by pass "
            << passes_after_recovery << " after it; " << wall_seconds << " s wall\n";
}

INSTANTIATE_TEST_SUITE_P(
    , RenewPassOutage,
    ::testing::Values(OutageCase{"EverythingDownNoRetryAfter", true, true, 0},
                      OutageCase{"NewOrderDownRetryAfter10Min", true, false, 600},
                      OutageCase{"EverythingDownRetryAfter1HourNoAri", false, true, 3600}),
    [](const ::testing::TestParamInfo<OutageCase>& info) { return std::string(info.param.name); });

// ---------------------------------------------------------------- persistence

class RenewPassBackoff : public RenewPassFixture {
 protected:
  RenewPassBackoff() : RenewPassFixture(stub_options(false)) {}
  void SetUp() override {
    RenewPassFixture::SetUp();
    if (HasFatalFailure()) return;
    define();
    issue_first();
    clock_.set(t0_ + days(60));  // due by the lifetime rule
  }
};

TEST_F(RenewPassBackoff, AFreshProcessDoesNotAttemptBeforeTheStoredNextCheck) {
  stub_.fail_next("/order", 503, "<html>down</html>");
  const UnixTime now = clock_.now();
  auto out = pass();
  ASSERT_NE(item_named(out), nullptr);
  ASSERT_TRUE(item_named(out)->attempted);
  ASSERT_TRUE(item_named(out)->issued && item_named(out)->issued->error);

  // What a new process reads from the database.
  auto inv = inventory();
  auto c = **inv.find_certificate("web");
  EXPECT_EQ(c.failures, 1);
  ASSERT_TRUE(c.last_attempt);
  EXPECT_EQ(*c.last_attempt, now);
  ASSERT_TRUE(c.next_check);
  EXPECT_EQ(*c.next_check, now + backoff_delay(1));
  EXPECT_TRUE(inv.due_certificates(*c.next_check - 1)->empty());
  EXPECT_EQ(inv.due_certificates(*c.next_check)->size(), 1u);

  // A pass just before it (as a restarted daemon or the next cron run) does nothing.
  stub_.clear_log();
  clock_.set(*c.next_check - 1);
  EXPECT_TRUE(pass().items.empty());
  EXPECT_TRUE(stub_.requests().empty()) << "the CA was not contacted";
  // Named explicitly, the certificate is decided but not ordered either.
  RenewRequest named;
  named.names = {"web"};
  auto decided = pass(lower_bound_random(), named);
  ASSERT_NE(item_named(decided), nullptr);
  EXPECT_FALSE(item_named(decided)->attempted);
  EXPECT_EQ(item_named(decided)->decision.kind, DecisionKind::back_off) << item_named(decided)->decision.reason;

  // At it, the next attempt; the CA is back.
  clock_.set(*c.next_check);
  auto retried = pass();
  ASSERT_NE(item_named(retried), nullptr);
  ASSERT_TRUE(item_named(retried)->attempted);
  EXPECT_TRUE(item_named(retried)->issued->stored);
  EXPECT_EQ(new_orders().size(), 1u) << "one newOrder since the log was cleared";
}

TEST_F(RenewPassBackoff, TheCasRetryAfterIsPersistedAndHonoured) {
  stub_.rate_limited_next("/order", 7200);
  const UnixTime now = clock_.now();
  auto out = pass();
  ASSERT_NE(item_named(out), nullptr);
  ASSERT_TRUE(item_named(out)->attempted);
  auto c = record();
  ASSERT_TRUE(c.next_check && c.retry_after);
  EXPECT_EQ(*c.retry_after, now + 7200);
  EXPECT_EQ(*c.next_check, now + 7200) << "later than the first back-off step (5 min)";

  stub_.clear_log();
  clock_.set(now + 7199);
  EXPECT_TRUE(pass().items.empty());
  EXPECT_TRUE(stub_.requests().empty());
  clock_.set(now + 7200);
  auto retried = pass();
  ASSERT_NE(item_named(retried), nullptr);
  ASSERT_TRUE(item_named(retried)->attempted);
  EXPECT_TRUE(item_named(retried)->issued->stored);
}

TEST_F(RenewPassBackoff, TheBackOffIsFrontWeightedAcrossPasses) {
  // Six failures in a row: the delays between attempts follow the schedule.
  stub_.fail_next("/order", 503, "<html>down</html>", {}, 6);
  std::vector<UnixTime> at;
  for (int i = 0; i < 6; ++i) {
    at.push_back(clock_.now());
    auto out = pass();
    ASSERT_NE(item_named(out), nullptr);
    ASSERT_TRUE(item_named(out)->attempted) << "pass " << i << ": " << item_named(out)->decision.reason;
    auto c = record();
    ASSERT_TRUE(c.next_check);
    EXPECT_EQ(*c.next_check - at.back(), backoff_delay(i + 1)) << "after failure " << i + 1;
    clock_.set(*c.next_check);
  }
  EXPECT_EQ(record().failures, 6);
  auto out = pass();
  ASSERT_NE(item_named(out), nullptr);
  EXPECT_TRUE(item_named(out)->issued && item_named(out)->issued->stored);
}

TEST_F(RenewPassBackoff, TheBackOffIsCappedByTheTimeLeft) {
  // The CA fails every order from day 87 on. The 90-day certificate's
  // emergency floor (the last 2 days) begins on day 88: the back-off never
  // sleeps past it, and inside it the certificate is tried at least hourly.
  const UnixTime floor_start = t0_ + days(88);
  stub_.set_override([](const StubRequest& r) -> std::optional<StubResponse> {
    if (r.method == "POST" && r.path == "/order") return StubResponse::problem(503, "serverInternal", "down");
    return std::nullopt;
  });
  clock_.set(t0_ + days(87));
  std::vector<UnixTime> attempts;
  for (int i = 0; i < 100 && clock_.now() < floor_start + 6 * kHour; ++i) {
    const UnixTime now = clock_.now();
    auto out = pass();
    ASSERT_NE(item_named(out), nullptr);
    if (item_named(out)->attempted) attempts.push_back(now);
    auto c = record();
    ASSERT_TRUE(c.next_check);
    ASSERT_GT(*c.next_check, now);
    if (now < floor_start) {
      EXPECT_LE(*c.next_check, floor_start) << "after the attempt at " << format_utc(now);
    }
    clock_.set(*c.next_check);
  }
  EXPECT_NE(std::find(attempts.begin(), attempts.end(), floor_start), attempts.end())
      << "an attempt exactly when the floor begins";
  int in_floor = 0;
  for (std::size_t i = 1; i < attempts.size(); ++i) {
    if (attempts[i - 1] < floor_start) continue;
    ++in_floor;
    EXPECT_LE(attempts[i] - attempts[i - 1], kHour);
  }
  EXPECT_GE(in_floor, 5);
  EXPECT_EQ(record().current_version, 1);
}

// A certificate never issued yet, during an outage whose every answer
// carries Retry-After: the CA's wish holds for the first order too, when
// the failing request is the directory or newAccount of a new account.
class RenewPassFirstIssue : public RenewPassFixture {
 protected:
  RenewPassFirstIssue() : RenewPassFixture(stub_options(false)) {}
};

TEST_F(RenewPassFirstIssue, RetryAfterIsHonouredWhenTheAccountCannotBeOpened) {
  define();
  stub_.set_override([](const StubRequest&) -> std::optional<StubResponse> {
    StubResponse down;
    down.status = 503;
    down.content_type = "text/html";
    down.body = "<html>503</html>";
    down.headers["Retry-After"] = "7200";
    return down;
  });
  const UnixTime now = clock_.now();
  auto out = pass();
  ASSERT_NE(item_named(out), nullptr);
  ASSERT_TRUE(item_named(out)->attempted);
  ASSERT_TRUE(item_named(out)->issued && item_named(out)->issued->error);
  auto c = record();
  ASSERT_TRUE(c.next_check);
  EXPECT_EQ(c.failures, 1);
  EXPECT_GE(*c.next_check, now + 7200) << "next check " << format_utc(*c.next_check) << ", last error "
                                       << c.last_error;
}

TEST_F(RenewPassFirstIssue, RetryAfterIsHonouredForTheFirstOrderOfAKnownAccount) {
  // The account exists (another certificate was issued); the new one's
  // first order meets the outage.
  define("other");
  issue_first("other");
  define();
  stub_.set_override([](const StubRequest&) -> std::optional<StubResponse> {
    StubResponse down;
    down.status = 503;
    down.content_type = "text/html";
    down.body = "<html>503</html>";
    down.headers["Retry-After"] = "7200";
    return down;
  });
  const UnixTime now = clock_.now();
  RenewRequest named;
  named.names = {"web"};
  auto out = pass(lower_bound_random(), named);
  ASSERT_NE(item_named(out), nullptr);
  ASSERT_TRUE(item_named(out)->attempted);
  ASSERT_TRUE(item_named(out)->issued && item_named(out)->issued->error);
  auto c = record();
  ASSERT_TRUE(c.next_check);
  EXPECT_GE(*c.next_check, now + 7200) << c.last_error;
}

}  // namespace
}  // namespace certkeeper::lifecycle::renew_pass
