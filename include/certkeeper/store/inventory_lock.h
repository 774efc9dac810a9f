// Locks that keep whole operations on one inventory apart (lifecycle names
// them: one renew pass at a time, one worker per certificate, one install
// transaction per certificate, one account change at a time). They are held
// across many transactions, while the operation talks to a CA or a server.
//
// Where the inventory is decides what they are:
// - a SQLite file DB: flock on DB.renew.lock (the lock "renew") or
//   DB.locks/NAME (the directory made 0700), so every process of the host
//   that uses the file meets them;
// - PostgreSQL: a session advisory lock, on a connection of its own that
//   the lock keeps open, so every process on every host that uses the
//   database meets them. A lost connection releases it (the server ends the
//   session); the operation's own transactions then fail as well.
#pragma once

#include <memory>
#include <string>

#include "certkeeper/util/result.h"

namespace certkeeper::store {

class InventoryLock {
 public:
  // Takes the lock `name` of the inventory at `location` (what
  // Inventory::open takes), waiting at most `wait_ms`. Errc::conflict when
  // another holder kept it past the wait; Errc::io or Errc::database when
  // it could not be tried at all.
  static Result<InventoryLock> acquire(const std::string& location, const std::string& name, int wait_ms);

  InventoryLock(InventoryLock&&) noexcept;
  InventoryLock& operator=(InventoryLock&&) noexcept;
  ~InventoryLock();  // releases it

  struct Held;

 private:
  explicit InventoryLock(std::unique_ptr<Held> held);
  std::unique_ptr<Held> held_;
};

}  // namespace certkeeper::store
