// The alerting seam (`--on-event PROG`): certkeeper runs PROG with an
// argument vector (never a shell) when something needs a person: a renewal
// failed, an install was rolled back, a certificate expires soon, renewals
// halted on a permanent error, a certificate was revoked or its revocation
// is expected (the revocation watch).
//
//   PROG EVENT NAME
//   environment: CERTKEEPER_EVENT, CERTKEEPER_NAME, CERTKEEPER_DAYS_LEFT,
//                CERTKEEPER_NOT_AFTER (RFC 3339, "" when unknown),
//                CERTKEEPER_ERROR (one line, "" when none)
#pragma once

#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "certkeeper/util/clock.h"
#include "certkeeper/util/result.h"

namespace certkeeper::lifecycle {

// The events a person is told about, in one table: renew and run fire only
// these (deliver_event refuses others), and the reference documentation and
// the --on-event help print it. Stable names: hooks switch on them.
namespace hook {
inline constexpr char renewal_failed[] = "renewal-failed";
inline constexpr char halted[] = "halted";
inline constexpr char rolled_back[] = "rolled-back";
inline constexpr char install_failed[] = "install-failed";
inline constexpr char expires_soon[] = "expires-soon";
inline constexpr char unreachable[] = "unreachable";
inline constexpr char revoked[] = "revoked";
inline constexpr char revocation_expected[] = "revocation-expected";
}  // namespace hook

struct HookEventInfo {
  const char* event;  // one of hook::
  const char* when;   // when it fires, and how often (one sentence)
};
std::span<const HookEventInfo> hook_events();
bool is_hook_event(std::string_view event);

// The environment PROG is run with, beside its arguments EVENT NAME.
struct HookVariable {
  const char* name;
  const char* meaning;
};
std::span<const HookVariable> hook_environment();

struct HookEvent {
  std::string event;  // one of hook::
  std::string name;
  std::optional<UnixTime> not_after;
  UnixTime now = 0;
  std::string error;
};

// Whether `program` may be run as the hook: Errc::rejected when someone
// other than root or this user could change it or a directory above it
// (util/safe_path.h; the message names the path and the fix). renew and run
// check it when they start.
Status check_event_hook(const std::string& program);

// Runs the hook (60 s timeout, output captured and dropped), after
// check_event_hook (the path it checked is what runs): Errc::rejected when
// refused, Errc::io when it cannot start; a non-zero exit is an error too
// (the message says so). CERTKEEPER_ERROR is one printable line.
Status run_event_hook(const std::string& program, const HookEvent& event);

}  // namespace certkeeper::lifecycle
