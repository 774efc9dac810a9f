// `renew`: one scheduler pass (for cron or a timer), and the loop `run`
// repeats. A pass snapshots what is due, then works each certificate under
// its own lock, deciding again after taking it (another pass may have done
// the work). One failure never stops the pass.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include "certkeeper/lifecycle/acme_ops.h"
#include "certkeeper/lifecycle/context.h"
#include "certkeeper/lifecycle/mail.h"
#include "certkeeper/lifecycle/renewal_policy.h"
#include "certkeeper/util/result.h"

namespace certkeeper::lifecycle {

struct RenewRequest {
  std::vector<std::string> names;  // only these (due or not); empty = everything due
  bool force = false;              // renew the named (or all ACME) certificates now
  bool dry_run = false;            // decide and print; change nothing, contact nobody
  int parallel = 4;                // certificates worked at once
  std::string on_event;            // PROG run on each hook event (event_hook.h: renewal-failed, revoked, ...)
  std::optional<MailSettings> mail;  // when set, each of those events is also mailed to `email`
  std::vector<std::string> email;    // recipients ("" = the settings' default ones)
  bool log_decisions = false;      // one line per decision on stderr (the daemon's journal)
};

struct RenewItem {
  std::string name;
  std::string source;  // "acme" | "manual"
  Decision decision;
  bool attempted = false;  // an order was placed
  std::optional<IssueOutcome> issued;
  std::vector<std::string> events;  // hook events fired ("renewal-failed", ...)
  std::string hook_error;           // when the hook or the alert mail failed
  // The CA's window fetched in this pass for the version that was current
  // then (before any renewal): the revocation watch's "revocation-expected".
  std::optional<AriWindow> ari_window;
  std::optional<int> ari_version;
};

// The revocation watch of a pass (docs/manual/renewal.md), after the
// renewals: the CRLs it fetched (or would fetch), and what it found.
struct CrlCheck {
  std::string url;
  // "fetched", "would-fetch" (dry run), "unreachable", "rejected" (did not
  // verify: not cached, not trusted).
  std::string status;
  std::string error;           // one line, for unreachable and rejected
  std::size_t certificates = 0;  // current versions that name the URL
  std::size_t entries = 0;       // revoked serials on the fetched CRL
  std::optional<UnixTime> next_fetch;
};

struct WatchEvent {
  std::string name;
  int version = 0;
  std::string event;   // "revoked" | "revocation-expected"
  std::string reason;  // revoked: the CRL entry's reason; else why revocation is expected
  std::optional<UnixTime> revoked_at;
  std::string url;     // revoked: the CRL that lists it
  std::string hook_error;
};

struct RevocationWatch {
  std::vector<CrlCheck> crls;
  std::vector<WatchEvent> events;
  std::int64_t unread_versions = 0;     // dry run: versions not yet read for CRL URLs
  std::optional<UnixTime> next_fetch;   // the earliest CRL refetch
};

struct RenewOutcome {
  std::vector<RenewItem> items;
  std::optional<UnixTime> next_check;  // the earliest check after this pass (CRL refetches included)
  RevocationWatch revocation;
};

// Errc::conflict when another pass holds the process lock.
Result<RenewOutcome> renew(const Context& ctx, const RenewRequest& request, const RandomSource& random);

// A RandomSource over the system's random device.
RandomSource system_random();

}  // namespace certkeeper::lifecycle
