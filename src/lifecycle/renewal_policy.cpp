// The renewal decision: pure, so every rule below is table-tested with fixed
// times (tests/lifecycle/renewal_policy_test.cpp).
#include "certkeeper/lifecycle/renewal_policy.h"

#include <algorithm>
#include <limits>
#include <numeric>

#include <fmt/format.h>

#include "certkeeper/acme/problem.h"

namespace certkeeper::lifecycle {

namespace {

constexpr std::int64_t kHour = 3600;
constexpr std::int64_t kMaxDelayInFloor = kHour;
constexpr std::int64_t kMinute = 60;

// Saturating arithmetic: the times come from certificates and the CA, so a
// garbage value must not overflow (undefined behaviour) into the past.
UnixTime add(UnixTime a, std::int64_t b) {
  UnixTime r;
  if (!__builtin_add_overflow(a, b, &r)) return r;
  return b > 0 ? std::numeric_limits<UnixTime>::max() : std::numeric_limits<UnixTime>::min();
}
UnixTime sub(UnixTime a, std::int64_t b) {
  UnixTime r;
  if (!__builtin_sub_overflow(a, b, &r)) return r;
  return b < 0 ? std::numeric_limits<UnixTime>::max() : std::numeric_limits<UnixTime>::min();
}

std::string failures_text(int n) { return fmt::format("{} failure{}", n, n == 1 ? "" : "s"); }

std::string span(std::int64_t seconds) {
  if (seconds >= 2 * kSecondsPerDay) return fmt::format("{} days", seconds / kSecondsPerDay);
  if (seconds >= 2 * kHour) return fmt::format("{} h", seconds / kHour);
  return fmt::format("{} min", std::max<std::int64_t>(0, seconds / 60));
}

// When a renewal is wanted (renew now once `at` <= now), and why.
struct Due {
  UnixTime at;
  std::string reason;
};

Due due_by_ari(const AriWindow& w, UnixTime now, const RandomSource& random) {
  std::string window = fmt::format("ARI window {}..{}", format_utc(w.start), format_utc(w.end));
  // RFC 9773 §4.2: a window wholly in the past means renew immediately.
  if (w.end < now) return {now, window + " has passed"};
  // RFC 9773 §4.2: a uniformly random moment inside the window spreads a
  // fleet's renewals; if that moment is already past, renew immediately.
  UnixTime at = random ? random(w.start, w.end) : std::midpoint(w.start, w.end);
  at = std::clamp(at, w.start, w.end);
  return {at, fmt::format("{}: renew at {}", window, format_utc(at))};
}

// "90-day", and for lifetimes under two days "36-hour" or "10-minute".
std::string lifetime_text(std::int64_t lifetime) {
  auto rounded = [&](std::int64_t unit) { return lifetime / unit + (lifetime % unit >= unit / 2); };
  if (lifetime >= 2 * kSecondsPerDay) return fmt::format("{}-day", rounded(kSecondsPerDay));
  if (lifetime >= kHour) return fmt::format("{}-hour", rounded(kHour));
  return fmt::format("{}-minute", rounded(kMinute));
}

Due due_by_lifetime(UnixTime not_before, UnixTime not_after, const RenewalPolicy& policy) {
  std::int64_t lifetime = std::max<std::int64_t>(0, sub(not_after, not_before));
  std::string note;
  if (policy.renew_before_days && *policy.renew_before_days > 0) {
    std::int64_t before = std::int64_t{*policy.renew_before_days} * kSecondsPerDay;
    if (before < lifetime) {
      UnixTime at = sub(not_after, before);
      return {at, fmt::format("--renew-before {}: renew at {}", *policy.renew_before_days, format_utc(at))};
    }
    // Honouring it would renew on every pass, right after each issuance.
    note = fmt::format(" (--renew-before {} ignored: not shorter than the lifetime)", *policy.renew_before_days);
  }
  bool short_lived = lifetime <= 10 * kSecondsPerDay;
  UnixTime at = sub(not_after, short_lived ? lifetime / 2 : lifetime / 3);
  return {at, fmt::format("{} of the {} lifetime is left (renew at {}){}", short_lived ? "half" : "a third",
                          lifetime_text(lifetime), format_utc(at), note)};
}

Due due_of(const RenewalFacts& facts, const RenewalPolicy& policy, UnixTime now, const RandomSource& random) {
  if (!facts.not_before || !facts.not_after) return {now, "never issued"};
  if (facts.revoked) return {now, "the current version was revoked"};
  UnixTime not_after = *facts.not_after;
  if (not_after <= now) return {now, fmt::format("expired at {}", format_utc(not_after))};
  UnixTime floor_start = sub(not_after, emergency_floor(*facts.not_before, not_after));
  if (now >= floor_start) return {now, fmt::format("expires in {}: emergency renewal", span(sub(not_after, now)))};

  std::string ignored;
  Due due{};
  if (facts.ari && facts.ari->end >= facts.ari->start) {
    due = due_by_ari(*facts.ari, now, random);
  } else {
    due = due_by_lifetime(*facts.not_before, not_after, policy);
    if (facts.ari) due.reason += "; ARI window ignored: it ends before it starts";
  }
  // The floor overrides a later ARI moment or a short --renew-before.
  if (due.at > floor_start) {
    due = {floor_start, fmt::format("the emergency floor begins at {} (expires {}); {}", format_utc(floor_start),
                                    format_utc(not_after), due.reason)};
  }
  return due;
}

}  // namespace

std::int64_t backoff_delay(int consecutive) {
  // Front-weighted: a glitch is retried within minutes, an outage costs a
  // few attempts a day (a 7-day outage: about 20 attempts).
  static constexpr std::int64_t kSchedule[] = {5 * 60, 15 * 60, kHour, 2 * kHour, 4 * kHour, 8 * kHour, 12 * kHour};
  constexpr int kSteps = sizeof kSchedule / sizeof kSchedule[0];
  if (consecutive <= 0) return 0;
  return kSchedule[std::min(consecutive, kSteps) - 1];
}

std::int64_t emergency_floor(UnixTime not_before, UnixTime not_after) {
  std::int64_t lifetime = std::max<std::int64_t>(0, sub(not_after, not_before));
  // At most a quarter of the lifetime: the lifetime rule (half of a short
  // lifetime) must come first, or a certificate of an hour or two (step-ca
  // and other private CAs) would be an emergency from the moment it is
  // issued, and every pass would order it again.
  return std::min(std::clamp<std::int64_t>(lifetime / 10, kHour, 2 * kSecondsPerDay), lifetime / 4);
}

Decision decide(const RenewalFacts& facts, const RenewalPolicy& policy, const FailureRecord& failures,
                UnixTime now, const RandomSource& random) {
  if (failures.permanent) {
    return {DecisionKind::halted, 0, "permanent failure: fix the definition, then run 'certkeeper issue <name>'"};
  }
  Due due = due_of(facts, policy, now, random);

  // The earliest next attempt after failures: the back-off, capped so it
  // never sleeps past the floor's start and is at most hourly inside the
  // floor (more often for a floor shorter than hours).
  UnixTime wait = now;
  std::string why;
  const bool has_dates = facts.not_before && facts.not_after;
  if (failures.consecutive > 0 && failures.last_attempt) {
    UnixTime last = std::min(*failures.last_attempt, now);  // a clock set back must not stretch it
    wait = add(last, backoff_delay(failures.consecutive));
    if (has_dates) {
      const std::int64_t floor = emergency_floor(*facts.not_before, *facts.not_after);
      UnixTime floor_start = sub(*facts.not_after, floor);
      const std::int64_t step = std::clamp<std::int64_t>(floor / 4, kMinute, kMaxDelayInFloor);
      UnixTime cap = last < floor_start ? floor_start : add(last, step);
      if (cap < wait) {
        wait = cap;
        why = last < floor_start ? " (capped at the emergency floor)"
              : step == kHour    ? " (hourly inside the emergency floor)"
                                 : fmt::format(" (every {} inside the emergency floor)", span(step));
      }
    }
    // The CA said when (its Retry-After, clamped when it arrived; clamped
    // again here, as a stored value may come from an older release). A
    // later time is always honoured. A sooner one is honoured down to the
    // back-off of one failure less: a 503 with Retry-After: 120 is tried
    // again after 2 minutes, yet a CA that sends the same short Retry-After
    // with every error of a week-long outage does not pin us to it.
    if (failures.retry_after) {
      const UnixTime asked =
          std::clamp(*failures.retry_after, add(last, acme::kRetryAfterMin), add(last, acme::kRetryAfterMax));
      const UnixTime one_step_less = std::min(wait, add(last, backoff_delay(failures.consecutive - 1)));
      if (asked >= one_step_less) {
        wait = asked;
        why = " (the CA's Retry-After)";
      } else {
        wait = one_step_less;
        why = " (the CA's Retry-After, no sooner than one back-off step less)";
      }
    }
  }
  // A back-off never sleeps past expiry: at notAfter at the latest one more
  // attempt is made, whatever the CA asked; after it, the back-off and the
  // CA's time apply again.
  if (has_dates && *facts.not_after >= now && wait > *facts.not_after) {
    wait = *facts.not_after;
    why += " (not after expiry)";
  }

  if (wait > now && wait > due.at) {
    return {DecisionKind::back_off, wait,
            fmt::format("back off{} until {}{}",
                        failures.consecutive > 0 ? " after " + failures_text(failures.consecutive) : "",
                        format_utc(wait), why)};
  }
  if (due.at > now) return {DecisionKind::check_at, due.at, due.reason};
  if (failures.consecutive > 0) due.reason += "; retry after " + failures_text(failures.consecutive);
  return {DecisionKind::renew_now, now, due.reason};
}

}  // namespace certkeeper::lifecycle
