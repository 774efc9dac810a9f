#include "certkeeper/lifecycle/nodes.h"

#include <fmt/format.h>

#include "certkeeper/lifecycle/fleet_challenges.h"
#include "certkeeper/store/inventory.h"
#include "certkeeper/util/clock.h"
#include "int_setting.h"

namespace certkeeper::lifecycle {

int node_down_after(const std::map<std::string, std::string>& settings) {
  return detail::int_setting(settings, kNodeDownAfter, kDefaultNodeDownAfter, 1);
}

namespace {

std::string status_of(const store::NodeRecord& r, UnixTime now, int down_after) {
  if (!r.known) return "unknown";
  return now - r.last_seen > down_after ? "down" : "up";
}

}  // namespace

Result<NodesOutcome> list_nodes(const Context& ctx) {
  auto inv = ctx.inventory(store::OpenMode::read_only);
  if (!inv) return std::move(inv).error();
  auto settings = inv->settings();
  if (!settings) return std::move(settings).error();
  auto rows = inv->nodes();
  if (!rows) return std::move(rows).error();
  NodesOutcome out;
  out.fleet = is_fleet_inventory(ctx.db_path);
  out.self = ctx.node_name();
  out.down_after = node_down_after(*settings);
  for (auto& r : *rows) {
    NodeView v;
    v.status = status_of(r, ctx.now(), out.down_after);
    v.self = r.name == out.self;
    v.answering = r.answering_at != 0 && r.answering_at >= ctx.now() - kAnsweringLiveSeconds;
    v.record = std::move(r);
    out.nodes.push_back(std::move(v));
  }
  return out;
}

Result<store::NodeRecord> remove_node(const Context& ctx, const std::string& name, bool force) {
  if (auto ok = check_node_name(name); !ok) return std::move(ok).error();
  auto inv = ctx.inventory(store::OpenMode::existing);
  if (!inv) return std::move(inv).error();
  if (!force) {
    // Decided on what the inventory says now; the removal itself finds the
    // row again in its transaction.
    auto settings = inv->settings();
    if (!settings) return std::move(settings).error();
    auto rows = inv->nodes();
    if (!rows) return std::move(rows).error();
    for (const auto& r : *rows) {
      if (r.name != name || !r.known) continue;
      if (status_of(r, ctx.now(), node_down_after(*settings)) == "up") {
        return make_error(Errc::conflict,
                          fmt::format("is up (last seen {}, {}); stop certkeeper there first, or add --force (it "
                                      "comes back at its next heartbeat)",
                                      format_utc(r.last_seen), r.doing.empty() ? "idle" : r.doing),
                          name);
      }
    }
  }
  return inv->remove_node(name, ctx.actor, ctx.now());
}

}  // namespace certkeeper::lifecycle
