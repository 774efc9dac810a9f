// Leases (db/sqlite/0011_leases.sql; issue 12, DESIGN.md "Many hosts"): one
// holder at a time talks to the CA for a certificate. A lease has a holder
// (one process's one acquisition: "NODE/PID/RANDOM"), its node, an expiry and
// a fencing generation that grows at every acquisition and is never reused.
// Times are the holders' clocks: nodes must keep them in sync (NTP), and a
// lease is long against the skew that remains.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "certkeeper/util/clock.h"

namespace certkeeper::store {

// The lease row of a certificate. holder "" when nobody holds it (released):
// the row, and its generation, stay.
struct LeaseRecord {
  std::string certificate_name;
  std::string holder;
  std::string node;  // the holder's node (the last one when released)
  std::int64_t generation = 0;
  UnixTime acquired_at = 0;
  UnixTime renewed_at = 0;
  UnixTime expires_at = 0;
  // Held by someone at `now`: a holder, not yet expired.
  bool held_at(UnixTime now) const { return !holder.empty() && expires_at > now; }
};

// What a holder shows to renew, release, or commit under its lease.
struct LeaseHandle {
  std::string holder;
  std::int64_t generation = 0;
};

// An acquisition: the lease now held, and the expired holder it replaced
// (the event "lease-taken-over" says so), if any.
struct LeaseGrant {
  LeaseRecord lease;
  std::optional<LeaseRecord> replaced;
};

// Cause types of lease errors (Error::cause.type), for callers that decide
// on them without reading the message.
inline constexpr char kLeaseHeld[] = "lease-held";  // acquire: another holder's lease is current
inline constexpr char kLeaseLost[] = "lease-lost";  // renew, commit: the lease expired or passed to another

}  // namespace certkeeper::store
