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
#include <string>

#include "certkeeper/util/clock.h"
#include "certkeeper/util/result.h"

namespace certkeeper::lifecycle {

struct HookEvent {
  // "renewal-failed", "rolled-back", "install-failed", "expires-soon", "halted",
  // "revoked", "revocation-expected"
  std::string event;
  std::string name;
  std::optional<UnixTime> not_after;
  UnixTime now = 0;
  std::string error;
};

// Runs the hook (60 s timeout, output captured and dropped). Errc::io when it
// cannot start; a non-zero exit is an error too (the message says so).
Status run_event_hook(const std::string& program, const HookEvent& event);

}  // namespace certkeeper::lifecycle
