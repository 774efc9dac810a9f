// Private to lifecycle: the lease that lets one process talk to the CA for a
// certificate (store/lease_records.h; issue 12, "One node talks to the CA").
// Taken before an order is placed or resumed, renewed while it runs, checked
// by the transaction that stores its certificate (the fence), released at
// the end. It replaces the certificate's run lock for issuance on both
// backends: a process stopped with SIGSTOP keeps a flock or a PostgreSQL
// session advisory lock for ever, but its lease expires, so another process
// (or node) takes over and resumes the same order.
#pragma once

#include <atomic>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>

#include "certkeeper/lifecycle/context.h"
#include "certkeeper/lifecycle/init.h"
#include "certkeeper/store/inventory.h"

namespace certkeeper::lifecycle::detail {

// The setting lease_seconds: how long a lease lasts unless renewed (default
// 120, at least 5). Renewed every third of it, so a holder keeps it through
// two failed renewals; a stopped or dead holder loses it after at most this.
inline constexpr const char* kLeaseSecondsSetting = kLeaseSeconds;  // init.h
inline constexpr int kDefaultLeaseSeconds = 120;
inline constexpr int kMinLeaseSeconds = 5;
int lease_seconds(store::Inventory& inv);

class CaLease {
 public:
  // Takes the lease of `name` for this process (holder "NODE/PID/RANDOM",
  // new at each acquisition), on the inventory `inv`. While another
  // holder's lease is current it polls once a second for at most `wait_ms`
  // (0: not at all), after saying so on stderr; then the holder's
  // Errc::conflict (cause type store::kLeaseHeld). `waited` tells whether it
  // had to wait. The renewer runs on a connection of its own from here on.
  static Result<std::unique_ptr<CaLease>> take(const Context& ctx, store::Inventory& inv, const std::string& name,
                                               int wait_ms, bool* waited = nullptr);
  CaLease(const CaLease&) = delete;
  CaLease& operator=(const CaLease&) = delete;
  ~CaLease();  // stops the renewer and releases the lease

  const store::LeaseHandle& handle() const { return handle_; }
  const store::LeaseGrant& grant() const { return grant_; }
  // Renews the lease now on `inv` (the caller's connection): before each
  // step that changes something at the CA, so a holder that was stopped
  // past its lease stops there. Errc::conflict (store::kLeaseLost) when the
  // lease expired or passed to another.
  Status confirm(store::Inventory& inv);

 private:
  CaLease(const Context& ctx, std::string name, store::Inventory own, store::LeaseGrant grant, int seconds);
  void renew_loop();

  const Context& ctx_;
  std::string name_;
  store::Inventory own_;  // the renewer's connection, then the release's
  store::LeaseGrant grant_;
  store::LeaseHandle handle_;
  int seconds_;
  std::mutex mutex_;
  std::condition_variable wake_;
  bool stopping_ = false;
  std::thread renewer_;
};

}  // namespace certkeeper::lifecycle::detail
