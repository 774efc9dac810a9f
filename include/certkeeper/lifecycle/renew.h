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
#include "certkeeper/lifecycle/install.h"
#include "certkeeper/lifecycle/mail.h"
#include "certkeeper/lifecycle/renewal_policy.h"
#include "certkeeper/store/inventory_watch.h"
#include "certkeeper/util/result.h"

namespace certkeeper::lifecycle {

struct RenewRequest {
  std::vector<std::string> names;  // only these (due or not); empty = everything due
  bool force = false;              // renew the named (or all ACME) certificates now
  // Decide and say what the pass would do and why; change nothing, contact
  // nobody. Each item's reason then also says what the pass would do first
  // (ask the CA's ARI window) and, for a named certificate, that its stored
  // next check is not waited for; `events` holds the events it would fire.
  bool dry_run = false;
  int parallel = 4;                // certificates worked at once
  std::string on_event;            // PROG run on each hook event (event_hook.h: renewal-failed, revoked, ...)
  std::optional<MailSettings> mail;  // when set, each of those events is also mailed to `email`
  std::vector<std::string> email;    // recipients ("" = the settings' default ones)
  bool log_decisions = false;      // one line per decision on stderr (the daemon's journal)
};

struct RenewItem {
  std::string name;
  std::string source;  // "acme" | "manual" | "remote"
  Decision decision;
  std::optional<UnixTime> stored_next_check;  // the next check stored before this pass looked at it
  bool attempted = false;  // an order was placed
  std::optional<IssueOutcome> issued;
  std::vector<std::string> events;  // hook events fired ("renewal-failed", ...); a dry run: would fire
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

// Why the next check after a pass is when it is: the certificate it belongs
// to and what will be decided then.
struct NextCheck {
  std::string name;
  UnixTime at = 0;
  std::string reason;
};

// A fleet (issue 12, DESIGN.md "Many hosts"): after its renewals, a pass
// installs each certificate's desired version into this node's targets that
// do not serve it (on SQLite: every target), through the install
// transaction. A version whose install rolled back on a target is not tried
// again by a pass (`install` tries it); an expired or revoked one neither.
struct ConvergeItem {
  std::string name;
  int version = 0;                        // the desired version
  std::optional<InstallOutcome> install;  // what the transaction did (rolled back or not); none in a dry run
  std::optional<Error> error;             // it could not run
};

struct RenewOutcome {
  std::string node;  // this node
  std::vector<RenewItem> items;
  std::vector<ConvergeItem> installs;  // the convergence (dry run: what it would install)
  std::optional<UnixTime> next_check;  // the earliest check after this pass (CRL refetches included)
  std::optional<NextCheck> next;       // the certificate of the earliest check after now, when one is scheduled
  RevocationWatch revocation;
};

// Errc::conflict when another pass holds the process lock.
Result<RenewOutcome> renew(const Context& ctx, const RenewRequest& request, const RandomSource& random);

// A RandomSource over the system's random device.
RandomSource system_random();

// What a daemon on a shared (PostgreSQL) inventory waits on besides its
// timer: the changes other nodes commit (store/inventory_watch.h).
// Errc::usage on SQLite; Errc::database when the server cannot be reached.
Result<store::InventoryWatch> listen_for_changes(const Context& ctx);

}  // namespace certkeeper::lifecycle
