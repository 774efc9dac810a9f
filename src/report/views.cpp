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

nlohmann::json utf8_list(const std::vector<std::string>& items) {
  nlohmann::json list = nlohmann::json::array();
  for (const auto& item : items) list.push_back(text::to_utf8(item));
  return list;
}

// The stored fields are UTF-8 already (the store writes text::to_utf8);
// converting again is the guard for databases written before that.
nlohmann::json version_json(const store::VersionRecord& v) {
  return {{"version", v.version},
          {"fingerprint_sha256", v.fingerprint_sha256},
          {"serial", text::to_utf8(v.serial)},
          {"subject", text::to_utf8(v.subject)},
          {"issuer", text::to_utf8(v.issuer)},
          {"names", utf8_list(v.names)},
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
          {"pinned_version", c.pinned_version ? nlohmann::json(*c.pinned_version) : nlohmann::json()},
          {"desired_version",
           store::desired_version(c) ? nlohmann::json(*store::desired_version(c)) : nlohmann::json()},
          {"failures", c.failures},
          {"last_error", text::to_utf8(c.last_error)},
          {"last_attempt", optional_time(c.last_attempt)},
          {"last_success", optional_time(c.last_success)},
          {"next_check", optional_time(c.next_check)},
          {"retry_after", optional_time(c.retry_after)},
          {"halted", c.failure_permanent},
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

// The scheduler's record: the last attempt (and whether it has an outcome),
// failures, the last error and the next check.
std::string schedule_lines(const store::CertificateRecord& c) {
  store::ReportRow row;
  row.source = c.source;
  row.last_error = c.last_error;
  row.last_attempt = c.last_attempt;
  row.last_success = c.last_success;
  std::string out;
  if (c.last_attempt) out += fmt::format("last attempt: {}\n", format_utc(*c.last_attempt));
  if (c.failures > 0) {
    out += fmt::format("failures:     {}{}\n", c.failures, c.failure_permanent ? " (halted: no retry until fixed)" : "");
  }
  if (std::string error = detail::last_error_text(row); !error.empty()) {
    out += fmt::format("last error:   {}\n", text::printable(error));
  }
  out += fmt::format("next check:   {}\n", c.next_check ? format_utc(*c.next_check) : "- (due at the next pass)");
  return out;
}

std::string findings_lines(const std::string& findings_json) {
  auto parsed = parse_json_or_null(findings_json);
  std::string out;
  if (!parsed.is_array()) return out;
  for (const auto& f : parsed) {
    if (!f.is_object()) continue;
    out += text::printable(fmt::format("  {} {}: {}", f.value("severity", ""), f.value("code", ""),
                                       f.value("message", "")));
    out += '\n';
  }
  return out;
}

// A JSON document as the views print it; never throws on a stored byte that
// is not UTF-8 (shown as U+FFFD then).
std::string dump(const nlohmann::json& doc) {
  return doc.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
}

std::string shown_list(const std::vector<std::string>& items) {
  std::string out;
  for (const auto& item : items) {
    if (!out.empty()) out += ' ';
    out += text::printable(item);
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
  detail::Table table({"NAME", "VERSION", "SOURCE", "NOT AFTER", "DAYS", "STATUS", "NEXT CHECK", "NAMES", "NODES"});
  for (const auto& row : rows) {
    table.add({row.name, detail::version_text(row), row.source,
               row.not_after ? format_utc(*row.not_after) : "-",
               row.not_after ? std::to_string(days_left(*row.not_after, now)) : "-",
               expiry_status(row, now), detail::next_check_text(row.next_check), detail::join(row.names, " "),
               detail::nodes_text(row, now)});
  }
  return table.render();
}

std::string render_show(const store::CertificateRecord& c,
                        const std::vector<store::VersionRecord>& versions, UnixTime now, bool json) {
  // The desired version (issue 12): what the certificate is meant to serve,
  // judged and shown as "current"; the pinned one while one is pinned.
  const store::VersionRecord* current = nullptr;
  const auto desired = store::desired_version(c);
  for (const auto& v : versions) {
    if (desired && v.version == *desired) current = &v;
  }
  if (json) {
    nlohmann::json doc{{"certificate", certificate_json(c)},
                       {"current", current ? version_json(*current) : nlohmann::json()},
                       {"versions", versions.size()}};
    return dump(doc);
  }
  // Every field from a certificate or a CA is outside input: one printable
  // line each (text.h), so that nothing forges a line or reaches the terminal.
  std::string out = fmt::format("name:         {}\nsource:       {}\n", c.name, c.source);
  if (!c.domains.empty()) out += fmt::format("domains:      {}\n", shown_list(c.domains));
  if (!c.challenge.empty()) {
    out += text::printable(fmt::format("renews with:  {} {}, {}{}", c.challenge, c.challenge_config, c.key_type,
                                       c.acme_server.empty() ? "" : ", " + c.acme_server)) +
           "\n";
  }
  if (!current) return out + "version:      none yet\n" + schedule_lines(c);
  store::ReportRow row;
  row.not_before = current->not_before;
  row.not_after = current->not_after;
  row.revoked_at = current->revoked_at;
  out += fmt::format("status:       {} ({} left)\n", expiry_status(row, now),
                     detail::days_text(days_left(current->not_after, now)));
  out += fmt::format("version:      {} of {}{}\n", current->version, versions.size(),
                     c.pinned_version && c.current_version
                         ? fmt::format(" (pinned; the newest is {}: 'certkeeper install {}' ends the pin)",
                                       *c.current_version, c.name)
                         : "");
  out += fmt::format("names:        {}\n", shown_list(current->names));
  out += fmt::format("subject:      {}\nissuer:       {}\n", text::printable(current->subject),
                     text::printable(current->issuer));
  out += fmt::format("serial:       {}\nsha256:       {}\nkey:          {}\n", text::printable(current->serial),
                     current->fingerprint_sha256, current->key_type);
  out += fmt::format("not before:   {}\nnot after:    {}\n", format_utc(current->not_before),
                     format_utc(current->not_after));
  out += fmt::format("origin:       {} at {}\n", current->origin, format_utc(current->created_at));
  out += schedule_lines(c);
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
    return dump(nlohmann::json{{"name", name}, {"versions", v}, {"events", e}});
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
