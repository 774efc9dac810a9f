// Plain rows of the inventory (db/sqlite/0001_initial.sql). No SQLite types here.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "certkeeper/util/clock.h"

namespace certkeeper::store {

// A managed certificate definition: one per name.
struct CertificateRecord {
  std::int64_t id = 0;
  std::string name;
  std::string source = "manual";  // "manual" | "acme" | "remote"
  std::vector<std::string> domains;  // declared names (ACME definitions); empty for manual
  std::string key_type;
  std::string challenge;         // "http-01", "tls-alpn-01", "dns-01"
  std::string challenge_config;  // JSON: {"webroot"|"listen"|"dns_hook", "propagation_seconds"}
  std::string acme_server;
  std::string acme_ca_file;
  std::string profile;
  std::string preferred_chain;
  std::optional<int> renew_before_days;
  std::string status = "active";  // "active" until later issues add more
  std::optional<int> current_version;        // the newest stored version
  std::optional<UnixTime> current_not_after;  // the newest version's notAfter
  std::optional<UnixTime> next_check;
  int failures = 0;
  std::string last_error;
  std::optional<UnixTime> last_attempt;
  std::optional<UnixTime> last_success;
  UnixTime created_at = 0;
  UnixTime updated_at = 0;
  // The scheduler's record (db/sqlite/0005_renewal_schedule.sql).
  std::optional<UnixTime> ari_start;       // the CA's renewal window (RFC 9773)
  std::optional<UnixTime> ari_end;
  std::optional<UnixTime> ari_next_fetch;  // when to ask for the window again
  std::optional<UnixTime> retry_after;     // the CA's Retry-After of the last failure
  bool failure_permanent = false;          // no retry until redefined or issued by hand
  // The version `rollback` or `install --version` pinned (older than the
  // newest), nullopt when not pinned (db/sqlite/0012_pins.sql). See
  // desired_version().
  std::optional<int> pinned_version;
};

// The version a certificate is meant to serve (issue 12): the pinned one if
// set, else the newest (current_version); nullopt before the first version.
// Reports judge expiry on it, the scheduler decides renewal on it, and each
// node converges its targets to it.
std::optional<int> desired_version(const CertificateRecord& c);

// One stored version of a certificate: what was validated, with its key.
struct VersionRecord {
  std::int64_t id = 0;
  std::string certificate_name;
  int version = 0;
  std::string leaf_pem;
  std::string chain_pem;
  std::string root_pem;
  std::string key_pem;  // secret: only loaded when asked for (Inventory::version_with_key)
  std::string fingerprint_sha256;
  std::string serial;
  std::string subject;
  std::string issuer;
  std::string issuer_cn;
  std::vector<std::string> names;
  std::string key_type;
  UnixTime not_before = 0;
  UnixTime not_after = 0;
  std::string origin;         // "import-pem" | "import-p12" | "acme"
  std::string findings_json;  // warnings and infos of the gate, a JSON array
  std::optional<UnixTime> revoked_at;
  std::string revoke_reason;
  UnixTime created_at = 0;
};

// One audit-log entry.
struct EventRecord {
  std::int64_t id = 0;
  UnixTime at = 0;
  std::string certificate_name;  // "" for global events (settings)
  std::string kind;              // "created", "imported", "settings-changed", ...
  std::string actor;             // "cli:root", "scheduler", ...
  std::string detail_json;       // an object
};

// One node's share of a certificate in a fleet (issue 12, "Fleet views"):
// what the node's targets of the certificate serve.
struct ReportNode {
  std::string node;
  // The lowest version installed over the node's targets of the
  // certificate; nullopt when none of them has anything installed.
  std::optional<int> installed_version;
  // Every one of those targets' last probe passed: false when one failed,
  // true when all passed, nullopt when one has no probe result.
  std::optional<bool> probe_ok;
  std::optional<UnixTime> installed_at;  // the newest installed_at of those targets
  // The node's last heartbeat; nullopt when it has no row (removed, or
  // never ran a pass).
  std::optional<UnixTime> last_seen;
};

// Settings the fleet statuses judge against (seconds; the inventory's
// settings node_down_after and drift_after, else these defaults).
inline constexpr int kDefaultNodeDownAfter = 600;
inline constexpr int kDefaultDriftAfter = 900;

// What reports show for one certificate: the definition joined with its
// current version (when it has one).
struct ReportRow {
  std::string name;
  std::string source;
  std::string status;
  std::string last_error;
  int failures = 0;
  // The desired version (desired_version()): every fact below about "the
  // version" (names, dates, serial, revocation) is of this one.
  std::optional<int> version;
  std::optional<int> pinned_version;  // set when an older version is pinned
  std::optional<int> newest_version;  // the newest stored version
  std::vector<std::string> names;
  std::string issuer_cn;
  std::string issuer;
  std::string serial;
  std::string fingerprint_sha256;
  std::string key_type;
  std::optional<UnixTime> not_before;
  std::optional<UnixTime> not_after;
  // The renewal record (for source "remote": the record of probing the
  // endpoint): last attempt and last success, failures since the last success.
  std::optional<UnixTime> last_attempt;
  std::optional<UnixTime> last_success;
  // When the scheduler looks at it next (a back-off, the CA's Retry-After,
  // the renewal moment); nullopt when never scheduled (due at once).
  std::optional<UnixTime> next_check;
  // Install targets: how many, and the lowest version installed in any of
  // them (targets with nothing installed yet do not count; nullopt when no
  // target has anything installed).
  int targets = 0;
  std::optional<int> installed_version;
  // Whether the last install's post-install probe passed: from the latest
  // event "installed", "rolled-back" or "install-rolled-back", true when its
  // detail lists probes and every one was ok, false when one failed, nullopt
  // when that install ran no probe or there was never an install. For source
  // "remote": the last probe of the endpoint (failures == 0), nullopt before
  // the first one.
  std::optional<bool> probe_ok;
  // The current version's revocation.
  std::optional<UnixTime> revoked_at;
  std::string revoke_reason;
  // The CA's suggested renewal window (RFC 9773 ARI).
  std::optional<UnixTime> ari_start;
  std::optional<UnixTime> ari_end;
  // The fleet: one entry per node that has targets of the certificate, by
  // node name. Empty without targets.
  std::vector<ReportNode> nodes;
  // When the desired version was stored (drift is measured from it, or from
  // the newest installed_at among the nodes when later).
  std::optional<UnixTime> version_stored_at;
  // Whether the statuses node-down and drift apply: a PostgreSQL inventory
  // (a fleet); on SQLite there is one node and they never do.
  bool fleet = false;
  int node_down_after = kDefaultNodeDownAfter;
  int drift_after = kDefaultDriftAfter;
};

// The recent history of one certificate, for reports that show it (HTML):
// the most recent versions (metadata only: no PEM, no key) and events,
// oldest first, and how many there are in all.
struct ReportHistory {
  std::vector<VersionRecord> versions;
  std::vector<EventRecord> events;
  int versions_total = 0;
  int events_total = 0;
};

// Report rows with each row's recent history, by certificate name.
struct ReportWithHistory {
  std::vector<ReportRow> rows;
  std::unordered_map<std::string, ReportHistory> history;
};

}  // namespace certkeeper::store
