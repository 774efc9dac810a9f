// `install` and `rollback`: one transaction over every target of a
// certificate (DESIGN.md "The spine"): reconcile -> stage -> journal ->
// switch -> reload -> probe -> commit, or switch back -> reload -> record.
#include "certkeeper/lifecycle/install.h"

#include <map>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "certkeeper/deploy/file_set.h"
#include "certkeeper/deploy/reload.h"
#include "certkeeper/deploy/target_dir.h"
#include "certkeeper/store/event_kinds.h"
#include "certkeeper/store/inventory.h"
#include "certkeeper/util/crash_point.h"
#include "certkeeper/util/log.h"
#include "converge.h"
#include "install_steps.h"
#include "renew_locks.h"
#include "target_spec.h"

namespace certkeeper::lifecycle {

namespace {

// How long an install waits for another install of the same certificate:
// a transaction runs reload commands (60 s each by default) and probes.
constexpr int kInstallLockWaitMs = 120'000;

struct Loaded {
  std::optional<detail::RunLock> lock;  // held for the whole transaction
  store::Inventory inv;
  store::CertificateRecord cert;
  std::vector<store::TargetRecord> records;
  std::vector<deploy::TargetSpec> specs;
  std::vector<store::VersionRecord> versions;  // without keys
  int keep = kDefaultKeepVersions;
};

// One install transaction per certificate at a time (install, rollback,
// import --install, the scheduler's): unless it only plans (`lock` false),
// the lock is taken first and everything the transaction decides on (the
// journal, what is installed, the targets, the versions) is read after it.
// A run that read the journal before waiting would take the run it waited
// for as interrupted and undo its committed install.
Result<Loaded> load(const Context& ctx, const std::string& name, bool lock) {
  if (auto ok = check_certificate_name(name); !ok) return ok.error();
  auto inv = ctx.inventory(store::OpenMode::existing);
  if (!inv) return inv.error();
  std::optional<detail::RunLock> held;
  if (lock) {
    auto taken = detail::acquire_or_wait(ctx.db_path, detail::install_lock(name, detail::lock_node(ctx)), kInstallLockWaitMs, name,
                                         "another certkeeper is installing this certificate",
                                         "another certkeeper is still installing this certificate; run this again "
                                         "when it has finished");
    if (!taken) return taken.error();
    held.emplace(std::move(*taken));
  }
  auto cert = inv->find_certificate(name);
  if (!cert) return cert.error();
  if (!*cert) return make_error(Errc::not_found, "no such certificate; 'certkeeper list' shows the names", name);
  // This node's targets: every node installs its own (on SQLite, all).
  auto records = inv->node_targets(name, ctx.node_name());
  if (!records) return records.error();
  if (records->empty()) {
    return make_error(Errc::not_found,
                      (is_fleet_inventory(ctx.db_path) ? "has no install targets on node " + ctx.node_name()
                                                                   : std::string("has no install targets")) +
                          "; add one with 'certkeeper target add " + name + " --dir DIR'",
                      name);
  }
  std::vector<deploy::TargetSpec> specs;
  for (const auto& r : *records) {
    auto spec = detail::spec_of(r);
    if (!spec) return spec.error();
    specs.push_back(std::move(*spec));
  }
  auto versions = inv->versions(name);
  if (!versions) return versions.error();
  int keep = kDefaultKeepVersions;
  if (auto s = inv->setting(kKeepVersions); s && *s) keep = std::max(1, std::atoi((*s)->c_str()));
  return Loaded{std::move(held),     std::move(*inv),     std::move(**cert), std::move(*records),
                std::move(specs),    std::move(*versions), keep};
}

const store::VersionRecord* find_version(const Loaded& l, int version) {
  for (const auto& v : l.versions) {
    if (v.version == version) return &v;
  }
  return nullptr;
}

// An expired, not yet valid or revoked version goes live only with --force.
Status check_installable(const Context& ctx, const store::VersionRecord& v, bool force, const std::string& name) {
  if (force) return {};
  std::string why;
  if (v.revoked_at) {
    why = "was revoked";
  } else if (v.not_after <= ctx.now()) {
    why = "expired on " + format_utc(v.not_after);
  } else if (v.not_before > ctx.now()) {
    why = "is not valid before " + format_utc(v.not_before);
  }
  if (why.empty()) return {};
  return make_error(Errc::rejected,
                    fmt::format("version {} {}; add --force to install it anyway", v.version, why), name);
}

std::vector<TargetStep> plan_targets(const Loaded& l) {
  std::vector<TargetStep> steps;
  for (std::size_t i = 0; i < l.specs.size(); ++i) {
    const auto& spec = l.specs[i];
    TargetStep step;
    step.dir = spec.dir;
    step.layout = deploy::layout_name(spec.layout);
    step.from_version = l.records[i].installed_version;
    // Contents are not needed for a plan: render with empty material.
    for (const auto& f : deploy::render_files(spec, deploy::Material{})) {
      step.files.push_back({spec.dir + "/" + f.name, static_cast<unsigned>(f.mode), spec.owner, spec.group, f.secret});
    }
    for (const auto& p : spec.probes) step.probes.push_back(deploy::probe_text(p));
    steps.push_back(std::move(step));
  }
  return steps;
}

deploy::Material material_of(const store::VersionRecord& v) {
  return deploy::Material{v.leaf_pem, v.chain_pem, v.root_pem, v.key_pem};
}

// The set of `version` to go back to: an existing one on disk, else written
// anew from the inventory (it may have been pruned). No version: the files
// adopted at the first install, if there were any, else nothing.
Result<std::optional<deploy::SetName>> set_for(deploy::TargetDir& dir, store::Inventory& inv,
                                               const deploy::TargetSpec& spec, const std::string& name,
                                               std::optional<int> version) {
  const auto& state = dir.state();
  if (!version) {
    for (auto it = state.sets.rbegin(); it != state.sets.rend(); ++it) {
      if (it->version == 0) return std::optional<deploy::SetName>{*it};
    }
    return std::optional<deploy::SetName>{};
  }
  if (state.live && state.live->version == *version) return std::optional<deploy::SetName>{state.live};
  for (auto it = state.sets.rbegin(); it != state.sets.rend(); ++it) {
    if (it->version == *version) return std::optional<deploy::SetName>{*it};
  }
  if (*version == 0) return std::optional<deploy::SetName>{};
  auto v = inv.version_with_key(name, *version);
  if (!v) return v.error();
  auto set = dir.stage(*version, deploy::render_files(spec, material_of(*v)));
  if (!set) return set.error();
  return std::optional<deploy::SetName>{*set};
}

// Start of every transaction: temporaries of a killed run are removed, and a
// journal entry left pending means the run died between switch and commit:
// the files go back to the last verified version and the services are
// reloaded, so disk, services and database agree again.
Status reconcile(const Context& ctx, Loaded& l, std::vector<deploy::TargetDir>& dirs, const std::string& name,
                 std::vector<std::string>& notes) {
  std::vector<deploy::TargetSpec> switched;
  std::vector<store::TargetOutcome> outcomes;
  nlohmann::json detail = nlohmann::json::array();
  for (std::size_t i = 0; i < dirs.size(); ++i) {
    auto removed = dirs[i].remove_temporaries();
    if (!removed) return removed.error();
    for (const auto& path : *removed) notes.push_back("removed " + path + ", left by an interrupted run");
    auto& record = l.records[i];
    auto live = dirs[i].state().live;
    std::optional<int> on_disk = live ? std::optional<int>(live->version) : std::nullopt;
    // Version 0 is the operator's own files, adopted by a first install that
    // was stopped before its journal entry: nothing certkeeper installed yet.
    if (on_disk == 0 && !record.installed_version) on_disk.reset();
    if (!record.pending_version && on_disk == record.installed_version) continue;
    if (record.pending_version) {
      auto set = set_for(dirs[i], l.inv, l.specs[i], name, record.installed_version);
      if (!set) return set.error();
      bool differs = (live ? live->name : "") != (*set ? (*set)->name : "");
      if (differs) {
        if (auto ok = dirs[i].switch_to(*set); !ok) return ok;
        switched.push_back(l.specs[i]);
      }
      notes.push_back(fmt::format("{}: an install of version {} was interrupted; {}", l.specs[i].dir,
                                  *record.pending_version,
                                  record.installed_version
                                      ? fmt::format("version {} is live again", *record.installed_version)
                                      : std::string("the previous files are back")));
      detail.push_back({{"dir", l.specs[i].dir},
                        {"interrupted_version", *record.pending_version},
                        {"restored_version", record.installed_version ? nlohmann::json(*record.installed_version)
                                                                      : nlohmann::json(nullptr)}});
      outcomes.push_back({record.id, record.installed_version, std::nullopt, false, ""});
    } else {
      // No transaction in flight, yet the disk differs: someone changed the
      // directory by hand. The disk is what services read, so it wins.
      notes.push_back(fmt::format("{}: the files on disk are version {}, the inventory said {}; recorded the disk",
                                  l.specs[i].dir, on_disk ? std::to_string(*on_disk) : "none",
                                  record.installed_version ? std::to_string(*record.installed_version) : "none"));
      detail.push_back({{"dir", l.specs[i].dir},
                        {"disk_version", on_disk ? nlohmann::json(*on_disk) : nlohmann::json(nullptr)}});
      outcomes.push_back({record.id, on_disk, std::nullopt, false, ""});
    }
    record.installed_version = outcomes.back().installed_version;
    record.pending_version.reset();
  }
  if (outcomes.empty()) return {};
  std::vector<CommandStep> reloads;
  if (auto reloaded = switched.empty() ? Status{} : detail::run_reloads(switched, reloads); !reloaded) {
    notes.push_back("after restoring: " + reloaded.error().message);
  }
  return l.inv.finish_install(name, outcomes, store::event::install_reconciled,
                              nlohmann::json{{"targets", detail}}.dump(),
                              ctx.actor, ctx.now());
}

// The sets retention must keep besides the live one: the set that was live
// before this install, and the newest set of the version a plain
// `rollback` would pick (the newest stored version older than `version`).
std::vector<std::string> restorable_sets(const deploy::DirState& state, const std::optional<deploy::SetName>& before,
                                         const std::vector<store::VersionRecord>& versions, int version) {
  std::vector<std::string> out;
  if (before) out.push_back(before->name);
  int target = 0;
  for (const auto& v : versions) {
    if (v.version < version && v.version > target) target = v.version;
  }
  const deploy::SetName* newest = nullptr;
  for (const auto& s : state.sets) {
    if (s.version == target && target > 0 && (!newest || s.number > newest->number)) newest = &s;
  }
  if (newest) out.push_back(newest->name);
  return out;
}

nlohmann::json steps_json(const std::vector<CommandStep>& steps) {
  nlohmann::json out = nlohmann::json::array();
  for (const auto& s : steps) out.push_back({{"command", s.command}, {"ok", s.ok}, {"detail", s.detail}});
  return out;
}

nlohmann::json probes_json(const std::vector<ProbeStep>& steps) {
  nlohmann::json out = nlohmann::json::array();
  for (const auto& s : steps) {
    out.push_back({{"endpoint", s.endpoint}, {"ok", s.ok}, {"served_sha256", s.served_fingerprint}, {"detail", s.detail}});
  }
  return out;
}

// The pin as the committed transaction left it (read again: decided in the
// store against the newest version stored by then).
std::optional<int> pin_after(Loaded& l, const std::string& name) {
  auto now = l.inv.find_certificate(name);
  if (!now || !*now) return std::nullopt;
  return (*now)->pinned_version;
}

// `pin`: what the transaction's outcome does to the desired version. An
// operator's install or rollback makes the version it installs the desired
// one (pinned when older than the newest, the pin cleared when the newest),
// recorded with the outcome, installed or switched back: the operator asked
// for that version, and in a fleet one node's failed probe must not undo the
// decision for the others (issue 12); the report then shows the targets
// behind their desired version. A transaction stopped by an error before
// switching (an unknown version, a file that cannot be written) changes no
// pin.
Result<InstallOutcome> transact(const Context& ctx, Loaded& l, const std::string& name, int version,
                                const InstallRequest& request, bool is_rollback, const store::PinRequest& pin) {
  const store::VersionRecord* meta = find_version(l, version);
  if (meta == nullptr) {
    return make_error(Errc::not_found,
                      fmt::format("has no version {}; 'certkeeper history {}' lists the versions", version, name), name);
  }
  if (auto ok = check_installable(ctx, *meta, request.force, name); !ok) return ok.error();
  // A reload program someone else could change is refused before anything
  // is written (run_reload checks again right before it runs).
  for (const auto& spec : l.specs) {
    for (const auto& command : spec.reload) {
      if (auto ok = deploy::check_reload_program(command); !ok) return ok.error();
    }
  }

  InstallOutcome out;
  out.name = name;
  out.version = version;
  out.fingerprint = meta->fingerprint_sha256;
  out.not_after = meta->not_after;
  out.dry_run = request.dry_run;
  out.previous_version = l.records.front().installed_version;
  if (out.previous_version) {
    if (const auto* prev = find_version(l, *out.previous_version)) {
      out.previous_fingerprint = prev->fingerprint_sha256;
      out.previous_not_after = prev->not_after;
    }
  }
  out.targets = plan_targets(l);
  if (request.dry_run) {
    out.pinned_version = l.cert.pinned_version;
    if (pin.change) {
      const bool newest = !l.cert.current_version || version >= *l.cert.current_version;
      out.pinned_version = newest ? std::nullopt : std::optional<int>(version);
    }
    for (std::size_t i = 0; i < l.specs.size(); ++i) {
      auto state = deploy::inspect(l.specs[i]);  // refuses an unsafe directory, writes nothing
      if (!state) return state.error();
      if (!state->live) out.targets[i].adopted = state->adoptable;
    }
    for (const auto& spec : l.specs) {
      for (const auto& c : spec.reload) {
        CommandStep step{deploy::command_text(c.argv), false, false, ""};
        bool seen = false;
        for (const auto& s : out.reloads) seen = seen || s.command == step.command;
        if (!seen) out.reloads.push_back(step);
      }
    }
    return out;
  }

  // Every directory is checked and locked before anything is written.
  std::vector<deploy::TargetDir> dirs;
  for (const auto& spec : l.specs) {
    auto dir = deploy::TargetDir::open(spec);
    if (!dir) return dir.error();
    dirs.push_back(std::move(*dir));
  }
  if (auto ok = reconcile(ctx, l, dirs, name, out.reconciled); !ok) return ok.error();
  out.previous_version = l.records.front().installed_version;

  auto keyed = l.inv.version_with_key(name, version);
  if (!keyed) return keyed.error();

  // Stage: the new sets exist beside the live ones; nothing visible changed.
  std::vector<std::optional<deploy::SetName>> previous(dirs.size());
  std::vector<deploy::SetName> staged;
  std::vector<std::int64_t> ids;
  for (std::size_t i = 0; i < dirs.size(); ++i) {
    auto adopted = dirs[i].adopt_existing();
    if (!adopted) return adopted.error();
    if (*adopted) out.targets[i].adopted = {(*adopted)->name};
    previous[i] = dirs[i].state().live;
    auto set = dirs[i].stage(version, deploy::render_files(l.specs[i], material_of(*keyed)));
    if (!set) {
      Error failed = set.error();
      auto recorded = l.inv.record_event(name, store::event::install_failed,
                                         nlohmann::json{{"version", version}, {"reason", failed.what()}}.dump(),
                                         ctx.actor, ctx.now());
      if (!recorded) failed.message += "; nor could it be recorded: " + recorded.error().what();
      return failed;
    }
    staged.push_back(*set);
    ids.push_back(l.records[i].id);
  }
  crash_point("staged");

  // The journal first, then the switch: a run killed after this point is
  // undone by the next one (reconcile).
  if (auto ok = l.inv.set_pending(ids, version); !ok) return ok.error();
  crash_point("journaled");

  std::string failure;
  std::size_t switched = 0;
  for (; switched < dirs.size(); ++switched) {
    if (auto ok = dirs[switched].switch_to(staged[switched]); !ok) {
      failure = ok.error().what();
      break;
    }
  }
  crash_point("switched");

  Status step = failure.empty() ? detail::run_reloads(l.specs, out.reloads) : make_error(Errc::io, failure);
  crash_point("reloaded");
  if (step) step = detail::run_probes(l.specs, *meta, request.probe_wait, out.probes);
  const bool ok = step.has_value();
  if (!ok) failure = step.error().message;

  std::vector<store::TargetOutcome> outcomes;
  if (ok) {
    for (std::size_t i = 0; i < dirs.size(); ++i) {
      outcomes.push_back({l.records[i].id, version, version, true, ""});
      out.targets[i].from_version = l.records[i].installed_version;
    }
    nlohmann::json detail = {{"version", version},
                             {"sha256", meta->fingerprint_sha256},
                             {"previous_version", out.previous_version ? nlohmann::json(*out.previous_version)
                                                                       : nlohmann::json(nullptr)},
                             {"targets", nlohmann::json::array()},
                             {"reloads", steps_json(out.reloads)},
                             {"probes", probes_json(out.probes)}};
    for (const auto& spec : l.specs) detail["targets"].push_back(spec.dir);
    const char* kind = is_rollback ? store::event::rolled_back : store::event::installed;
    if (auto done = l.inv.finish_install(name, outcomes, kind, detail.dump(), ctx.actor, ctx.now(), pin);
        !done) {
      return done.error();
    }
    crash_point("committed");
    out.pinned_version = pin_after(l, name);
    for (std::size_t i = 0; i < dirs.size(); ++i) {
      auto pruned = dirs[i].prune(l.keep, restorable_sets(dirs[i].state(), previous[i], l.versions, version));
      if (!pruned) {
        log::warn("certkeeper: " + pruned.error().what());
        continue;
      }
      out.targets[i].pruned = *pruned;
    }
    return out;
  }

  // Switch back every target that was switched, reload again, record why.
  out.rolled_back = true;
  out.failure = failure;
  std::vector<deploy::TargetSpec> restored;
  std::string restore_error;
  for (std::size_t i = 0; i < dirs.size(); ++i) {
    if (i <= switched) {  // the one whose switch failed may be half-done
      if (auto back = dirs[i].switch_to(previous[i]); !back) {
        restore_error = back.error().what();
        continue;
      }
      restored.push_back(l.specs[i]);
    }
    // The new set never served: gone, so that retention counts only sets
    // that were live (keep_versions).
    if (auto gone = dirs[i].discard(staged[i]); !gone) log::warn("certkeeper: " + gone.error().what());
    outcomes.push_back({l.records[i].id, l.records[i].installed_version, version, false, failure});
  }
  // A reload that fails again after the switch back does not undo it: the
  // previous files are live; the outcome says the reload failed too.
  if (auto again = detail::run_reloads(restored, out.restore_reloads); !again) {
    out.failure += "; after switching back, " + again.error().message + " as well";
  }
  nlohmann::json detail = {{"version", version},
                           {"reason", out.failure},
                           {"restored_version", out.previous_version ? nlohmann::json(*out.previous_version)
                                                                     : nlohmann::json(nullptr)},
                           {"reloads", steps_json(out.reloads)},
                           {"probes", probes_json(out.probes)},
                           {"restore_reloads", steps_json(out.restore_reloads)}};
  if (!restore_error.empty()) detail["restore_error"] = restore_error;
  if (auto done = l.inv.finish_install(name, outcomes, store::event::install_rolled_back, detail.dump(), ctx.actor,
                                       ctx.now(), pin);
      !done) {
    return done.error();
  }
  out.pinned_version = pin_after(l, name);
  if (!restore_error.empty()) {
    return make_error(Errc::io, "install of version " + std::to_string(version) + " failed (" + failure +
                                    ") and switching back failed too: " + restore_error +
                                    "; check the target directories",
                      name);
  }
  return out;
}

}  // namespace

Result<InstallOutcome> install(const Context& ctx, const InstallRequest& request) {
  auto l = load(ctx, request.name, !request.dry_run);
  if (!l) return l.error();
  int version = request.version.value_or(l->cert.current_version.value_or(0));
  if (version == 0) {
    return make_error(Errc::not_found, "has no version to install yet; import or issue one first", request.name);
  }
  auto done = transact(ctx, *l, request.name, version, request, false,
                       request.set_desired ? store::PinRequest::desire(version) : store::PinRequest::keep());
  // A node that only installs by hand is alive too (the fleet views judge
  // a node without a heartbeat down); a refused request changes nothing.
  if (done && !request.dry_run && request.beat) detail::beat(ctx, l->inv, "idle");
  return done;
}

Result<InstallOutcome> rollback(const Context& ctx, const InstallRequest& request) {
  auto l = load(ctx, request.name, !request.dry_run);
  if (!l) return l.error();
  auto installed = l->records.front().installed_version;
  int version = 0;
  if (request.version) {
    version = *request.version;
  } else {
    if (!installed) {
      return make_error(Errc::not_found, "has nothing installed to roll back from; use 'certkeeper install'",
                        request.name);
    }
    for (const auto& v : l->versions) {
      if (v.version < *installed && v.version > version) version = v.version;
    }
    if (version == 0) {
      return make_error(Errc::not_found,
                        fmt::format("has no version older than the installed version {}", *installed), request.name);
    }
  }
  auto done = transact(ctx, *l, request.name, version, request, true,
                       request.set_desired ? store::PinRequest::desire(version) : store::PinRequest::keep());
  if (done && !request.dry_run && request.beat) detail::beat(ctx, l->inv, "idle");
  return done;
}

}  // namespace certkeeper::lifecycle
