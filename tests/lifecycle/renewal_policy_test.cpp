// The renewal decision, table-tested with fixed times: the lifetime rule for
// 6-, 45-, 90- and 398-day certificates, --renew-before, the ARI window
// (RFC 9773 §4.2), the emergency floor, back-off after failures, and CA
// outages simulated by moving a fake `now` from one decision to the next.
#include "certkeeper/lifecycle/renewal_policy.h"

#include <gtest/gtest.h>

#include <limits>
#include <numeric>
#include <optional>
#include <utility>
#include <vector>

namespace certkeeper::lifecycle {
namespace {

constexpr std::int64_t kMin = 60;
constexpr std::int64_t kHour = 3600;
constexpr std::int64_t kDay = kSecondsPerDay;
constexpr UnixTime kIssued = 1798761600;  // 2027-01-01T00:00:00Z
constexpr UnixTime kMaxTime = std::numeric_limits<UnixTime>::max();
constexpr UnixTime kMinTime = std::numeric_limits<UnixTime>::min();

RenewalFacts issued(std::int64_t days) {
  RenewalFacts f;
  f.not_before = kIssued;
  f.not_after = kIssued + days * kDay;
  return f;
}

RenewalFacts with_ari(RenewalFacts f, UnixTime start, UnixTime end) {
  f.ari = AriWindow{start, end};
  return f;
}

// Randomness is only for the ARI window: any other call is a bug.
RandomSource no_random() {
  return [](std::int64_t lo, std::int64_t hi) {
    ADD_FAILURE() << "unexpected random(" << lo << ", " << hi << ")";
    return lo;
  };
}

// A fixed "random" source that records the bounds it was asked for.
enum class Pick { lo, hi, mid };
struct FakeRandom {
  explicit FakeRandom(Pick p) : pick(p) {}
  RandomSource source() {
    return [this](std::int64_t lo, std::int64_t hi) {
      calls.emplace_back(lo, hi);
      return pick == Pick::lo ? lo : pick == Pick::hi ? hi : std::midpoint(lo, hi);
    };
  }
  Pick pick;
  std::vector<std::pair<std::int64_t, std::int64_t>> calls;
};

Decision decide_plain(const RenewalFacts& f, UnixTime now, RenewalPolicy policy = {}) {
  return decide(f, policy, {}, now, no_random());
}

// --- backoff_delay() and emergency_floor() ---------------------------------

TEST(BackoffDelay, FrontWeightedScheduleCappedAtTwelveHours) {
  EXPECT_EQ(backoff_delay(1), 5 * kMin);
  EXPECT_EQ(backoff_delay(2), 15 * kMin);
  EXPECT_EQ(backoff_delay(3), 1 * kHour);
  EXPECT_EQ(backoff_delay(4), 2 * kHour);
  EXPECT_EQ(backoff_delay(5), 4 * kHour);
  EXPECT_EQ(backoff_delay(6), 8 * kHour);
  EXPECT_EQ(backoff_delay(7), 12 * kHour);
  EXPECT_EQ(backoff_delay(8), 12 * kHour);
  EXPECT_EQ(backoff_delay(1000), 12 * kHour);
  EXPECT_EQ(backoff_delay(std::numeric_limits<int>::max()), 12 * kHour);
}

TEST(BackoffDelay, NoFailureNoDelay) {
  EXPECT_EQ(backoff_delay(0), 0);
  EXPECT_EQ(backoff_delay(-3), 0);
  EXPECT_EQ(backoff_delay(std::numeric_limits<int>::min()), 0);
}

TEST(RenewalEmergencyFloor, TenthOfLifetimeBetweenOneHourAndTwoDays) {
  EXPECT_EQ(emergency_floor(kIssued, kIssued + 6 * kDay), 14 * kHour + 24 * kMin);  // 6 d / 10 = 14.4 h
  EXPECT_EQ(emergency_floor(kIssued, kIssued + 45 * kDay), 2 * kDay);               // 4.5 d, capped
  EXPECT_EQ(emergency_floor(kIssued, kIssued + 90 * kDay), 2 * kDay);
  EXPECT_EQ(emergency_floor(kIssued, kIssued + 398 * kDay), 2 * kDay);
  EXPECT_EQ(emergency_floor(kIssued, kIssued + 15 * kDay), 36 * kHour);
  EXPECT_EQ(emergency_floor(kIssued, kIssued + 5 * kHour), 1 * kHour);  // 30 min, raised
}

TEST(RenewalEmergencyFloor, AtMostAQuarterOfAShortLifetime) {
  // Issue 14: with a floor of at least 1 hour, a certificate living under
  // about 2 hours was always in "emergency" and re-issued by every pass.
  EXPECT_EQ(emergency_floor(kIssued, kIssued + 4 * kHour), 1 * kHour);    // 24 min, raised; a quarter
  EXPECT_EQ(emergency_floor(kIssued, kIssued + 2 * kHour), 30 * kMin);    // 12 min, raised to 1 h, a quarter
  EXPECT_EQ(emergency_floor(kIssued, kIssued + 1 * kHour), 15 * kMin);
  EXPECT_EQ(emergency_floor(kIssued, kIssued + 10 * kMin), 150);          // 2.5 min
}

TEST(RenewalEmergencyFloor, GarbageDatesDoNotOverflow) {
  EXPECT_EQ(emergency_floor(kIssued, kIssued), 0);
  EXPECT_EQ(emergency_floor(kIssued + kDay, kIssued), 0);
  EXPECT_EQ(emergency_floor(kMinTime, kMaxTime), 2 * kDay);
  EXPECT_EQ(emergency_floor(kMaxTime, kMinTime), 0);
}

// --- the lifetime rule -------------------------------------------------------

// Certificates of minutes and hours (step-ca and other private CAs): the
// lifetime rule, the floor and every back-off stay inside the lifetime.
RenewalFacts lives(std::int64_t seconds) {
  RenewalFacts f;
  f.not_before = kIssued;
  f.not_after = kIssued + seconds;
  return f;
}

struct ShortCase {
  const char* name;
  std::int64_t lifetime;
  UnixTime now;
  std::optional<FailureRecord> failures;
  DecisionKind kind;
  UnixTime at;
  const char* reason;
};

FailureRecord failures_at(int consecutive, UnixTime last, std::optional<UnixTime> retry_after = std::nullopt) {
  FailureRecord r;
  r.consecutive = consecutive;
  r.last_attempt = last;
  r.retry_after = retry_after;
  return r;
}

TEST(RenewalShortLifetime, TenMinutesAndOneHour) {
  const std::int64_t ten = 10 * kMin, hour = kHour;
  const ShortCase cases[] = {
      // 10 minutes: renew at half (5 min), floor 2.5 min (from 7.5 min).
      {"10 min, just issued", ten, kIssued, {}, DecisionKind::check_at, kIssued + 5 * kMin,
       "half of the 10-minute lifetime is left (renew at 2027-01-01T00:05:00Z)"},
      {"10 min, half gone", ten, kIssued + 5 * kMin, {}, DecisionKind::renew_now, kIssued + 5 * kMin,
       "half of the 10-minute lifetime is left (renew at 2027-01-01T00:05:00Z)"},
      {"10 min, in the floor", ten, kIssued + 8 * kMin, {}, DecisionKind::renew_now, kIssued + 8 * kMin,
       "expires in 2 min: emergency renewal"},
      {"10 min, failed once", ten, kIssued + 5 * kMin, failures_at(1, kIssued + 5 * kMin), DecisionKind::back_off,
       kIssued + 450, "back off after 1 failure until 2027-01-01T00:07:30Z (capped at the emergency floor)"},
      {"10 min, failed in the floor", ten, kIssued + 8 * kMin, failures_at(3, kIssued + 8 * kMin),
       DecisionKind::back_off, kIssued + 9 * kMin,
       "back off after 3 failures until 2027-01-01T00:09:00Z (every 1 min inside the emergency floor)"},
      {"10 min, Retry-After past expiry", ten, kIssued + 6 * kMin,
       failures_at(1, kIssued + 6 * kMin, kIssued + kHour), DecisionKind::back_off, kIssued + ten,
       "back off after 1 failure until 2027-01-01T00:10:00Z (the CA's Retry-After) (not after expiry)"},
      // 1 hour: renew at half (30 min), floor 15 min (from 45 min).
      {"1 h, just issued", hour, kIssued, {}, DecisionKind::check_at, kIssued + 30 * kMin,
       "half of the 1-hour lifetime is left (renew at 2027-01-01T00:30:00Z)"},
      {"1 h, ten minutes in", hour, kIssued + 10 * kMin, {}, DecisionKind::check_at, kIssued + 30 * kMin,
       "half of the 1-hour lifetime is left (renew at 2027-01-01T00:30:00Z)"},
      {"1 h, in the floor", hour, kIssued + 50 * kMin, {}, DecisionKind::renew_now, kIssued + 50 * kMin,
       "expires in 10 min: emergency renewal"},
      {"1 h, failed three times", hour, kIssued + 31 * kMin, failures_at(3, kIssued + 30 * kMin),
       DecisionKind::back_off, kIssued + 45 * kMin,
       "back off after 3 failures until 2027-01-01T00:45:00Z (capped at the emergency floor)"},
      {"1 h, failed in the floor", hour, kIssued + 46 * kMin, failures_at(5, kIssued + 46 * kMin),
       DecisionKind::back_off, kIssued + 46 * kMin + 225,
       "back off after 5 failures until 2027-01-01T00:49:45Z (every 3 min inside the emergency floor)"},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.name);
    Decision d = decide(lives(c.lifetime), {}, c.failures.value_or(FailureRecord{}), c.now, no_random());
    EXPECT_EQ(d.kind, c.kind);
    EXPECT_EQ(d.at, c.at);
    EXPECT_EQ(d.reason, c.reason);
  }
}

TEST(RenewalShortLifetime, AFreshCertificateIsNeverAnEmergencyAndABackOffNeverOutlivesIt) {
  // Walk every minute of lifetimes from 10 minutes to 3 hours: right after
  // issuance nothing is due, and after any number of failures the next
  // attempt is never after notAfter.
  for (std::int64_t lifetime = 10 * kMin; lifetime <= 3 * kHour; lifetime += 5 * kMin) {
    SCOPED_TRACE(lifetime);
    RenewalFacts f = lives(lifetime);
    EXPECT_EQ(decide(f, {}, {}, kIssued, no_random()).kind, DecisionKind::check_at);
    for (UnixTime now = kIssued; now < *f.not_after; now += kMin) {
      for (int n : {1, 3, 7}) {
        Decision d = decide(f, {}, failures_at(n, now), now, no_random());
        EXPECT_LE(d.at, *f.not_after) << n << " failures at " << format_utc(now) << ": " << d.reason;
        EXPECT_GE(d.at, now);
      }
    }
  }
}

struct LifetimeCase {
  std::int64_t days;
  UnixTime renew_at;      // computed by hand: not_after minus a third (half up to 10 days)
  const char* reason;     // at renew_at - 1
};

const LifetimeCase kLifetimes[] = {
    {6, kIssued + 3 * kDay, "half of the 6-day lifetime is left (renew at 2027-01-04T00:00:00Z)"},
    {45, kIssued + 30 * kDay, "a third of the 45-day lifetime is left (renew at 2027-01-31T00:00:00Z)"},
    {90, kIssued + 60 * kDay, "a third of the 90-day lifetime is left (renew at 2027-03-02T00:00:00Z)"},
    // 398 d / 3 = 132 d 16 h left, so 265 d 8 h after issuance.
    {398, kIssued + 265 * kDay + 8 * kHour,
     "a third of the 398-day lifetime is left (renew at 2027-09-23T08:00:00Z)"},
};

TEST(RenewalLifetime, ChecksAtTheRenewMomentUntilItComes) {
  for (const auto& c : kLifetimes) {
    SCOPED_TRACE(c.days);
    for (UnixTime now : {kIssued, kIssued + 1, c.renew_at - 1}) {
      Decision d = decide_plain(issued(c.days), now);
      EXPECT_EQ(d.kind, DecisionKind::check_at);
      EXPECT_EQ(d.at, c.renew_at);
      EXPECT_EQ(d.reason, c.reason);
    }
  }
}

TEST(RenewalLifetime, RenewsNowFromTheRenewMomentOn) {
  for (const auto& c : kLifetimes) {
    SCOPED_TRACE(c.days);
    for (UnixTime now : {c.renew_at, c.renew_at + 1, c.renew_at + kDay}) {
      Decision d = decide_plain(issued(c.days), now);
      EXPECT_EQ(d.kind, DecisionKind::renew_now);
      EXPECT_EQ(d.at, now);
      EXPECT_EQ(d.reason, c.reason);
    }
  }
}

TEST(RenewalLifetime, HalfUpToTenDaysAThirdBeyond) {
  RenewalFacts ten = issued(10);
  EXPECT_EQ(decide_plain(ten, kIssued).at, kIssued + 5 * kDay);
  RenewalFacts eleven = issued(11);
  // 11 d / 3 = 3 d 16 h left: 7 d 8 h after issuance.
  EXPECT_EQ(decide_plain(eleven, kIssued).at, kIssued + 7 * kDay + 8 * kHour);
}

TEST(RenewalLifetime, RenewBeforeOverridesInBothDirections) {
  // 90 days: the default is 30 days before expiry (2027-03-02).
  RenewalFacts f = issued(90);
  Decision later = decide_plain(f, kIssued, {10});
  EXPECT_EQ(later.kind, DecisionKind::check_at);
  EXPECT_EQ(later.at, kIssued + 80 * kDay);
  EXPECT_EQ(later.reason, "--renew-before 10: renew at 2027-03-22T00:00:00Z");
  EXPECT_EQ(decide_plain(f, kIssued + 60 * kDay, {10}).kind, DecisionKind::check_at);
  EXPECT_EQ(decide_plain(f, kIssued + 80 * kDay, {10}).kind, DecisionKind::renew_now);

  Decision earlier = decide_plain(f, kIssued, {45});
  EXPECT_EQ(earlier.kind, DecisionKind::check_at);
  EXPECT_EQ(earlier.at, kIssued + 45 * kDay);
  EXPECT_EQ(decide_plain(f, kIssued + 45 * kDay, {45}).kind, DecisionKind::renew_now);

  // 6 days: 1 day before expiry (the floor, 14.4 h, is shorter).
  EXPECT_EQ(decide_plain(issued(6), kIssued, {1}).at, kIssued + 5 * kDay);
}

TEST(RenewalLifetime, RenewBeforeNotShorterThanTheLifetimeIsIgnored) {
  // --renew-before 30 on a 6-day certificate would renew right after each issuance.
  Decision d = decide_plain(issued(6), kIssued + kHour, {30});
  EXPECT_EQ(d.kind, DecisionKind::check_at);
  EXPECT_EQ(d.at, kIssued + 3 * kDay);
  EXPECT_EQ(d.reason,
            "half of the 6-day lifetime is left (renew at 2027-01-04T00:00:00Z)"
            " (--renew-before 30 ignored: not shorter than the lifetime)");
  EXPECT_EQ(decide_plain(issued(90), kIssued, {90}).at, kIssued + 60 * kDay);
  EXPECT_EQ(decide_plain(issued(90), kIssued, {89}).at, kIssued + 1 * kDay);
  // Garbage from the store: not a policy.
  EXPECT_EQ(decide_plain(issued(90), kIssued, {0}).at, kIssued + 60 * kDay);
  EXPECT_EQ(decide_plain(issued(90), kIssued, {-5}).at, kIssued + 60 * kDay);
}

TEST(RenewalLifetime, EmergencyFloorOverridesAShortRenewBefore) {
  // 90 days, --renew-before 1: the floor begins 2 days before expiry.
  RenewalFacts f = issued(90);
  Decision d = decide_plain(f, kIssued, {1});
  EXPECT_EQ(d.kind, DecisionKind::check_at);
  EXPECT_EQ(d.at, kIssued + 88 * kDay);
  EXPECT_EQ(d.reason,
            "the emergency floor begins at 2027-03-30T00:00:00Z (expires 2027-04-01T00:00:00Z); "
            "--renew-before 1: renew at 2027-03-31T00:00:00Z");
  Decision floor = decide_plain(f, kIssued + 88 * kDay, {1});
  EXPECT_EQ(floor.kind, DecisionKind::renew_now);
  EXPECT_EQ(floor.reason, "expires in 2 days: emergency renewal");
}

// --- states that renew at once ------------------------------------------------

TEST(RenewalState, NeverIssuedRenewsNow) {
  Decision d = decide_plain({}, kIssued);
  EXPECT_EQ(d.kind, DecisionKind::renew_now);
  EXPECT_EQ(d.at, kIssued);
  EXPECT_EQ(d.reason, "never issued");
  RenewalFacts half;  // garbage: no not_before
  half.not_after = kIssued + 90 * kDay;
  EXPECT_EQ(decide_plain(half, kIssued).kind, DecisionKind::renew_now);
  EXPECT_EQ(decide_plain(half, kIssued).reason, "never issued");
}

TEST(RenewalState, RevokedRenewsNowEvenWhenFreshOrWithALaterAriWindow) {
  RenewalFacts f = issued(90);
  f.revoked = true;
  Decision d = decide_plain(f, kIssued + kHour);
  EXPECT_EQ(d.kind, DecisionKind::renew_now);
  EXPECT_EQ(d.at, kIssued + kHour);
  EXPECT_EQ(d.reason, "the current version was revoked");
  f = with_ari(f, kIssued + 50 * kDay, kIssued + 51 * kDay);
  EXPECT_EQ(decide_plain(f, kIssued + kHour).kind, DecisionKind::renew_now);
}

TEST(RenewalState, ExpiredRenewsNow) {
  RenewalFacts f = issued(90);
  for (UnixTime now : {kIssued + 90 * kDay, kIssued + 91 * kDay}) {
    Decision d = decide_plain(f, now);
    EXPECT_EQ(d.kind, DecisionKind::renew_now);
    EXPECT_EQ(d.at, now);
    EXPECT_EQ(d.reason, "expired at 2027-04-01T00:00:00Z");
  }
}

TEST(RenewalState, EmergencyFloorForEachLifetime) {
  // Floor: 14.4 h for 6 days, 2 days for the others. An ARI window in the
  // last hour says "later", so only the floor can say "now".
  struct Case {
    std::int64_t days, floor;
    const char* reason;
  };
  const Case cases[] = {{6, 14 * kHour + 24 * kMin, "expires in 14 h: emergency renewal"},
                        {45, 2 * kDay, "expires in 2 days: emergency renewal"},
                        {90, 2 * kDay, "expires in 2 days: emergency renewal"},
                        {398, 2 * kDay, "expires in 2 days: emergency renewal"}};
  for (const auto& c : cases) {
    SCOPED_TRACE(c.days);
    const UnixTime not_after = kIssued + c.days * kDay;
    RenewalFacts f = with_ari(issued(c.days), not_after - kHour, not_after);
    FakeRandom random(Pick::lo);
    Decision before = decide(f, {}, {}, not_after - c.floor - 1, random.source());
    EXPECT_EQ(before.kind, DecisionKind::check_at);
    EXPECT_EQ(before.at, not_after - c.floor);
    Decision at_floor = decide(f, {}, {}, not_after - c.floor, no_random());
    EXPECT_EQ(at_floor.kind, DecisionKind::renew_now);
    EXPECT_EQ(at_floor.reason, c.reason);
    EXPECT_EQ(decide(f, {}, {}, not_after - 2 * kHour, no_random()).reason, "expires in 2 h: emergency renewal");
    EXPECT_EQ(decide(f, {}, {}, not_after - 90 * kMin, no_random()).reason, "expires in 90 min: emergency renewal");
  }
}

// --- the ARI window (RFC 9773 §4.2) -----------------------------------------------

TEST(RenewalAri, FutureWindowChecksAtTheRandomMoment) {
  // 90 days; window 2027-02-15T00:00:00Z .. 2027-02-16T00:00:00Z, before the lifetime rule.
  const UnixTime start = kIssued + 45 * kDay, end = kIssued + 46 * kDay;
  const std::pair<Pick, UnixTime> picks[] = {{Pick::lo, start}, {Pick::hi, end}, {Pick::mid, start + 12 * kHour}};
  for (auto [pick, moment] : picks) {
    FakeRandom random(pick);
    Decision d = decide(with_ari(issued(90), start, end), {}, {}, kIssued + kDay, random.source());
    EXPECT_EQ(d.kind, DecisionKind::check_at);
    EXPECT_EQ(d.at, moment);
    ASSERT_EQ(random.calls.size(), 1u);
    EXPECT_EQ(random.calls[0], std::make_pair(start, end));
  }
  FakeRandom mid(Pick::mid);
  EXPECT_EQ(decide(with_ari(issued(90), start, end), {}, {}, kIssued + kDay, mid.source()).reason,
            "ARI window 2027-02-15T00:00:00Z..2027-02-16T00:00:00Z: renew at 2027-02-15T12:00:00Z");
}

TEST(RenewalAri, PastWindowRenewsNow) {
  const UnixTime start = kIssued + 40 * kDay, end = kIssued + 41 * kDay;
  Decision d = decide(with_ari(issued(90), start, end), {}, {}, end + 1, no_random());
  EXPECT_EQ(d.kind, DecisionKind::renew_now);
  EXPECT_EQ(d.at, end + 1);
  EXPECT_EQ(d.reason, "ARI window 2027-02-10T00:00:00Z..2027-02-11T00:00:00Z has passed");
}

TEST(RenewalAri, WindowContainingNowRenewsWhenTheMomentHasPassed) {
  const UnixTime start = kIssued + 40 * kDay, end = kIssued + 42 * kDay, now = kIssued + 41 * kDay;
  FakeRandom early(Pick::lo);
  Decision d = decide(with_ari(issued(90), start, end), {}, {}, now, early.source());
  EXPECT_EQ(d.kind, DecisionKind::renew_now);
  EXPECT_EQ(d.at, now);
  ASSERT_EQ(early.calls.size(), 1u);
  EXPECT_EQ(early.calls[0], std::make_pair(start, end));

  FakeRandom mid(Pick::mid);  // exactly now: due
  EXPECT_EQ(decide(with_ari(issued(90), start, end), {}, {}, now, mid.source()).kind, DecisionKind::renew_now);

  FakeRandom late(Pick::hi);
  Decision wait = decide(with_ari(issued(90), start, end), {}, {}, now, late.source());
  EXPECT_EQ(wait.kind, DecisionKind::check_at);
  EXPECT_EQ(wait.at, end);
}

TEST(RenewalAri, OverridesTheLifetimeRuleInBothDirections) {
  // Earlier: the lifetime rule says 2027-03-02, the CA's window has passed.
  RenewalFacts earlier = with_ari(issued(90), kIssued + 20 * kDay, kIssued + 21 * kDay);
  EXPECT_EQ(decide_plain(earlier, kIssued + 30 * kDay).kind, DecisionKind::renew_now);
  // Later: the lifetime rule says "now" (65 > 60 days), the CA's window is ahead.
  FakeRandom random(Pick::lo);
  RenewalFacts later = with_ari(issued(90), kIssued + 70 * kDay, kIssued + 71 * kDay);
  Decision d = decide(later, {}, {}, kIssued + 65 * kDay, random.source());
  EXPECT_EQ(d.kind, DecisionKind::check_at);
  EXPECT_EQ(d.at, kIssued + 70 * kDay);
  // ... and over --renew-before too.
  FakeRandom again(Pick::lo);
  EXPECT_EQ(decide(later, {45}, {}, kIssued + 65 * kDay, again.source()).at, kIssued + 70 * kDay);
}

TEST(RenewalAri, EmergencyFloorOverridesALaterWindow) {
  // 90 days; the window is inside the last day, the floor begins 2 days before expiry.
  RenewalFacts f = with_ari(issued(90), kIssued + 89 * kDay, kIssued + 90 * kDay);
  FakeRandom random(Pick::mid);
  Decision before = decide(f, {}, {}, kIssued + 80 * kDay, random.source());
  EXPECT_EQ(before.kind, DecisionKind::check_at);
  EXPECT_EQ(before.at, kIssued + 88 * kDay);
  EXPECT_EQ(before.reason,
            "the emergency floor begins at 2027-03-30T00:00:00Z (expires 2027-04-01T00:00:00Z); "
            "ARI window 2027-03-31T00:00:00Z..2027-04-01T00:00:00Z: renew at 2027-03-31T12:00:00Z");
  Decision inside = decide(f, {}, {}, kIssued + 88 * kDay, no_random());
  EXPECT_EQ(inside.kind, DecisionKind::renew_now);
  EXPECT_EQ(inside.reason, "expires in 2 days: emergency renewal");
  // A window past expiry, 2 hours before it.
  RenewalFacts beyond = with_ari(issued(90), kIssued + 95 * kDay, kIssued + 96 * kDay);
  EXPECT_EQ(decide(beyond, {}, {}, kIssued + 90 * kDay - 2 * kHour, no_random()).kind, DecisionKind::renew_now);
}

TEST(RenewalAri, InvertedWindowIsIgnored) {
  RenewalFacts f = with_ari(issued(90), kIssued + 21 * kDay, kIssued + 20 * kDay);
  Decision d = decide_plain(f, kIssued + 30 * kDay);
  EXPECT_EQ(d.kind, DecisionKind::check_at);
  EXPECT_EQ(d.at, kIssued + 60 * kDay);
  EXPECT_EQ(d.reason,
            "a third of the 90-day lifetime is left (renew at 2027-03-02T00:00:00Z); "
            "ARI window ignored: it ends before it starts");
}

TEST(RenewalAri, OutOfWindowRandomIsClamped) {
  const UnixTime start = kIssued + 45 * kDay, end = kIssued + 46 * kDay;
  RandomSource wild = [](std::int64_t, std::int64_t) { return std::int64_t{0}; };
  EXPECT_EQ(decide(with_ari(issued(90), start, end), {}, {}, kIssued, wild).at, start);
}

// --- failures -------------------------------------------------------------------

FailureRecord failed(int consecutive, UnixTime last) {
  FailureRecord r;
  r.consecutive = consecutive;
  r.last_attempt = last;
  return r;
}

TEST(BackoffDecision, FollowsTheScheduleFromTheLastAttempt) {
  RenewalFacts f = issued(90);
  const UnixTime due = kIssued + 60 * kDay;  // 2027-03-02T00:00:00Z
  const std::pair<int, std::int64_t> steps[] = {{1, 5 * kMin}, {2, 15 * kMin}, {3, kHour}, {4, 2 * kHour},
                                                {5, 4 * kHour}, {6, 8 * kHour}, {7, 12 * kHour}, {30, 12 * kHour}};
  for (auto [n, delay] : steps) {
    SCOPED_TRACE(n);
    Decision d = decide(f, {}, failed(n, due), due + 1, no_random());
    EXPECT_EQ(d.kind, DecisionKind::back_off);
    EXPECT_EQ(d.at, due + delay);
    Decision then = decide(f, {}, failed(n, due), due + delay, no_random());
    EXPECT_EQ(then.kind, DecisionKind::renew_now);
    EXPECT_EQ(then.at, due + delay);
  }
  EXPECT_EQ(decide(f, {}, failed(3, due), due + 10 * kMin, no_random()).reason,
            "back off after 3 failures until 2027-03-02T01:00:00Z");
  EXPECT_EQ(decide(f, {}, failed(1, due), due + kMin, no_random()).reason,
            "back off after 1 failure until 2027-03-02T00:05:00Z");
  EXPECT_EQ(decide(f, {}, failed(3, due), due + kHour, no_random()).reason,
            "a third of the 90-day lifetime is left (renew at 2027-03-02T00:00:00Z); retry after 3 failures");
}

TEST(BackoffDecision, HonoursALaterRetryAfter) {
  RenewalFacts f = issued(90);
  const UnixTime due = kIssued + 60 * kDay;
  FailureRecord r = failed(1, due);
  r.retry_after = due + 6 * kHour;
  Decision d = decide(f, {}, r, due + kMin, no_random());
  EXPECT_EQ(d.kind, DecisionKind::back_off);
  EXPECT_EQ(d.at, due + 6 * kHour);
  EXPECT_EQ(d.reason, "back off after 1 failure until 2027-03-02T06:00:00Z (the CA's Retry-After)");
  // Inside the floor too: the CA asked.
  r = failed(1, kIssued + 90 * kDay - 10 * kHour);
  r.retry_after = kIssued + 90 * kDay - 5 * kHour;
  EXPECT_EQ(decide(f, {}, r, kIssued + 90 * kDay - 9 * kHour, no_random()).at, kIssued + 90 * kDay - 5 * kHour);
}

TEST(BackoffDecision, HonoursAnEarlierRetryAfter) {
  // Issue 14: a 503 with Retry-After: 120 is tried again after 2 minutes,
  // not after our own back-off (5 minutes after one failure). A sooner time
  // shortens the back-off by one step at most: after four failures (2 h),
  // no sooner than the third step (1 h).
  RenewalFacts f = issued(90);
  const UnixTime due = kIssued + 60 * kDay;
  FailureRecord r = failed(1, due);
  r.retry_after = due + 2 * kMin;
  Decision d = decide(f, {}, r, due + kMin, no_random());
  EXPECT_EQ(d.kind, DecisionKind::back_off);
  EXPECT_EQ(d.at, due + 2 * kMin);
  EXPECT_EQ(d.reason, "back off after 1 failure until 2027-03-02T00:02:00Z (the CA's Retry-After)");
  EXPECT_EQ(decide(f, {}, r, due + 2 * kMin, no_random()).kind, DecisionKind::renew_now);
  r = failed(4, due);
  r.retry_after = due + 30 * kMin;
  Decision fourth = decide(f, {}, r, due + kMin, no_random());
  EXPECT_EQ(fourth.at, due + kHour);
  EXPECT_EQ(fourth.reason,
            "back off after 4 failures until 2027-03-02T01:00:00Z (the CA's Retry-After, no sooner than one back-off "
            "step less)");
  r.retry_after = due + 90 * kMin;  // between the two steps: the CA's time
  EXPECT_EQ(decide(f, {}, r, due + kMin, no_random()).at, due + 90 * kMin);
}

TEST(BackoffDecision, RetryAfterIsClampedAgain) {
  // Values stored by an older release, or garbage: 1 minute .. 30 days from the attempt.
  RenewalFacts f = issued(90);
  const UnixTime due = kIssued + 60 * kDay;
  FailureRecord r = failed(1, due);
  r.retry_after = due + 1;
  EXPECT_EQ(decide(f, {}, r, due, no_random()).at, due + kMin);
  r.retry_after = kMaxTime;
  EXPECT_EQ(decide(RenewalFacts{}, {}, r, due, no_random()).at, due + 30 * kDay);
  r.retry_after = kMinTime;
  EXPECT_EQ(decide(RenewalFacts{}, {}, r, due, no_random()).at, due + kMin);
}

TEST(BackoffDecision, NeverLaterThanExpiry) {
  // Even a Retry-After past expiry: at notAfter the expired certificate is renewed now.
  RenewalFacts f = issued(90);
  const UnixTime not_after = kIssued + 90 * kDay;
  FailureRecord r = failed(1, not_after - kHour);
  r.retry_after = not_after + 5 * kHour;
  Decision late = decide(f, {}, r, not_after - 30 * kMin, no_random());
  EXPECT_EQ(late.kind, DecisionKind::back_off);
  EXPECT_EQ(late.at, not_after);
  EXPECT_EQ(late.reason, "back off after 1 failure until 2027-04-01T00:00:00Z (the CA's Retry-After) (not after expiry)");
  EXPECT_EQ(decide(f, {}, r, not_after, no_random()).kind, DecisionKind::renew_now);
}

TEST(BackoffDecision, CappedAtTheStartOfTheEmergencyFloor) {
  // 90 days: the floor begins at 2027-03-30T00:00:00Z; 12 h from 1 h before it would overshoot.
  RenewalFacts f = issued(90);
  const UnixTime floor_start = kIssued + 88 * kDay;
  Decision d = decide(f, {}, failed(7, floor_start - kHour), floor_start - 30 * kMin, no_random());
  EXPECT_EQ(d.kind, DecisionKind::back_off);
  EXPECT_EQ(d.at, floor_start);
  EXPECT_EQ(d.reason, "back off after 7 failures until 2027-03-30T00:00:00Z (capped at the emergency floor)");
  // 6 days: the floor begins 14.4 h before expiry.
  RenewalFacts six = issued(6);
  const UnixTime six_floor = kIssued + 6 * kDay - (14 * kHour + 24 * kMin);
  EXPECT_EQ(decide(six, {}, failed(7, six_floor - 2 * kHour), six_floor - kHour, no_random()).at, six_floor);
}

TEST(BackoffDecision, HourlyInsideTheFloorAndAfterExpiry) {
  RenewalFacts f = issued(90);
  const UnixTime not_after = kIssued + 90 * kDay;
  Decision d = decide(f, {}, failed(7, not_after - 10 * kHour), not_after - 10 * kHour + kMin, no_random());
  EXPECT_EQ(d.kind, DecisionKind::back_off);
  EXPECT_EQ(d.at, not_after - 9 * kHour);
  EXPECT_EQ(d.reason, "back off after 7 failures until 2027-03-31T15:00:00Z (hourly inside the emergency floor)");
  // Shorter steps stay as they are.
  EXPECT_EQ(decide(f, {}, failed(1, not_after - 10 * kHour), not_after - 10 * kHour, no_random()).at,
            not_after - 10 * kHour + 5 * kMin);
  // Expired.
  EXPECT_EQ(decide(f, {}, failed(9, not_after + kDay), not_after + kDay + kMin, no_random()).at,
            not_after + kDay + kHour);
}

TEST(BackoffDecision, NeverIssuedBacksOffUncapped) {
  Decision d = decide({}, {}, failed(7, kIssued), kIssued + kMin, no_random());
  EXPECT_EQ(d.kind, DecisionKind::back_off);
  EXPECT_EQ(d.at, kIssued + 12 * kHour);
}

TEST(BackoffDecision, ARenewalDueLaterIsCheckedWhenDue) {
  // A stale failure record does not turn a fresh certificate into a back-off.
  RenewalFacts f = issued(90);
  Decision d = decide(f, {}, failed(2, kIssued + kDay), kIssued + kDay + kMin, no_random());
  EXPECT_EQ(d.kind, DecisionKind::check_at);
  EXPECT_EQ(d.at, kIssued + 60 * kDay);
}

TEST(BackoffDecision, ALastAttemptInTheFutureDoesNotStretchTheDelay) {
  // The clock was set back by 10 days after the attempt.
  const UnixTime now = kIssued + 60 * kDay;
  Decision d = decide(issued(90), {}, failed(1, now + 10 * kDay), now, no_random());
  EXPECT_EQ(d.kind, DecisionKind::back_off);
  EXPECT_EQ(d.at, now + 5 * kMin);
}

TEST(BackoffDecision, PermanentFailureHalts) {
  FailureRecord r = failed(1, kIssued);
  r.permanent = true;
  for (const RenewalFacts& f : {RenewalFacts{}, issued(90)}) {
    for (UnixTime now : {kIssued + kMin, kIssued + 60 * kDay, kIssued + 89 * kDay, kIssued + 100 * kDay}) {
      Decision d = decide(f, {}, r, now, no_random());
      EXPECT_EQ(d.kind, DecisionKind::halted);
      EXPECT_EQ(d.at, 0);
      EXPECT_EQ(d.reason, "permanent failure: fix the definition, then run 'certkeeper issue <name>'");
    }
  }
}

TEST(RenewalGarbage, ExtremeTimesDoNotOverflow) {
  RenewalFacts f;
  f.not_before = kMinTime;
  f.not_after = kMaxTime;
  Decision d = decide_plain(f, 0);
  EXPECT_EQ(d.kind, DecisionKind::check_at);
  EXPECT_GT(d.at, 0);
  FailureRecord r = failed(7, kMaxTime - kMin);
  r.retry_after = kMaxTime;
  EXPECT_EQ(decide(f, {}, r, kMaxTime - 1, no_random()).at, kMaxTime);
  RenewalFacts ari = with_ari(f, kMinTime, kMaxTime);
  FakeRandom random(Pick::hi);
  Decision floor = decide(ari, {std::numeric_limits<int>::max()}, {}, 0, random.source());
  EXPECT_EQ(floor.kind, DecisionKind::check_at);
  EXPECT_EQ(floor.at, kMaxTime - 2 * kDay);
}

// --- CA outages, simulated -------------------------------------------------------

struct Outcome {
  int failures = 0;                  // attempts while the CA was down
  std::optional<UnixTime> renewed;   // the first attempt after recovery
  std::vector<UnixTime> attempts;
};

// From `now`, follow the decisions: renew_now is an attempt (failing before
// `recovery`), anything else moves the clock to its `at`.
Outcome simulate(RenewalFacts facts, UnixTime now, UnixTime recovery) {
  Outcome out;
  FailureRecord record;
  for (int step = 0; step < 1000 && !out.renewed; ++step) {
    Decision d = decide(facts, {}, record, now, no_random());
    if (d.kind == DecisionKind::renew_now) {
      out.attempts.push_back(now);
      if (now < recovery) {
        ++record.consecutive;
        record.last_attempt = now;
        ++out.failures;
      } else {
        out.renewed = now;
      }
      continue;
    }
    EXPECT_TRUE(d.kind == DecisionKind::back_off || d.kind == DecisionKind::check_at) << d.reason;
    if (d.at <= now) {
      ADD_FAILURE() << "no progress at " << now << ": " << d.reason;
      break;
    }
    now = d.at;
  }
  return out;
}

TEST(BackoffOutage, SevenDaysOn90DayCertificate) {
  // Due now (30 days left); the CA is down for 7 days. Attempts at +0, 5, 20,
  // 80, 200, 440 min, then every 12 h from +920 min: 19 fail, the 20th at
  // +10280 min is 200 min after recovery (+10080 min).
  const UnixTime t0 = kIssued + 60 * kDay, recovery = t0 + 7 * kDay;
  Outcome out = simulate(issued(90), t0, recovery);
  ASSERT_TRUE(out.renewed);
  EXPECT_EQ(out.failures, 19);
  EXPECT_LE(out.failures, 30);
  EXPECT_EQ(*out.renewed, recovery + 200 * kMin);
  EXPECT_LE(*out.renewed - recovery, backoff_delay(100));
}

TEST(BackoffOutage, TwoDaysOn6DayCertificate) {
  // Due at half-life (3 days left); down for 2 days (2880 min). Attempts at
  // +0, 5, 20, 80, 200, 440, 920, 1640, 2360 min fail; +3080 min (51 h 20 min,
  // before the floor at +57.6 h) succeeds, 20 h 40 min before expiry.
  const UnixTime t0 = kIssued + 3 * kDay, recovery = t0 + 2 * kDay;
  Outcome out = simulate(issued(6), t0, recovery);
  ASSERT_TRUE(out.renewed);
  EXPECT_EQ(out.failures, 9);
  EXPECT_EQ(*out.renewed, t0 + 3080 * kMin);
  EXPECT_LE(*out.renewed - recovery, backoff_delay(100));
  EXPECT_LT(*out.renewed, kIssued + 6 * kDay);
}

TEST(BackoffOutage, UntilTwoHoursBeforeExpiryOn6DayCertificate) {
  // As above, the CA back 2 h before expiry (+70 h = 4200 min). After +3080
  // the next is capped at the floor (+3456 min), then hourly: +3516 ..
  // +4176 fail, +4236 succeeds, 1 h 24 min before expiry.
  const UnixTime t0 = kIssued + 3 * kDay, recovery = kIssued + 6 * kDay - 2 * kHour;
  Outcome out = simulate(issued(6), t0, recovery);
  ASSERT_TRUE(out.renewed);
  ASSERT_GE(out.attempts.size(), 12u);
  EXPECT_EQ(out.attempts[10], t0 + 3456 * kMin);
  EXPECT_EQ(out.attempts[11], t0 + 3516 * kMin);
  EXPECT_EQ(out.failures, 23);
  EXPECT_EQ(*out.renewed, t0 + 4236 * kMin);
  EXPECT_LT(*out.renewed, kIssued + 6 * kDay);
}

TEST(BackoffOutage, AfterRecoveryTheNewCertificateIsCheckedAtItsThird) {
  const UnixTime t0 = kIssued + 60 * kDay;
  Outcome out = simulate(issued(90), t0, t0 + 7 * kDay);
  ASSERT_TRUE(out.renewed);
  RenewalFacts renewed;
  renewed.not_before = *out.renewed;
  renewed.not_after = *out.renewed + 90 * kDay;
  Decision d = decide_plain(renewed, *out.renewed);
  EXPECT_EQ(d.kind, DecisionKind::check_at);
  EXPECT_EQ(d.at, *out.renewed + 60 * kDay);
}

}  // namespace
}  // namespace certkeeper::lifecycle
