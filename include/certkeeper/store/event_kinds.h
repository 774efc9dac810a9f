// The kinds of event the inventory's audit log holds (`history NAME`), in one
// table: every event is written under one of these names (the store refuses
// any other), and the reference documentation prints the table, so the two
// cannot differ. The names are stable: reports and scripts read them.
#pragma once

#include <span>
#include <string_view>

namespace certkeeper::store {

namespace event {
// The inventory's settings (global: no certificate).
inline constexpr char settings_changed[] = "settings-changed";
// Private keys at rest (global): encrypted, or re-encrypted under a new key file.
inline constexpr char keys_encrypted[] = "keys-encrypted";
inline constexpr char keys_rotated[] = "keys-rotated";
// The inventory was copied here from another database (global; db copy).
inline constexpr char inventory_copied[] = "inventory-copied";
// A fleet's nodes (global): `node remove` forgot one.
inline constexpr char node_removed[] = "node-removed";
// Definitions and versions.
inline constexpr char created[] = "created";
inline constexpr char defined[] = "defined";
inline constexpr char redefined[] = "redefined";
inline constexpr char imported[] = "imported";
inline constexpr char migrated[] = "migrated";
inline constexpr char order_opened[] = "order-opened";
inline constexpr char order_abandoned[] = "order-abandoned";
inline constexpr char issued[] = "issued";
inline constexpr char issue_attempt[] = "issue-attempt";
inline constexpr char issue_failed[] = "issue-failed";
// Leases (who talks to the CA): an expired holder was replaced.
inline constexpr char lease_taken_over[] = "lease-taken-over";
inline constexpr char observed[] = "observed";
inline constexpr char endpoint_unreachable[] = "endpoint-unreachable";
inline constexpr char endpoint_reachable[] = "endpoint-reachable";
inline constexpr char exported[] = "exported";
// Targets and installs.
inline constexpr char target_added[] = "target-added";
inline constexpr char target_changed[] = "target-changed";
inline constexpr char target_removed[] = "target-removed";
inline constexpr char target_adopted[] = "target-adopted";
inline constexpr char installed[] = "installed";
inline constexpr char rolled_back[] = "rolled-back";
inline constexpr char install_rolled_back[] = "install-rolled-back";
inline constexpr char install_failed[] = "install-failed";
inline constexpr char install_reconciled[] = "install-reconciled";
// The desired version (issue 12): an older version pinned, the pin cleared
// by hand, or ended by a new version.
inline constexpr char pinned[] = "pinned";
inline constexpr char unpinned[] = "unpinned";
inline constexpr char pin_ended[] = "pin-ended";
// Revocation.
inline constexpr char revoked[] = "revoked";
inline constexpr char revocation_expected[] = "revocation-expected";
// The ACME account (global: no certificate).
inline constexpr char account_registered[] = "account-registered";
inline constexpr char account_key_stored[] = "account-key-stored";
inline constexpr char account_imported[] = "account-imported";
inline constexpr char account_key_replaced[] = "account-key-replaced";
inline constexpr char account_refreshed[] = "account-refreshed";
inline constexpr char account_rollover_started[] = "account-rollover-started";
inline constexpr char account_rollover_refused[] = "account-rollover-refused";
inline constexpr char account_rolled_over[] = "account-rolled-over";
inline constexpr char account_rollover_abandoned[] = "account-rollover-abandoned";
inline constexpr char account_deactivated[] = "account-deactivated";
}  // namespace event

struct EventKindInfo {
  const char* kind;      // one of the names above
  bool global;           // about the inventory or the ACME account, not a certificate: not in `history NAME`
  const char* when;      // when it is written (one sentence)
  const char* detail;    // what its detail object holds
};

// Every kind, in the order of the reference table.
std::span<const EventKindInfo> event_kinds();
bool is_event_kind(std::string_view kind);

}  // namespace certkeeper::store
