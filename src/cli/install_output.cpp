// How install, rollback, import --install and issue print an install
// transaction: one JSON object, or a few lines (the failure on stderr).
#include <fmt/format.h>

#include "app.h"

namespace certkeeper::cli {

namespace {

std::string octal(unsigned mode) { return fmt::format("{:04o}", mode); }
std::string short_fp(const std::string& fp) { return fp.substr(0, 16); }

nlohmann::json commands_json(const std::vector<lifecycle::CommandStep>& steps) {
  nlohmann::json out = nlohmann::json::array();
  for (const auto& s : steps) {
    out.push_back({{"command", s.command}, {"ran", s.ran}, {"ok", s.ok}, {"detail", s.detail}});
  }
  return out;
}

std::string owner_text(const lifecycle::PlannedFile& f) {
  return fmt::format("{}:{}", f.owner.empty() ? "-" : f.owner, f.group.empty() ? "-" : f.group);
}

}  // namespace

nlohmann::json install_json(const lifecycle::InstallOutcome& o) {
  nlohmann::json targets = nlohmann::json::array();
  for (const auto& t : o.targets) {
    nlohmann::json files = nlohmann::json::array();
    for (const auto& f : t.files) {
      files.push_back({{"path", f.path}, {"mode", octal(f.mode)}, {"owner", f.owner}, {"group", f.group},
                       {"secret", f.secret}});
    }
    targets.push_back({{"dir", t.dir},
                       {"layout", t.layout},
                       {"from_version", or_null(t.from_version)},
                       {"files", files},
                       {"adopted", t.adopted},
                       {"probes", t.probes},
                       {"pruned", t.pruned}});
  }
  nlohmann::json probes = nlohmann::json::array();
  for (const auto& p : o.probes) {
    probes.push_back({{"endpoint", p.endpoint},
                      {"servername", p.servername},
                      {"ok", p.ok},
                      {"attempts", p.attempts},
                      {"served_sha256", p.served_fingerprint},
                      {"detail", p.detail}});
  }
  return {{"name", o.name},
          {"version", o.version},
          {"sha256", o.fingerprint},
          {"not_after", format_utc(o.not_after)},
          {"previous_version", or_null(o.previous_version)},
          {"previous_sha256", o.previous_fingerprint},
          {"previous_not_after", utc_or_null(o.previous_not_after)},
          {"dry_run", o.dry_run},
          {"rolled_back", o.rolled_back},
          {"failure", o.failure},
          {"targets", targets},
          {"reloads", commands_json(o.reloads)},
          {"restore_reloads", commands_json(o.restore_reloads)},
          {"probes", probes},
          {"reconciled", o.reconciled},
          {"pinned_version", or_null(o.pinned_version)}};
}

int print_install(const Globals& g, const lifecycle::InstallOutcome& o, const char* verb) {
  int code = o.rolled_back ? int(kInstallRolledBack) : int(kOk);
  if (g.json) {
    auto doc = install_json(o);
    doc["ok"] = !o.rolled_back;
    doc["exit_code"] = code;
    print_json(doc);
    return code;
  }
  std::string text;
  for (const auto& note : o.reconciled) text += fmt::format("{}: {}\n", o.name, note);
  std::string previous =
      o.previous_version
          ? fmt::format("version {} (sha256 {}..., valid until {})", *o.previous_version,
                        short_fp(o.previous_fingerprint),
                        o.previous_not_after ? format_utc(*o.previous_not_after) : std::string("?"))
          : std::string("nothing installed by certkeeper");
  if (o.dry_run) {
    text += fmt::format("{}: would {} version {} (sha256 {}..., valid until {}), replacing {}\n", o.name, verb,
                        o.version, short_fp(o.fingerprint), format_utc(o.not_after), previous);
    for (const auto& t : o.targets) {
      text += fmt::format("  target {} ({} layout)\n", t.dir, t.layout);
      for (const auto& a : t.adopted) {
        text += fmt::format("    keep the existing {}/{} as version 0 for a rollback\n", t.dir, a);
      }
      for (const auto& f : t.files) {
        text += fmt::format("    write {} mode {} owner {}{}\n", f.path, octal(f.mode), owner_text(f),
                            f.secret ? " (private key)" : "");
      }
      for (const auto& p : t.probes) {
        text += fmt::format("    probe {} expecting sha256 {}...\n", p, short_fp(o.fingerprint));
      }
    }
    for (const auto& r : o.reloads) text += fmt::format("  run {}\n", r.command);
    text += "  (dry run: nothing was changed)";
    out(g, text);
    return code;
  }
  if (!o.rolled_back) {
    text += fmt::format("{}: {} version {} (sha256 {}..., valid until {}), replacing {}\n", o.name,
                        std::string(verb) == "install" ? "installed" : "rolled back to", o.version,
                        short_fp(o.fingerprint), format_utc(o.not_after), previous);
  }
  if (o.pinned_version) {
    text += fmt::format("  pinned: version {} is the desired version until a new version is stored or 'certkeeper "
                        "install {}' installs the newest\n",
                        *o.pinned_version, o.name);
  }
  for (const auto& t : o.targets) {
    text += fmt::format("  target {} ({} layout)\n", t.dir, t.layout);
    for (const auto& p : t.pruned) text += fmt::format("    removed old set {}\n", p);
  }
  for (const auto& r : o.reloads) text += fmt::format("  reload {}: {}\n", r.command, r.ok ? "ok" : r.detail);
  for (const auto& p : o.probes) {
    text += fmt::format("  probe {}: {}\n", p.endpoint,
                        p.ok ? fmt::format("serves sha256 {}... ({} attempt{})", short_fp(p.served_fingerprint),
                                           p.attempts, p.attempts == 1 ? "" : "s")
                             : p.detail);
  }
  for (const auto& r : o.restore_reloads) {
    text += fmt::format("  reload after switching back {}: {}\n", r.command, r.ok ? "ok" : r.detail);
  }
  if (!text.empty() && text.back() == '\n') text.pop_back();
  out(g, text);
  if (o.rolled_back) {
    err_line(fmt::format("certkeeper: {}: {} of version {} failed: {}; switched back to {}", o.name, verb, o.version,
                         o.failure,
                         o.previous_version ? fmt::format("version {}", *o.previous_version)
                                            : std::string("the files that were there before")));
  }
  return code;
}

}  // namespace certkeeper::cli
