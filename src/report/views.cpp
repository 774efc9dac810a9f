#include "certkeeper/report/views.h"

#include <fmt/format.h>

#include "certkeeper/report/report.h"
#include "certkeeper/util/expiry.h"
#include "certkeeper/util/json.h"
#include "certkeeper/util/text.h"
#include "fields.h"
#include "json_rows.h"
#include "table.h"

namespace certkeeper::report {
namespace {

nlohmann::json optional_time(const std::optional<UnixTime>& t) {
  return t ? nlohmann::json(format_utc(*t)) : nlohmann::json();
}

nlohmann::json version_json(const store::VersionRecord& v) {
  return {{"version", v.version},
          {"fingerprint_sha256", v.fingerprint_sha256},
          {"serial", v.serial},
          {"subject", v.subject},
          {"issuer", v.issuer},
          {"names", v.names},
          {"key_type", v.key_type},
          {"not_before", format_utc(v.not_before)},
          {"not_after", format_utc(v.not_after)},
          {"origin", v.origin},
          {"findings", parse_json_or_null(v.findings_json)},
          {"revoked_at", optional_time(v.revoked_at)},
          {"revoke_reason", v.revoke_reason},
          {"created_at", format_utc(v.created_at)}};
}

nlohmann::json certificate_json(const store::CertificateRecord& c) {
  return {{"name", c.name},
          {"source", c.source},
          {"domains", c.domains},
          {"status", c.status},
          {"current_version", c.current_version ? nlohmann::json(*c.current_version) : nlohmann::json()},
          {"failures", c.failures},
          {"last_error", c.last_error},
          {"last_attempt", optional_time(c.last_attempt)},
          {"last_success", optional_time(c.last_success)},
          {"next_check", optional_time(c.next_check)},
          // How an ACME certificate renews ("" / null for manual and remote ones).
          {"key_type", c.key_type},
          {"challenge", c.challenge},
          {"challenge_config", c.challenge_config.empty() ? nlohmann::json()
                                                          : parse_json_or_null(c.challenge_config)},
          {"acme_server", c.acme_server},
          {"renew_before_days", c.renew_before_days ? nlohmann::json(*c.renew_before_days) : nlohmann::json()},
          {"created_at", format_utc(c.created_at)},
          {"updated_at", format_utc(c.updated_at)}};
}

std::string findings_lines(const std::string& findings_json) {
  auto parsed = parse_json_or_null(findings_json);
  std::string out;
  if (!parsed.is_array()) return out;
  for (const auto& f : parsed) {
    out += fmt::format("  {} {}: {}\n", f.value("severity", ""), f.value("code", ""),
                       f.value("message", ""));
  }
  return out;
}

}  // namespace

std::string render_list(const std::vector<store::ReportRow>& rows, UnixTime now, bool json) {
  if (json) {
    std::string out;
    out.reserve(64 + rows.size() * 1100);
    out += "{\n  \"certificates\": ";
    detail::append_rows_json(out, rows, now, 1);
    out += "\n}\n";
    return out;
  }
  detail::Table table({"NAME", "VERSION", "SOURCE", "NOT AFTER", "DAYS", "STATUS", "NAMES"});
  for (const auto& row : rows) {
    table.add({row.name, row.version ? std::to_string(*row.version) : "-", row.source,
               row.not_after ? format_utc(*row.not_after) : "-",
               row.not_after ? std::to_string(days_left(*row.not_after, now)) : "-",
               expiry_status(row, now), detail::join(row.names, " ")});
  }
  return table.render();
}

std::string render_show(const store::CertificateRecord& c,
                        const std::vector<store::VersionRecord>& versions, UnixTime now, bool json) {
  const store::VersionRecord* current = nullptr;
  for (const auto& v : versions) {
    if (c.current_version && v.version == *c.current_version) current = &v;
  }
  if (json) {
    nlohmann::json doc{{"certificate", certificate_json(c)},
                       {"current", current ? version_json(*current) : nlohmann::json()},
                       {"versions", versions.size()}};
    return doc.dump(2) + "\n";
  }
  std::string out = fmt::format("name:         {}\nsource:       {}\n", c.name, c.source);
  if (!c.domains.empty()) out += fmt::format("domains:      {}\n", detail::join(c.domains, " "));
  if (!c.challenge.empty()) {
    out += text::printable(fmt::format("renews with:  {} {}, {}{}", c.challenge, c.challenge_config, c.key_type,
                                       c.acme_server.empty() ? "" : ", " + c.acme_server)) +
           "\n";
  }
  if (!current) return out + "version:      none yet\n";
  store::ReportRow row;
  row.not_before = current->not_before;
  row.not_after = current->not_after;
  row.revoked_at = current->revoked_at;
  out += fmt::format("status:       {} ({} days left)\n", expiry_status(row, now),
                     days_left(current->not_after, now));
  out += fmt::format("version:      {} of {}\n", current->version, versions.size());
  out += fmt::format("names:        {}\n", detail::join(current->names, " "));
  out += fmt::format("subject:      {}\nissuer:       {}\n", current->subject, current->issuer);
  out += fmt::format("serial:       {}\nsha256:       {}\nkey:          {}\n", current->serial,
                     current->fingerprint_sha256, current->key_type);
  out += fmt::format("not before:   {}\nnot after:    {}\n", format_utc(current->not_before),
                     format_utc(current->not_after));
  out += fmt::format("origin:       {} at {}\n", current->origin, format_utc(current->created_at));
  if (!c.last_error.empty()) out += fmt::format("last error:   {}\n", c.last_error);
  std::string findings = findings_lines(current->findings_json);
  if (!findings.empty()) out += "findings:\n" + findings;
  return out;
}

std::string render_history(const std::string& name, const std::vector<store::VersionRecord>& versions,
                           const std::vector<store::EventRecord>& events, bool json) {
  if (json) {
    nlohmann::json v = nlohmann::json::array();
    for (const auto& version : versions) v.push_back(version_json(version));
    nlohmann::json e = nlohmann::json::array();
    for (const auto& event : events) {
      e.push_back({{"at", format_utc(event.at)},
                   {"kind", event.kind},
                   {"actor", event.actor},
                   {"detail", parse_json_or_null(event.detail_json)}});
    }
    return nlohmann::json{{"name", name}, {"versions", v}, {"events", e}}.dump(2) + "\n";
  }
  detail::Table vt({"VERSION", "STORED", "NOT AFTER", "SHA256", "ORIGIN", "REVOKED"});
  for (const auto& v : versions) {
    vt.add({std::to_string(v.version), format_utc(v.created_at), format_utc(v.not_after),
            v.fingerprint_sha256.substr(0, 16), v.origin,
            v.revoked_at ? format_utc(*v.revoked_at) : ""});
  }
  detail::Table et({"AT", "EVENT", "ACTOR", "DETAIL"});
  for (const auto& e : events) et.add({format_utc(e.at), e.kind, e.actor, e.detail_json});
  return vt.render() + "\n" + et.render();
}

}  // namespace certkeeper::report
