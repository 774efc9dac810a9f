// `nodes` and `node remove`: the processes of a fleet that share one
// inventory, as their heartbeats show them (issue 12; DESIGN.md "Many
// hosts"). On SQLite the inventory has one node.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "certkeeper/lifecycle/context.h"
#include "certkeeper/store/node_records.h"
#include "certkeeper/util/result.h"

namespace certkeeper::lifecycle {

// Setting: seconds without a heartbeat after which a node is down.
inline constexpr const char* kNodeDownAfter = "node_down_after";
inline constexpr int kDefaultNodeDownAfter = 600;

struct NodeView {
  store::NodeRecord record;
  // "up": seen within node_down_after; "down": not since; "unknown":
  // targets name it but it has no heartbeat (removed, or never ran).
  std::string status;
  bool self = false;  // this process's node
  // Its daemon answers the fleet's http-01 and tls-alpn-01 challenges: its
  // answerer beat within kAnsweringLiveSeconds (lifecycle/fleet_challenges.h).
  bool answering = false;
};

struct NodesOutcome {
  bool fleet = false;   // a PostgreSQL inventory (else one node)
  std::string self;     // this node
  int down_after = kDefaultNodeDownAfter;
  std::vector<NodeView> nodes;
};

// The setting node_down_after of an open inventory (the default when unset
// or not a number).
int node_down_after(const std::map<std::string, std::string>& settings);

Result<NodesOutcome> list_nodes(const Context& ctx);

// Forgets the node (its targets stay, reported as of an unknown node).
// Errc::not_found for an unknown node; Errc::conflict for one that is up,
// unless `force` (a node that is up writes its row again at its next beat).
Result<store::NodeRecord> remove_node(const Context& ctx, const std::string& name, bool force);

}  // namespace certkeeper::lifecycle
