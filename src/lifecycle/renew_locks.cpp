#include "renew_locks.h"

#include <fmt/format.h>

#include "certkeeper/util/log.h"

namespace certkeeper::lifecycle::detail {

std::string lock_node(const Context& ctx) { return is_fleet_inventory(ctx.db_path) ? ctx.node_name() : ""; }

std::string pass_lock(const std::string& node) { return node.empty() ? "renew" : "renew@" + node; }
std::string certificate_lock(const std::string& name) { return name; }
std::string install_lock(const std::string& name, const std::string& node) {
  return node.empty() ? name + "@install" : name + "@install@" + node;
}
std::string account_lock() { return "@accounts"; }

Result<RunLock> acquire_or_wait(const std::string& location, const std::string& lock, int wait_ms,
                                const std::string& subject, const std::string& waiting_for,
                                const std::string& busy_message) {
  auto now = RunLock::acquire(location, lock, 0);
  if (now || now.error().code != Errc::conflict) return now;
  if (!waiting_for.empty()) {
    log::warn(fmt::format("certkeeper: {}: {}; waiting for it (at most {} s)", subject, waiting_for, wait_ms / 1000));
  }
  auto later = RunLock::acquire(location, lock, wait_ms);
  if (later || later.error().code != Errc::conflict) return later;
  return make_error(Errc::conflict, busy_message, subject);
}

}  // namespace certkeeper::lifecycle::detail
