// Changes that other processes commit to a shared inventory, as they
// commit them: a new version, a target added, a pin (PostgreSQL
// LISTEN/NOTIFY on the channel "certkeeper"), and a fleet's challenges on a
// channel of their own; the store sends them in the changing transaction,
// so they arrive only if it commits. A daemon waits on fd()
// besides its timer and signals, so a new version reaches every node in
// seconds. Notifications are a hint: a lost one is made up by the next
// timed pass, which reads everything again.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "certkeeper/util/result.h"

namespace certkeeper::store {

// Work for a node's pass: "version NAME N", "target NAME NODE", "pin NAME
// N", "unpin NAME".
inline constexpr char kNotifyChannel[] = "certkeeper";
// Work for the challenge answerers (lifecycle/fleet_challenges.h), which
// no pass needs to wake for: "challenge NAME", "ack NAME",
// "challenge-done NAME".
inline constexpr char kChallengeChannel[] = "certkeeper_challenges";

class InventoryWatch {
 public:
  // Connects to the PostgreSQL inventory at `location` on a connection of
  // its own and listens on `channel`. Errc::usage for a SQLite file (one host: nothing
  // to wait for); Errc::database when the server cannot be reached.
  static Result<InventoryWatch> open(const std::string& location, const char* channel = kNotifyChannel);

  InventoryWatch(InventoryWatch&&) noexcept;
  InventoryWatch& operator=(InventoryWatch&&) noexcept;
  ~InventoryWatch();

  // Readable when something arrived (or the connection ended).
  int fd() const;
  // The payloads received since the last call, without waiting.
  // Errc::database when the connection was lost: open a new watch.
  Result<std::vector<std::string>> take();

  struct Held;

 private:
  explicit InventoryWatch(std::unique_ptr<Held> held);
  std::unique_ptr<Held> held_;
};

}  // namespace certkeeper::store
