// `target add|list|remove`.
#include "certkeeper/lifecycle/targets.h"

#include <grp.h>
#include <pwd.h>

#include <filesystem>

#include "certkeeper/deploy/reload.h"
#include "certkeeper/deploy/target_dir.h"
#include "certkeeper/store/inventory.h"
#include "target_spec.h"

namespace certkeeper::lifecycle {

namespace {

Result<mode_t> parse_mode(const std::string& text) {
  if (text.empty() || text.size() > 4 || text.find_first_not_of("01234567") != std::string::npos) {
    return make_error(Errc::usage, "--mode must be an octal mode such as 0600 or 0640", text);
  }
  mode_t mode = static_cast<mode_t>(std::stoul(text, nullptr, 8));
  if (auto ok = deploy::check_key_mode(mode); !ok) return ok.error();
  return mode;
}

Result<deploy::TargetSpec> spec_from(const TargetRequest& r) {
  deploy::TargetSpec spec;
  std::filesystem::path dir(r.dir);
  if (r.dir.empty() || !dir.is_absolute()) {
    return make_error(Errc::usage, "--dir must be an absolute path", r.dir);
  }
  spec.dir = dir.lexically_normal().string();
  if (spec.dir.size() > 1 && spec.dir.back() == '/') spec.dir.pop_back();
  auto layout = deploy::parse_layout(r.layout);
  if (!layout) return layout.error();
  spec.layout = *layout;
  spec.include_root = r.include_root;
  if (!r.owner.empty() && ::getpwnam(r.owner.c_str()) == nullptr) {
    return make_error(Errc::usage, "--owner is not a user on this host", r.owner);
  }
  if (!r.group.empty() && ::getgrnam(r.group.c_str()) == nullptr) {
    return make_error(Errc::usage, "--group is not a group on this host", r.group);
  }
  spec.owner = r.owner;
  spec.group = r.group;
  auto mode = parse_mode(r.mode);
  if (!mode) return mode.error();
  spec.key_mode = *mode;
  if (r.reload_timeout_seconds < 1 || r.reload_timeout_seconds > 3600) {
    return make_error(Errc::usage, "--reload-timeout must be 1 to 3600 seconds");
  }
  for (const auto& line : r.reload) {
    auto argv = deploy::split_command(line);
    if (!argv) return make_error(Errc::usage, "--reload: " + argv.error().message);
    spec.reload.push_back({*argv, std::chrono::seconds(r.reload_timeout_seconds)});
  }
  for (const auto& text : r.probes) {
    auto probe = deploy::parse_probe(text);
    if (!probe) return make_error(Errc::usage, "--probe: " + probe.error().message);
    spec.probes.push_back(*probe);
  }
  return spec;
}

// A SQLite inventory has one node: a target of another is a mistake.
Status one_node_only(const Context& ctx, const std::string& node) {
  if (is_fleet_inventory(ctx.db_path) || node == ctx.node_name()) return {};
  return make_error(Errc::usage,
                    "--node " + node + " names another node, but a SQLite inventory has one node (this one, " +
                        ctx.node_name() + "); several nodes share a PostgreSQL inventory (docs/manual/fleet.md)",
                    ctx.db_path);
}

Result<TargetView> view_of(const store::TargetRecord& r) {
  auto spec = detail::spec_of(r);
  if (!spec) return spec.error();
  TargetView view;
  view.certificate_name = r.certificate_name;
  view.spec = *spec;
  view.installed_version = r.installed_version;
  view.pending_version = r.pending_version;
  view.node = r.node;
  view.installed_at = r.installed_at;
  view.probe_ok = r.probe_ok;
  view.probe_detail = r.probe_detail;
  view.probed_at = r.probed_at;
  view.failed_version = r.failed_version;
  return view;
}

}  // namespace

Result<TargetView> add_target(const Context& ctx, const TargetRequest& request) {
  if (auto ok = check_certificate_name(request.name); !ok) return ok.error();
  auto spec = spec_from(request);
  if (!spec) return spec.error();
  const std::string node = request.node.empty() ? ctx.node_name() : request.node;
  if (auto ok = check_node_name(node); !ok) return ok.error();
  if (auto ok = one_node_only(ctx, node); !ok) return ok.error();
  // An unsafe directory or reload program is refused now, not only at the
  // first install (install checks again: they may change in between). Only
  // this node can look at its own files.
  if (node == ctx.node_name()) {
    if (auto state = deploy::inspect(*spec); !state) return state.error();
    for (const auto& command : spec->reload) {
      if (auto ok = deploy::check_reload_program(command); !ok) return ok.error();
    }
  }
  auto inv = ctx.inventory(store::OpenMode::existing);
  if (!inv) return inv.error();
  if (auto def = inv->find_certificate(request.name); def && *def && (*def)->source == "remote") {
    return make_error(Errc::usage,
                      "is a remote endpoint certkeeper only watches; it has no key to install", request.name);
  }
  auto before = inv->targets(request.name);
  if (!before) return before.error();
  bool created = true;
  const bool one_node = !is_fleet_inventory(ctx.db_path);  // SQLite: the directory alone names a target
  for (const auto& t : *before) created = created && !(t.dir == spec->dir && (one_node || t.node == node));
  auto record = detail::record_of(request.name, *spec);
  record.node = node;
  auto saved = inv->save_target(record, ctx.actor, ctx.now());
  if (!saved) return saved.error();
  auto view = view_of(*saved);
  if (!view) return view.error();
  view->created = created;
  return view;
}

Result<std::vector<TargetView>> list_targets(const Context& ctx, const std::string& name) {
  auto inv = ctx.inventory(store::OpenMode::existing);
  if (!inv) return inv.error();
  auto cert = inv->find_certificate(name);
  if (!cert) return cert.error();
  if (!*cert) return make_error(Errc::not_found, "no such certificate; 'certkeeper list' shows the names", name);
  auto rows = inv->targets(name);
  if (!rows) return rows.error();
  std::vector<TargetView> out;
  for (const auto& r : *rows) {
    auto view = view_of(r);
    if (!view) return view.error();
    out.push_back(std::move(*view));
  }
  return out;
}

Status remove_target(const Context& ctx, const std::string& name, const std::string& dir, const std::string& node) {
  const std::string on = node.empty() ? ctx.node_name() : node;
  if (auto ok = check_node_name(on); !ok) return ok.error();
  if (auto ok = one_node_only(ctx, on); !ok) return ok.error();
  auto inv = ctx.inventory(store::OpenMode::existing);
  if (!inv) return inv.error();
  std::string normal = std::filesystem::path(dir).lexically_normal().string();
  if (normal.size() > 1 && normal.back() == '/') normal.pop_back();
  return inv->remove_target(name, on, normal, ctx.actor, ctx.now());
}

}  // namespace certkeeper::lifecycle
