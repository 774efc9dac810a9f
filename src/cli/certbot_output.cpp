#include "certbot_output.h"

#include <algorithm>

#include <fmt/format.h>

#include "certkeeper/util/json.h"
#include "certkeeper/util/text.h"

namespace certkeeper::cli {
namespace {

std::string shown(const std::string& s) { return text::printable(s); }

nlohmann::json hooks_json(const std::vector<lifecycle::CertbotHook>& hooks) {
  nlohmann::json list = nlohmann::json::array();
  for (const auto& h : hooks) {
    list.push_back({{"kind", h.kind},
                    {"command", text::to_utf8(h.command)},
                    {"from", text::to_utf8(h.from)},
                    {"replacement", text::to_utf8(h.replacement)}});
  }
  return list;
}

nlohmann::json migration_json(const lifecycle::CertbotMigration& m, int code) {
  nlohmann::json accounts = nlohmann::json::array();
  for (const auto& a : m.accounts) {
    accounts.push_back({{"certbot_id", text::to_utf8(a.certbot_id)},
                        {"directory_url", text::to_utf8(a.directory_url)},
                        {"account_url", text::to_utf8(a.account_url)},
                        {"key_alg", a.key_type},
                        {"status", a.status},
                        {"reason", text::to_utf8(a.reason)}});
  }
  nlohmann::json certificates = nlohmann::json::array();
  for (const auto& l : m.lineages) {
    certificates.push_back(
        {{"name", text::to_utf8(l.name)},
         {"conf", text::to_utf8(l.conf)},
         {"status", l.status},
         {"reason", text::to_utf8(l.reason)},
         {"findings", findings_json(l.findings)},
         {"version", l.version ? nlohmann::json(l.version) : nlohmann::json()},
         {"domains", l.domains},
         {"challenge", l.challenge},
         {"challenge_config", l.challenge_config.empty() ? nlohmann::json()
                                                         : parse_json_or_null(l.challenge_config)},
         {"key_type", l.key_type},
         {"acme_server", text::to_utf8(l.acme_server)},
         {"renew_before_days", or_null(l.renew_before_days)},
         {"account_url", text::to_utf8(l.account_url)},
         {"fingerprint_sha256", l.fingerprint_sha256},
         {"not_after", utc_or_null(l.not_after)},
         {"hooks", hooks_json(l.hooks)}});
  }
  return {{"ok", code == kOk},         {"exit_code", code},   {"dry_run", m.dry_run},
          {"dir", text::to_utf8(m.dir)}, {"accounts", accounts}, {"certificates", certificates},
          {"hooks", hooks_json(m.hooks)}};
}

std::string challenge_text(const lifecycle::CertbotLineage& l) {
  const auto config = parse_json_or_null(l.challenge_config);
  if (!config.is_object()) return l.challenge;
  if (config.contains("listen")) return "http-01 on " + config["listen"].get<std::string>();
  if (config.contains("webroot")) return "http-01 webroot " + shown(config["webroot"].get<std::string>());
  std::string text = "http-01 webroots";
  for (const auto& [domain, dir] : config["webroot_map"].items()) text += " " + shown(domain) + "=" + shown(dir.get<std::string>());
  return text;
}

void print_hooks(const Globals& g, const std::vector<lifecycle::CertbotHook>& hooks, const std::string& indent) {
  for (const auto& h : hooks) {
    out(g, fmt::format("{}{} hook '{}' ({}): {}", indent, h.kind, shown(h.command), shown(h.from),
                       shown(h.replacement)));
  }
}

void print_lineage(const Globals& g, const lifecycle::CertbotLineage& l, bool dry_run) {
  const std::string name = shown(l.name);
  if (l.status == "rejected") {
    print_findings(g, l.findings);
    err_line(fmt::format("certkeeper: {}: rejected by validation ({}); not imported, fix {} or let certbot renew it "
                         "first",
                         name, plural(std::count_if(l.findings.begin(), l.findings.end(),
                                                    [](const auto& f) { return f.severity == crypto::Severity::error; }),
                                      "error"),
                         shown(l.conf)));
  } else if (l.status == "skipped") {
    err_line(fmt::format("certkeeper: {}: not imported: {}", name, shown(l.reason)));
  } else {
    const char* what = l.status == "unchanged" ? "already imported as version" : dry_run ? "would import" : "imported as version";
    std::string version = l.status == "would-import" ? "" : " " + std::to_string(l.version);
    out(g, fmt::format("{}: {}{}, valid until {}: {}, {}, {}{}; names {}", name, what, version,
                       l.not_after ? format_utc(*l.not_after) : "?", challenge_text(l), l.key_type, shown(l.acme_server),
                       l.renew_before_days ? fmt::format(", renew {} days before expiry", *l.renew_before_days) : "",
                       shown(fmt::format("{}", fmt::join(l.domains, " ")))));
  }
  print_hooks(g, l.hooks, "  ");
}

}  // namespace

int run_certbot_migration(const Globals& g, const lifecycle::CertbotRequest& request) {
  auto migration = lifecycle::migrate_from_certbot(g.context(), request);
  if (!migration) return fail(g, migration.error());
  const auto& m = *migration;
  const int code = m.not_migrated() > 0 ? int(kRejected) : int(kOk);
  if (g.json) {
    print_json(migration_json(m, code));
    return code;
  }
  for (const auto& a : m.accounts) {
    std::string line = fmt::format("account {} for {} (certbot {}): {}", shown(a.account_url), shown(a.directory_url),
                                   shown(a.certbot_id), a.status == "would-import" ? "would import" : a.status);
    if (!a.reason.empty()) line += ": " + shown(a.reason);
    if (a.status == "unusable") {
      err_line("certkeeper: " + line);
    } else {
      out(g, line);
    }
  }
  for (const auto& l : m.lineages) print_lineage(g, l, m.dry_run);
  print_hooks(g, m.hooks, "");
  const std::size_t migrated = m.lineages.size() - m.not_migrated();
  std::string summary = fmt::format("{} {} of {} certbot lineages from {}", m.dry_run ? "would migrate" : "migrated",
                                    migrated, m.lineages.size(), shown(m.dir));
  if (m.dry_run) summary += " (dry run: nothing was changed)";
  if (!m.dry_run && migrated > 0) {
    summary += "; certbot still renews them: once their targets are set up ('certkeeper target add'), stop it "
               "(systemctl disable --now certbot.timer)";
  }
  out(g, summary);
  return code;
}

}  // namespace certkeeper::cli
