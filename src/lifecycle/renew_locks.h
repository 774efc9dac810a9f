// Private to lifecycle: the locks that keep whole operations apart (see
// store/inventory_lock.h for what they are on each backend): two scheduler
// passes never overlap, two workers (or a worker and `issue`) never order
// one certificate at once, two install transactions of one certificate
// never overlap, two registrations of one account never overlap.
#pragma once

#include <string>

#include "certkeeper/lifecycle/context.h"
#include "certkeeper/store/inventory_lock.h"
#include "certkeeper/util/result.h"

namespace certkeeper::lifecycle::detail {

using RunLock = store::InventoryLock;

// Whose run the per-node locks (pass_lock, install_lock) keep apart: this
// node's in a fleet, whose nodes run passes and install their own targets
// side by side; "" on SQLite (one node: the lock files as always).
std::string lock_node(const Context& ctx);

// "renew@NODE": one pass at a time on each node of a PostgreSQL inventory;
// "renew" (node ""): one pass at a time, the SQLite file's. Nodes run their
// passes side by side; the certificates' leases decide which one talks to
// the CA for each certificate (ca_lease.h).
std::string pass_lock(const std::string& node);
// NAME: one worker per certificate.
std::string certificate_lock(const std::string& name);
// NAME@install: one install transaction per certificate ('@' is not
// allowed in a name, so this never meets a certificate's own lock); in a
// fleet NAME@install@NODE: one per certificate and node, since each node
// installs only its own targets (the nodes of a fleet install side by
// side; `node` "" on SQLite, one node).
std::string install_lock(const std::string& name, const std::string& node);
// @accounts: one change of an ACME account row at a time (registration, a
// retired account's replacement, a rollover's settling).
std::string account_lock();

// Takes the lock `lock` of the inventory `location` at once, or says on
// stderr that `waiting_for` holds it (nothing when "") and waits (at most
// `wait_ms`). Errc::conflict after the wait, with `busy_message` about
// `subject`.
Result<RunLock> acquire_or_wait(const std::string& location, const std::string& lock, int wait_ms,
                                const std::string& subject, const std::string& waiting_for,
                                const std::string& busy_message);

}  // namespace certkeeper::lifecycle::detail
