// certkeeper nodes | node remove N: the nodes of a fleet sharing one
// inventory (issue 12). Node names come from other hosts: printed escaped.
#include <fmt/format.h>

#include "app.h"
#include "certkeeper/lifecycle/nodes.h"
#include "certkeeper/util/clock.h"
#include "certkeeper/util/text.h"

namespace certkeeper::cli {

namespace {

nlohmann::json node_json(const lifecycle::NodeView& v) {
  const auto& r = v.record;
  auto when = [](UnixTime t) { return t ? nlohmann::json(format_utc(t)) : nlohmann::json(); };
  return {{"name", text::to_utf8(r.name)},
          {"status", v.status},
          {"self", v.self},
          {"first_seen", when(r.first_seen)},
          {"last_seen", when(r.last_seen)},
          {"version", text::to_utf8(r.version)},
          {"doing", text::to_utf8(r.doing)},
          {"pid", r.pid},
          {"targets", r.targets},
          {"targets_converged", r.targets_converged},
          {"targets_failing", r.targets_failing},
          {"answering", v.answering},
          {"answering_at", when(r.answering_at)}};
}

std::string nodes_text(const lifecycle::NodesOutcome& o, UnixTime now) {
  if (o.nodes.empty()) {
    return "no node has run a pass yet (each 'certkeeper renew' or 'run' records its node)";
  }
  std::string text = fmt::format("{:<24} {:<8} {:<22} {:>8} {:>10} {:>8}  {}", "NODE", "STATUS", "LAST SEEN",
                                 "TARGETS", "CONVERGED", "FAILING", "DOING");
  for (const auto& v : o.nodes) {
    const auto& r = v.record;
    std::string seen = r.last_seen ? fmt::format("{} ago", format_age(now - r.last_seen)) : "never";
    text += fmt::format("\n{:<24} {:<8} {:<22} {:>8} {:>10} {:>8}  {}{}", text::printable(r.name) + (v.self ? " *" : ""),
                        v.status, seen, r.targets, r.targets_converged, r.targets_failing,
                        text::printable(r.doing.empty() ? "-" : r.doing), v.answering ? " (answers challenges)" : "");
  }
  text += fmt::format("\n* this node; down: not seen for {} s (init --node-down-after)", o.down_after);
  if (!o.fleet) text += "; a SQLite inventory has one node";
  return text;
}

}  // namespace

Command add_nodes(CLI::App& root, Globals& g) {
  auto* app = root.add_subcommand("nodes", "List the nodes sharing this inventory, with their heartbeats");
  return {app, [&g] {
            auto listed = lifecycle::list_nodes(g.context());
            if (!listed) return fail(g, listed.error());
            if (g.json) {
              nlohmann::json nodes = nlohmann::json::array();
              for (const auto& v : listed->nodes) nodes.push_back(node_json(v));
              print_json({{"ok", true},
                          {"fleet", listed->fleet},
                          {"self", text::to_utf8(listed->self)},
                          {"node_down_after", listed->down_after},
                          {"nodes", nodes}});
              return int(kOk);
            }
            out(g, nodes_text(*listed, g.clock.now()));
            return int(kOk);
          }};
}

Command add_node(CLI::App& root, Globals& g) {
  auto* app = root.add_subcommand("node", "Manage the nodes of a fleet (remove)");
  app->require_subcommand(1, 1);
  auto* remove = app->add_subcommand("remove", "Forget a node; its targets stay and are reported as of no known node");
  auto name = std::make_shared<std::string>();
  auto force = std::make_shared<bool>(false);
  remove->add_option("N", *name, "The node's name")->required();
  remove->add_flag("--force", *force, "Also a node that is up (it comes back at its next heartbeat)");
  return {app, [&g, name, force] {
            auto removed = lifecycle::remove_node(g.context(), *name, *force);
            if (!removed) return fail(g, removed.error());
            if (g.json) {
              print_json({{"ok", true},
                          {"node", text::to_utf8(removed->name)},
                          {"last_seen", format_utc(removed->last_seen)},
                          {"targets", removed->targets}});
            } else {
              out(g, fmt::format("{}: removed (last seen {}); {} stay in the inventory{}", text::printable(removed->name),
                                 format_utc(removed->last_seen), plural(static_cast<std::size_t>(removed->targets), "target"),
                                 removed->targets ? ": 'certkeeper target remove NAME --dir D --node N' forgets them" : ""));
            }
            return int(kOk);
          }};
}

}  // namespace certkeeper::cli
