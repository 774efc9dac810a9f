// The inventory: settings, certificates, versions, targets, accounts and
// orders, the schedule, the CRL cache, events; in a SQLite file or a
// PostgreSQL database (HACKING.md, "The store").
//
// Contracts:
// - Every method returns a Result; database errors become Errc::database (or
//   Errc::database_corrupt for a file or schema that is not a usable
//   inventory), with a message naming the file or server and what to do.
// - Every change writes its event in the same transaction, so the audit log
//   and the data never disagree; a writing transaction holds the
//   inventory's write lock from its start, so what it reads is current.
// - Versions are append-only; nothing is ever deleted.
// - One Inventory is used by one thread at a time. Several processes, on
//   several hosts with PostgreSQL, may use the same inventory.
#pragma once

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include "certkeeper/store/acme_records.h"
#include "certkeeper/store/challenge_records.h"
#include "certkeeper/store/crl_records.h"
#include "certkeeper/store/event_kinds.h"
#include "certkeeper/store/lease_records.h"
#include "certkeeper/store/node_records.h"
#include "certkeeper/store/records.h"
#include "certkeeper/store/target_records.h"
#include "certkeeper/util/result.h"

namespace certkeeper::store {

enum class OpenMode {
  create,         // create the file (mode 0600, parent dirs 0700) and migrate
  existing,       // the file must exist; migrate it in place if older
  read_only,      // the file must exist and be current; never written
};

class Inventory {
 public:
  // Opens (and if allowed creates and migrates) the inventory at `path`: a
  // SQLite file, or a postgresql:// URI (store/location.h), whose schema
  // certkeeper is recognised before anything is written.
  // Errc::not_found when the file (schema) is missing and mode is not create;
  // Errc::database_corrupt for a file that is not a certkeeper database;
  // Errc::database_newer for a database written by a newer certkeeper.
  // `key_file`: as use_key_file ("" for none: the setting key_file then).
  static Result<Inventory> open(const std::string& path, OpenMode mode, const std::string& key_file = "");

  Inventory(Inventory&&) noexcept;
  Inventory& operator=(Inventory&&) noexcept;
  ~Inventory();

  const std::string& path() const;
  // The schema version of the file (the highest applied migration).
  Result<int> schema_version();

  // Private keys at rest (key_columns.cpp). The inventory encrypts them when
  // its setting key_encryption is "aes-256-gcm": every key written is then
  // sealed (crypto/key_wrap.h), bound to its row and column; every key read
  // is opened. The key file is the one given here (--key-file), else the
  // setting key_file; it is read only when a key is written or read, so
  // what needs no key (lists, reports, events) works without it. Without
  // it, or with another one, reading or writing a key is an error naming
  // the file (Errc::not_found, Errc::io for a file others may read,
  // Errc::crypto for a key that does not open them).
  void use_key_file(const std::string& path);
  Result<bool> keys_encrypted();
  struct KeyConversion {
    std::int64_t keys = 0;  // keys (re-)encrypted now
    std::string key_file;   // the key file now recorded (absolute)
  };
  // init --encrypt-keys: in one transaction, seals every plaintext key
  // (those already sealed must open with the key file: one key per
  // inventory), sets key_encryption and key_file and writes the event
  // "keys-encrypted"; then scrubs the file (secure_delete, VACUUM, WAL
  // checkpoint) so that no plaintext key stays in it. Needs use_key_file.
  Result<KeyConversion> encrypt_keys(const std::string& actor, UnixTime now);
  // keys rotate: in one transaction, opens every key with the current key
  // file and seals it under `new_key_file`, records that file as key_file
  // and writes "keys-rotated"; then scrubs. Afterwards only the new file
  // opens them. Errc::usage for an inventory that does not encrypt.
  Result<KeyConversion> rotate_keys(const std::string& new_key_file, const std::string& actor, UnixTime now);

  // Settings (key/value). set_settings writes one event "settings-changed".
  Result<std::optional<std::string>> setting(const std::string& key);
  Result<std::map<std::string, std::string>> settings();
  Status set_settings(const std::map<std::string, std::string>& values,
                      const std::string& actor, UnixTime now);

  Result<std::optional<CertificateRecord>> find_certificate(const std::string& name);
  Result<std::vector<CertificateRecord>> list_certificates();

  // Creates or replaces the definition of an ACME-managed (or watched)
  // certificate (its versions stay), with the event "defined" or
  // "redefined". A certificate of another source under that name is refused
  // (Errc::conflict), decided inside the writing transaction.
  Status define_certificate(const CertificateRecord& definition, const std::string& actor, UnixTime now);
  // A failed attempt, as record_failure stores it.
  struct Failure {
    std::string error;                    // the one-line message (any bytes: stored as valid UTF-8)
    std::optional<UnixTime> retry_after;  // the CA's Retry-After, absolute: kept, and the next check
    bool permanent = false;               // no retry can fix it (until redefined or issued by hand)
    std::string type;                     // the cause's stable type ("rateLimited", "key-mismatch"), "" if none
    std::string instance;                 // the CA's problem instance URL, "" if none
    std::string terms_of_service;         // the CA's terms-of-service URL, "" if none
  };
  // Records a failed attempt: failures + 1, last_error, last_attempt and the
  // next check (the Retry-After), with the event "issue-failed" whose detail
  // holds the error and every non-empty field of `failure`. Whatever bytes
  // the texts hold, they are stored (as valid UTF-8, bounded): the text can
  // never make the recording fail.
  [[nodiscard]] Status record_failure(const std::string& name, const Failure& failure, const std::string& actor,
                                      UnixTime now);
  // The same with only an error text, the next check and `permanent`.
  [[nodiscard]] Status record_failure(const std::string& name, const std::string& error,
                                      std::optional<UnixTime> next_check, const std::string& actor, UnixTime now,
                                      bool permanent = false);
  // An attempt that is under way: last_attempt = now and the event
  // "issue-attempt" (the order URL, whether it was resumed), written before
  // the CA is polled, so that a run stopped meanwhile still shows. Its
  // outcome (a version, or record_failure) follows when the run lives.
  [[nodiscard]] Status record_attempt(const std::string& name, const std::string& order_url, bool resumed,
                                      const std::string& actor, UnixTime now);

  // The scheduler's plan for a certificate (no event: decisions are logged,
  // outcomes are recorded). Errc::not_found for an unknown name.
  struct Schedule {
    std::optional<UnixTime> next_check;
    std::optional<UnixTime> ari_start, ari_end, ari_next_fetch;
  };
  Status set_schedule(const std::string& name, const Schedule& schedule);
  // Certificates to look at now: never scheduled (next_check NULL) or due
  // (next_check <= now); an index lookup, so its cost grows with what is
  // due, not with the inventory. Remote endpoints are not included.
  Result<std::vector<CertificateRecord>> due_certificates(UnixTime now);
  // Watched remote endpoints to probe now: never probed or due; the same
  // two index lookups as due_certificates.
  Result<std::vector<CertificateRecord>> due_remotes(UnixTime now);
  // The outcome of probing a watched endpoint: reached (failures 0,
  // last_success) or not (failures + 1, last_error), last_attempt either way.
  // Events only on a change: "endpoint-unreachable" at the first failure,
  // "endpoint-reachable" when it answers again. The stored versions are
  // never touched (a new served leaf is appended with append_version).
  enum class ObservationChange { none, unreachable, reachable_again };
  Result<ObservationChange> record_observation(const std::string& name, bool reached, const std::string& error,
                                               const std::string& actor, UnixTime now);
  // The managed (not remote) certificate and version with this leaf
  // fingerprint, the newest if several; an index lookup.
  Result<std::optional<std::pair<std::string, int>>> find_by_fingerprint(const std::string& fingerprint);
  // The earliest next_check (0 when any certificate is unscheduled), or
  // nullopt for an empty inventory.
  Result<std::optional<UnixTime>> earliest_check();
  // The certificate (any source) whose next_check is the earliest one after
  // `after`, nullopt when there is none; one step on the next_check index.
  Result<std::optional<CertificateRecord>> next_scheduled(UnixTime after);

  // ACME accounts: one per (directory URL, contact). save_account creates
  // or replaces the row of (directory URL, contact) (its id stays) and writes
  // `event_kind` (an account-* kind of event_kinds.h) with the public
  // fields as detail (never the key).
  Result<std::optional<AccountRecord>> find_account(const std::string& directory_url, const std::string& contact);
  Result<AccountRecord> save_account(AccountRecord account, const std::string& actor, UnixTime now,
                                     const std::string& event_kind = event::account_key_stored);

  // Stores `account` only when the inventory has none for its (directory
  // URL, contact), with the event `event_kind`, in one transaction that also
  // makes the check: true when stored, false when a row was there (nothing
  // changed). For accounts brought from another client (import --from-certbot).
  Result<bool> add_account_if_absent(AccountRecord account, const std::string& actor, UnixTime now,
                                     const std::string& event_kind);

  // Orders in flight: opened (with the new key and the URL of the account
  // that made it) before any challenge is answered, closed when the
  // certificate is stored or the order failed.
  Result<std::int64_t> open_order(const std::string& name, std::int64_t account_id, const std::string& account_url,
                                  const std::string& order_url, const std::string& key_pem, const std::string& actor,
                                  UnixTime now);
  Result<std::optional<OrderRecord>> open_order_of(const std::string& name);
  Status close_order(std::int64_t order_id, const std::string& status, UnixTime now);
  // Closes an open order that cannot be finished (status "failed") with the
  // event "order-abandoned" saying why, in one transaction.
  Status abandon_order(const OrderRecord& order, const std::string& reason, const std::string& actor, UnixTime now);

  // Appends `version` (its number is assigned: previous + 1) to the
  // certificate `definition.name`, creating the definition when it does not
  // exist yet, makes it current, and writes the events "created" (if new)
  // and `event_kind` with `event_detail_json`, all in one transaction.
  // Returns the new version number.
  Result<int> append_version(const CertificateRecord& definition, VersionRecord version,
                             const std::string& event_kind, const std::string& event_detail_json,
                             const std::string& actor, UnixTime now);

  // --- Leases (lease_records.h; leases.cpp): who talks to the CA ---
  // Takes the lease of certificate `name` for `holder` of `node` until
  // now + `seconds`, in one writing transaction: when it is free, expired, or
  // already `holder`'s (then only extended, same generation). A new holder
  // gets the generation + 1 (1 for the first lease); replacing an expired
  // holder writes the event "lease-taken-over". Errc::conflict (cause type
  // kLeaseHeld) naming the holder's node and expiry when another holder's
  // lease is current; Errc::not_found for an unknown certificate.
  // `gone_holder`: a holder the caller knows is dead (a process of its own
  // node that no longer exists): its lease is taken over as if expired.
  Result<LeaseGrant> acquire_lease(const std::string& name, const std::string& holder, const std::string& node,
                                   int seconds, const std::string& actor, UnixTime now,
                                   const std::string& gone_holder = "");
  // Extends the lease to now + `seconds`, only while `held` is still the
  // holder with that generation and the lease has not expired; else
  // Errc::conflict (cause type kLeaseLost) saying to whom it passed.
  Status renew_lease(const std::string& name, const LeaseHandle& held, int seconds, UnixTime now);
  // Gives the lease up (holder cleared, expiry now; the generation stays).
  // Nothing when `held` no longer holds it.
  Status release_lease(const std::string& name, const LeaseHandle& held, UnixTime now);
  // The lease row of `name`, nullopt when none was ever taken.
  Result<std::optional<LeaseRecord>> lease_of(const std::string& name);

  // The fence: append_version of an issued certificate under the lease
  // `fence`, and the order `order_id` closed as done, in one transaction
  // that first checks that `fence` is still the current, unexpired lease of
  // the certificate. Otherwise nothing is stored and the error is
  // Errc::conflict (cause type kLeaseLost): "the lease to talk to the CA
  // passed to node X (generation G); this node's order is abandoned;
  // nothing stored".
  Result<int> append_fenced_version(const CertificateRecord& definition, VersionRecord version,
                                    const LeaseHandle& fence, std::int64_t order_id, const std::string& event_kind,
                                    const std::string& event_detail_json, const std::string& actor, UnixTime now);

  // append_version for a version that must be new: inside the one writing
  // transaction the certificate is read again, and when its current version
  // already holds a certificate with `version.fingerprint_sha256`, nothing is
  // written (appended == false, version: the current one). Two processes
  // storing the same certificate at once store it once. A certificate that
  // exists with another source than `definition.source` is refused
  // (Errc::conflict), as it would be by a check before the transaction.
  struct Appended {
    int version = 0;
    bool appended = false;
  };
  Result<Appended> append_version_if_new(const CertificateRecord& definition, VersionRecord version,
                                         const std::string& event_kind, const std::string& event_detail_json,
                                         const std::string& actor, UnixTime now);

  // append_version for a name that must be new: the check and the insert
  // are one transaction, so a certificate another process defined meanwhile
  // is never appended to. nullopt (nothing changed) when the name exists.
  Result<std::optional<int>> append_first_version(const CertificateRecord& definition, VersionRecord version,
                                                   const std::string& event_kind,
                                                   const std::string& event_detail_json, const std::string& actor,
                                                   UnixTime now);

  // The same for many certificates in one transaction (bulk loads such as
  // the benchmark inventory): all are stored, or none. Returns the numbers.
  struct NewVersion {
    CertificateRecord definition;
    VersionRecord version;
    std::string event_detail_json;
  };
  Result<std::vector<int>> append_versions(std::vector<NewVersion> items, const std::string& event_kind,
                                           const std::string& actor, UnixTime now);

  // Records that the CA revoked `version` of `name`: revoked_at = now,
  // revoke_reason = `reason` (an RFC 5280 reason name) and the event
  // "revoked", in one transaction. A version already marked keeps its first
  // mark and gets no second event: returns false then, true when marked now.
  // Errc::not_found when the certificate or the version does not exist.
  // `revoked_at` (default: now) is when the CA says it revoked it (a CRL
  // entry's date); `crl_url`, when given, goes into the event's detail.
  Result<bool> mark_revoked(const std::string& name, int version, const std::string& reason,
                            const std::string& actor, UnixTime now, std::optional<UnixTime> revoked_at = std::nullopt,
                            const std::string& crl_url = "");

  // Writes the event `kind` about `version` of `name` (detail: the object
  // `detail_json` with "version" added) unless one of that kind for that
  // version exists: true when written now. One transaction.
  Result<bool> record_event_once(const std::string& name, const std::string& kind, int version,
                                 const std::string& detail_json, const std::string& actor, UnixTime now);

  // --- The revocation watch (db/sqlite/0006_crl_cache.sql; crl_cache.cpp) ---
  // Current versions stored after the watch's mark (not revoked), to read
  // their CRL URLs from; an index range, so it costs what is new.
  Result<CrlScan> crl_unscanned();
  // How many versions lie above the mark (for a dry run, which reads none).
  Result<std::int64_t> crl_unscanned_count();
  // Records the URLs each version names (a URL seen for the first time gets
  // a cache row that is due at once) and moves the mark to `upto`.
  Status crl_link(const std::vector<std::pair<std::int64_t, std::vector<std::string>>>& links, std::int64_t upto);
  // CRL URLs whose cache is stale (next_fetch <= now), by next_fetch; no DER.
  Result<std::vector<CrlRecord>> crls_due(UnixTime now);
  // One URL's row with its DER; nullopt when no version names it.
  Result<std::optional<CrlRecord>> crl(const std::string& url);
  // Every URL's row, without DER, by URL (for reports and tests).
  Result<std::vector<CrlRecord>> crls();
  // A CRL that verified: cached (DER, dates, fetched_at, next_fetch), the
  // error cleared.
  Status crl_fetched(const CrlRecord& record);
  // A fetch that failed or a CRL that was rejected: the cached CRL (if any)
  // stays, the error and the next try are recorded.
  Status crl_failed(const std::string& url, const std::string& error, UnixTime now, UnixTime next_fetch);
  // No current version names `url` any more: nothing fetched, looked at
  // again at `next_fetch`.
  Status crl_defer(const std::string& url, UnixTime next_fetch);
  // The current, not yet revoked versions that name `url`.
  Result<std::vector<CrlSubject>> crl_subjects(const std::string& url);
  // The earliest next_fetch of any CRL, nullopt when there is none.
  Result<std::optional<UnixTime>> earliest_crl_fetch();

  // Every version of a certificate, oldest first, without private keys.
  Result<std::vector<VersionRecord>> versions(const std::string& name);
  // One version including its private key (for install).
  Result<VersionRecord> version_with_key(const std::string& name, int version);
  // Finds the version of `name` with this fingerprint, if any.
  Result<std::optional<int>> version_by_fingerprint(const std::string& name,
                                                    const std::string& fingerprint_sha256);

  // Install targets. save_target creates the target (certificate, node,
  // dir) or replaces its settings (installed and pending versions stay),
  // with the event "target-added" or "target-changed"; on SQLite (one node)
  // the directory alone names it, and it moves to the node given. Errc::not_found when the
  // certificate does not exist.
  Result<TargetRecord> save_target(const TargetRecord& target, const std::string& actor, UnixTime now);
  // The certificate's targets on every node, in the order they were added.
  Result<std::vector<TargetRecord>> targets(const std::string& name);
  // The targets that the node `node` installs: on SQLite (one node) all of
  // them; on PostgreSQL those of the node, and those made before targets
  // had nodes that no heartbeat has adopted yet.
  Result<std::vector<TargetRecord>> node_targets(const std::string& name, const std::string& node);
  // Forgets the target `dir` of the node (its files stay on disk), with the
  // event "target-removed". Errc::not_found when there is no such target.
  // On SQLite the directory alone names it.
  Status remove_target(const std::string& name, const std::string& node, const std::string& dir,
                       const std::string& actor, UnixTime now);
  // The install journal: marks the targets as switching to `version` (one
  // transaction, no event: the outcome is what gets recorded).
  Status set_pending(const std::vector<std::int64_t>& target_ids, int version);
  // Ends a transaction: every target's installed_version is set as given and
  // its pending_version cleared, with installed_at when it changed and the
  // probe result of an attempted version (failed_version when it rolled
  // back), and the event `kind` is written, all in one transaction. With
  // `pin` asking for a version, the same transaction pins it (event
  // "pinned") when it is older than the newest version, or clears a pin
  // (event "unpinned") when it is the newest; nothing when the pin is
  // already so. The pin's event comes before `kind`.
  Status finish_install(const std::string& name, const std::vector<TargetOutcome>& outcomes,
                        const std::string& kind, const std::string& detail_json, const std::string& actor,
                        UnixTime now, const PinRequest& pin = PinRequest::keep());
  // A fleet's nodes (nodes.cpp; issue 12). heartbeat records that the node
  // is alive and what it does; on SQLite (one node) every target becomes
  // its own, on PostgreSQL it adopts the targets made before targets had
  // nodes (event "target-adopted").
  Status heartbeat(const NodeBeat& beat, UnixTime now, const std::string& actor);
  // Every node, with its targets' state; also names that targets give but
  // that have no row (a node removed, or one that never ran).
  Result<std::vector<NodeRecord>> nodes();
  // `node remove`: forgets the node's row (its targets stay), with the
  // event "node-removed". Errc::not_found for an unknown node.
  Result<NodeRecord> remove_node(const std::string& name, const std::string& actor, UnixTime now);
  // The certificates whose targets on `node` (all targets on SQLite) do not
  // serve the desired version, leaving out a version that rolled back there
  // already, expired or was revoked: what the node's pass installs.
  Result<std::vector<Unconverged>> unconverged(const std::string& node, UnixTime now);
  // Whether anything happened since the node last found its targets
  // converged: every change that can give a node work writes an event, so
  // the newest event id is the mark (db/sqlite/0013_node_converged.sql).
  struct ConvergenceMark {
    std::int64_t newest_event = 0;
    bool unchanged = false;  // the node recorded this very mark: nothing to look for
  };
  Result<ConvergenceMark> convergence_mark(const std::string& node);
  // Records that the node's targets were converged as of `newest_event`.
  Status mark_converged(const std::string& node, std::int64_t newest_event);

  // Challenges in a fleet (challenges.cpp; db/sqlite/0014_fleet_challenges.sql).
  // publish_challenge stores an answer by its token (replacing an earlier
  // publication of the token, and its acks), deletes stale ones, and
  // notifies "challenge NAME"; its id. unpublish_challenge deletes it (and
  // its acks) and notifies; an id that is gone is no error.
  Result<std::int64_t> publish_challenge(const PublishedChallenge& challenge, UnixTime now);
  Status unpublish_challenge(std::int64_t id, const std::string& certificate_name);
  // The publications not yet stale at `now` whose publisher's lease (its
  // generation) is still held and unexpired, oldest first.
  Result<std::vector<PublishedChallenge>> published_challenges(UnixTime now);
  // A node's answer to a publication (replacing its earlier one), with the
  // notification "ack NAME"; a publication that is gone is no error.
  Status ack_challenge(const ChallengeAck& ack, const std::string& certificate_name);
  // The acks of these publications.
  Result<std::vector<ChallengeAck>> challenge_acks(const std::vector<std::int64_t>& ids);
  // The beat of a node's challenge answerer (nodes.answering_at; the node's
  // row is made if it has none): `answering` false clears it (the answerer
  // stopped). The nodes whose answerer beat at `since` or later, by name.
  Status answering_beat(const std::string& node, bool answering, UnixTime now);
  Result<std::vector<std::string>> answering_nodes(UnixTime since);

  // Writes one event about a certificate (e.g. a failed install whose files
  // never changed).
  Status record_event(const std::string& name, const std::string& kind, const std::string& detail_json,
                      const std::string& actor, UnixTime now);

  // The audit log, oldest first: of one certificate, or of everything ("").
  Result<std::vector<EventRecord>> events(const std::string& name);

  // Rows for reports, sorted by not_after, then name (certificates without a
  // version last). With `expiring_before`, only certificates whose current version
  // expires before it; this is an index range scan, so its cost grows with
  // the number of rows returned, not with the inventory.
  Result<std::vector<ReportRow>> report_rows(std::optional<UnixTime> expiring_before);
  // How many certificates' current versions expire before `t` (index only).
  Result<std::size_t> count_expiring(UnixTime t);
  // The SQLite query plan of report_rows (EXPLAIN QUERY PLAN, one step a
  // line), so that a test holds the real query to its index range scan.
  Result<std::string> report_rows_plan(std::optional<UnixTime> expiring_before);
  // report_rows with the recent history of each row, by name: its most
  // recent `max_versions` versions (no PEM, no key; the current one taken
  // from the row, not read again) and `max_events` events, oldest first, and
  // how many there are in all. Three queries whatever the number of rows;
  // with `expiring_before` each starts from the same index range scan, so
  // the cost follows the rows shown.
  Result<ReportWithHistory> report_rows_with_history(std::optional<UnixTime> expiring_before, int max_versions,
                                                     int max_events);

  // The connection and key state, defined in src/store/impl.h (nameable by
  // the store's own helpers, complete only there).
  struct Impl;

 private:
  explicit Inventory(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace certkeeper::store
