// Plain rows of the nodes table (db/sqlite/0010_nodes.sql): the processes of
// a fleet that share one inventory, with their heartbeats (issue 12).
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "certkeeper/util/clock.h"

namespace certkeeper::store {

// What a node says about itself when it beats.
struct NodeBeat {
  std::string name;
  std::string version;  // certkeeper's
  std::string doing;    // "renew pass", "idle", "install NAME", ...
  std::int64_t pid = 0;
};

struct NodeRecord {
  std::string name;
  UnixTime first_seen = 0;
  UnixTime last_seen = 0;
  std::string version;
  std::string doing;
  std::int64_t pid = 0;
  // Its targets, and how many of them serve what they should: the desired
  // version installed, and no failed probe since.
  std::int64_t targets = 0;
  std::int64_t targets_converged = 0;
  std::int64_t targets_failing = 0;  // the last install there rolled back
  // The last beat of its challenge answerer (a daemon; 0: none, or stopped).
  UnixTime answering_at = 0;
  bool known = true;  // false: targets name it, but it has no row (never beat, or removed)
};

// A certificate whose targets on a node do not serve its desired version.
struct Unconverged {
  std::string name;
  int version = 0;  // the desired version
};

}  // namespace certkeeper::store
