#include "certkeeper/store/event_kinds.h"

namespace certkeeper::store {
namespace {

using namespace event;

constexpr EventKindInfo kKinds[] = {
    {settings_changed, true, "`init` changed the inventory's settings", "the settings that changed, by key"},
    {keys_encrypted, true, "`init --encrypt-keys` encrypted the stored private keys (one transaction)",
     "`keys` (how many were encrypted now), `key_file`"},
    {keys_rotated, true, "`keys rotate` re-encrypted every private key under a new key file (one transaction)",
     "`keys`, `key_file` (the new one), `previous_key_file`"},
    {inventory_copied, true,
     "`db copy` copied the whole inventory into this new database (the last event of the same transaction)",
     "`from` (the source, never with a password), `from_backend`, `rows` (by table), `keys_sealed` (plaintext keys "
     "encrypted now)"},
    {node_removed, true, "`node remove` forgot a node; its targets stay and are reported as belonging to no known node",
     "`node`, `last_seen`, `targets` (how many it had)"},
    {created, false, "`import` stored the first version of a new name",
     "`source`"},
    {defined, false, "`add` defined an ACME certificate, or `watch add` an endpoint",
     "`source`, `domains`, `challenge`, `key_type`, `acme_server`"},
    {redefined, false, "`add` (or `watch add`) changed an existing definition; its versions stay",
     "as for `defined`"},
    {imported, false, "`import` stored a new version",
     "`fingerprint_sha256`, `serial`, `not_after`, `origin`, `files`"},
    {migrated, false, "`import --from-certbot` stored a certbot lineage as a new ACME certificate",
     "`from`, `conf`, `files`, `fingerprint_sha256`, `serial`, `not_after`, `account_url`"},
    {order_opened, false,
     "an ACME order was opened; its URL and key are stored first, so a run that dies resumes it", "`order_url`"},
    {order_abandoned, false,
     "an open order of another account, or one the CA refused as not this account's, was given up; a new one follows",
     "`order_url`, `reason`"},
    {issued, false, "an ACME order stored a new version (`issue`, `renew`, `run`)",
     "`order_url`, `account_url`, `fingerprint_sha256`, `serial`, `not_after`"},
    {issue_attempt, false,
     "an ACME order is about to be polled (written before any polling, so a run stopped meanwhile still shows)",
     "`order_url`, `resumed`"},
    {issue_failed, false, "an ACME order failed; no version changed",
     "`error`, `permanent` (when renewals halt), `next_check`, and from the CA's problem `type`, `instance`, "
     "`terms_of_service`"},
    {lease_taken_over, false,
     "the lease to talk to the CA for the certificate expired in its holder's hands (a node that died or stopped), "
     "or its holder's process on this node is gone, and another took it; that holder can no longer store a version",
     "`previous_holder`, `previous_node`, `previous_generation`, `expired_at`, `reason` (`expired` or `its process "
     "is gone`), `holder`, `node`, `generation`"},
    {observed, false, "a watched endpoint served a new leaf, stored as a version without key",
     "`endpoint`, `verifies`, `verify_error`, `name_covered`"},
    {endpoint_unreachable, false, "a watched endpoint stopped answering (once per outage)", "`error`"},
    {endpoint_reachable, false, "a watched endpoint answers again", "`failures` (probes failed in the outage)"},
    {exported, false, "`export` wrote a version's files (PEM or PKCS#12)",
     "`version`, `format`, `files`, `key` (whether the key was written), `encryption` (PKCS#12)"},
    {target_added, false, "`target add` added a target", "the target's settings"},
    {target_changed, false, "`target add` changed the target with that `--dir`", "the target's settings"},
    {target_removed, false, "`target remove` forgot a target (its files stay)", "`dir`, `node`"},
    {target_adopted, false,
     "on PostgreSQL, a node's heartbeat took over a target made before targets had nodes (by an older certkeeper or "
     "`db copy` of one)",
     "`dir`, `node`"},
    {installed, false, "an install switched every target, its reloads ran and every probe saw the new certificate",
     "`version`, `sha256`, `previous_version`, `targets`, `reloads`, `probes`"},
    {rolled_back, false, "`rollback` reinstalled an older version (the same transaction as an install)",
     "as for `installed`"},
    {install_rolled_back, false,
     "a reload or probe failed, so the targets were switched back to the previous files",
     "`version`, `reason`, `restored_version`, `reloads`, `probes`, `restore_reloads`, `restore_error`"},
    {install_failed, false, "the new files could not be written; nothing was switched", "`version`, `reason`"},
    {install_reconciled, false,
     "an install interrupted earlier (killed, power cut) was undone at the start of the next one", "`targets`"},
    {pinned, false,
     "`rollback` or `install --version` made an older version the desired one (in the transaction that records the "
     "install, also when it was rolled back): reports judge it and the scheduler renews on it",
     "`version` (pinned now), `previous_pinned_version` (null when none), `newest_version`"},
    {unpinned, false,
     "`install` of the newest version (or `rollback --to` it) cleared the pin: the newest is desired again",
     "`version` (the pin cleared), `newest_version`"},
    {pin_ended, false,
     "a new version was stored while an older one was pinned (the same transaction): the pin ends, the new version "
     "is desired",
     "`pinned_version`, `pinned_not_after`, `new_version`, `reason`"},
    {revoked, false, "a version was marked revoked (`revoke`, or its CA's CRL lists it)",
     "`version`, `reason`, `serial`, `revoked_at`, `crl`"},
    {revocation_expected, false,
     "an ACME certificate's renewal window (ARI) ended while the version is still valid (once per version)",
     "`version`, `ari_start`, `ari_end`"},
    {account_registered, true, "the ACME account was registered (or found) at the CA",
     "`directory_url`, `contact`, `account_url`, `status`"},
    {account_key_stored, true, "a new account key was stored before its registration", "as for `account-registered`"},
    {account_imported, true, "`import --from-certbot` took over certbot's account for a CA (none was stored for it)",
     "as for `account-registered`"},
    {account_key_replaced, true, "the key of a retired (deactivated or revoked) account was replaced by a fresh one",
     "as for `account-registered`"},
    {account_refreshed, true, "`account show` stored what the CA says of the account", "as for `account-registered`"},
    {account_rollover_started, true, "`account rollover` stored the new key as pending before asking the CA",
     "as for `account-registered`"},
    {account_rollover_refused, true, "the CA refused the rollover; the old key stays", "as for `account-registered`"},
    {account_rolled_over, true, "the CA accepted the new account key", "as for `account-registered`"},
    {account_rollover_abandoned, true,
     "after an interrupted rollover, the CA still knew the old key, so the pending one was dropped",
     "as for `account-registered`"},
    {account_deactivated, true, "`account deactivate` ended the account at the CA", "as for `account-registered`"},
};

}  // namespace

std::span<const EventKindInfo> event_kinds() { return kKinds; }

bool is_event_kind(std::string_view kind) {
  for (const auto& k : kKinds) {
    if (kind == k.kind) return true;
  }
  return false;
}

}  // namespace certkeeper::store
