// When to renew: one pure function of the certificate's facts, the CA's ARI
// window (RFC 9773), the policy, the failure record, `now` and a random
// source. No clock, no I/O: table-tested with fixed times.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>

#include "certkeeper/util/clock.h"

namespace certkeeper::lifecycle {

// RFC 9773 §4.2 suggestedWindow.
struct AriWindow {
  UnixTime start = 0;
  UnixTime end = 0;
};

struct RenewalFacts {
  std::optional<UnixTime> not_before;  // of the current version; nullopt = never issued
  std::optional<UnixTime> not_after;
  bool revoked = false;                // the current version was revoked
  std::optional<AriWindow> ari;        // the CA's window, when fetched and valid
};

struct RenewalPolicy {
  std::optional<int> renew_before_days;  // --renew-before: overrides the lifetime rule
};

// What failed before: the persisted record of earlier attempts.
struct FailureRecord {
  int consecutive = 0;                  // failures since the last success
  std::optional<UnixTime> last_attempt;
  std::optional<UnixTime> retry_after;  // the CA's Retry-After, as an absolute time
  bool permanent = false;               // e.g. badCSR, rejectedIdentifier, userActionRequired
};

enum class DecisionKind {
  renew_now,    // order now
  check_at,     // nothing to do before `at`
  back_off,     // a failure: wait until `at` before the next attempt
  halted,       // a permanent failure: no retry until the definition changes or `issue` is run
};

struct Decision {
  DecisionKind kind = DecisionKind::check_at;
  UnixTime at = 0;     // renew_now: now; check_at / back_off: when to look again; halted: 0
  std::string reason;  // one line for logs and --dry-run, e.g. "a third of the 90-day lifetime is left"
};

// A uniform random integer in [lo, hi] (both inclusive); tests pass a fixed one.
using RandomSource = std::function<std::int64_t(std::int64_t lo, std::int64_t hi)>;

// The rules, in order:
// 1. A permanent failure halts (until the definition changes or `issue`
//    runs, which clear the failure record).
// 2. Never issued, or the current version revoked: renew now (or back off,
//    as in 4, after failures).
// 3. After failures: back off until last_attempt + backoff_delay(consecutive),
//    capped so the next attempt is never later than the moment the emergency
//    floor begins; inside the floor it is at most a quarter of the floor
//    (at least a minute, at most 1 hour). When the CA gave a Retry-After
//    (clamped to [last_attempt + 1 minute, last_attempt + 30 days]), a later
//    one replaces that back-off, and a sooner one too, down to the back-off
//    of one failure less (the first failure: none), so a CA's short time is
//    honoured while a long outage still backs off. Never later than
//    not_after (at not_after one more attempt is made). A renewal not due
//    until later than that is simply checked when due (check_at, not
//    back_off).
// 4. Emergency floor: from the moment only emergency_floor() is left
//    (not_after - floor), renew now, whatever the ARI window or the lifetime
//    rule say; a later ARI moment or renew_before is checked at that moment.
// 5. ARI window (RFC 9773 §4.2): a random moment inside it (drawn from
//    `random` on each call); if the window's end has passed, or the chosen
//    moment has, renew now; else check then. An inverted window (end <
//    start) is ignored, and the reason says so.
// 6. Else renew when renew_before_days are left, or a third of the lifetime
//    (half for lifetimes of 10 days or less): now if that moment has passed,
//    else check then. A renew_before_days not shorter than the lifetime is
//    ignored (it would renew right after every issuance).
// Once expired (not_after <= now), it is renew now (or back off).
Decision decide(const RenewalFacts& facts, const RenewalPolicy& policy, const FailureRecord& failures,
                UnixTime now, const RandomSource& random);

// The back-off after `consecutive` failures (1 = the first): front-weighted,
// minutes first, then hours: 5 min, 15 min, 1 h, 2 h, 4 h, 8 h, then 12 h.
std::int64_t backoff_delay(int consecutive);

// The time before not_after under which the emergency floor applies:
// lifetime / 10, at most 2 days, at least 1 hour, but never more than a
// quarter of the lifetime (a 1-hour certificate: 15 minutes; 10 minutes:
// 2.5 minutes), so the lifetime rule comes first.
std::int64_t emergency_floor(UnixTime not_before, UnixTime not_after);

}  // namespace certkeeper::lifecycle
