#include "fields.h"

#include "certkeeper/report/catalogue.h"
#include "certkeeper/report/report.h"
#include "certkeeper/util/clock.h"
#include "certkeeper/util/expiry.h"

namespace certkeeper::report {
namespace {

// The stable per-certificate fields (docs/reference/json.md, "report-row"), in CSV order.
constexpr FieldInfo kFields[] = {
    {"name", "certificate name"},
    {"names", "names covered (DNS, then IP); CSV: space-separated"},
    {"issuer", "issuer CN (else the issuer DN)"},
    {"not_before", "start of validity, UTC, `YYYY-MM-DDTHH:MM:SSZ`; null without a version"},
    {"not_after", "end of validity, UTC, `YYYY-MM-DDTHH:MM:SSZ`; null without a version"},
    {"days_left", "whole days until `not_after`, rounded down; negative once expired"},
    {"source", "`manual`, `acme` or `remote` (an endpoint watched on another host)"},
    {"status", "see the statuses below"},
    {"version",
     "the desired version: the one `rollback` or `install --version` pinned, else the newest; every fact of the row "
     "(names, dates, serial, revocation, the status) is of this version"},
    {"serial", "serial number, upper-case hex"},
    {"fingerprint_sha256", "SHA-256 of the DER, lower-case hex"},
    {"key_type", "`ec-p256`, `ec-p384`, `ec-p521`, `rsa-2048`..., `ed25519`"},
    {"failures", "consecutive failed renewal attempts since the last success (`remote`: failed probes)"},
    {"last_error", "the last renewal error, one line (`remote`: the last probe error)"},
    {"last_attempt",
     "the last renewal attempt or stored version, UTC; null when never attempted (`remote`: the last probe)"},
    {"last_success",
     "the last stored version (issued, renewed or imported), UTC; null when none (`remote`: the last probe that "
     "answered)"},
    {"targets", "number of install targets"},
    {"installed_version",
     "the lowest version installed in any target (so a lagging target shows); targets with nothing installed yet "
     "are not counted; null when no target has anything installed"},
    {"probe_ok",
     "whether the last install's post-install probes passed: the most recent `installed`, `rolled-back` or "
     "`install-rolled-back` event decides (true when it lists probes and all passed, false when one failed, null "
     "when it ran none or the certificate was never installed); `remote`: its own last probe (true when "
     "`failures` is 0), null before the first"},
    {"revoked", "whether the version (`version`) is revoked; null without a version"},
    {"revoked_at", "when the version was revoked; null when it was not"},
    {"revoke_reason", "why (RFC 5280 reason name); empty when it was not revoked"},
    {"ari_start", "start of the CA's suggested renewal window (ACME ARI, RFC 9773), UTC; null when none"},
    {"ari_end", "end of the CA's suggested renewal window, UTC; null when none"},
    {"next_check",
     "when the scheduler looks at it next (the back-off after a failure, or a CA's Retry-After), UTC; null when "
     "never scheduled"},
    {"pinned_version",
     "the version `rollback` or `install --version` pinned (older than the newest), which is then `version`; null "
     "when none is pinned. A new version stored ends the pin"},
    {"newest_version", "the newest stored version; null without a version"},
    {"nodes",
     "the fleet: per node with targets of the certificate, by node name, `{node, installed_version` (the lowest over "
     "its targets; null when nothing is installed), `probe_ok` (false when one of its targets' last probe failed, "
     "true when all passed, else null), `installed_at` (its newest install, UTC), `last_seen` (its heartbeat, UTC; "
     "null without one), `status}` (`up`, `down`: not seen for `node_down_after`, `unknown`: no heartbeat); "
     "empty without targets. CSV: `node=version:probe:status` joined by `;` (`mx1=7:ok:up;mx2=6:fail:down`; `-` for "
     "null; in the node name `%`, `=`, `:`, `;`, `,`, `\"`, space and bytes that are not printable ASCII as `%XX`)"},
};

constexpr StatusInfo kStatuses[] = {
    {"unreachable",
     "a `remote` endpoint whose last probe failed (`failures` > 0): its dates are only what it served before"},
    {"no-certificate", "defined, but no version stored yet"},
    {"expired", "`not_after` has passed (also when the version is revoked)"},
    {"revoked", "the version (`version`) is revoked (and not expired; also when it is expiring)"},
    {"expiring", "less than a third of the lifetime, at most 30 days, is left"},
    {"node-down",
     "PostgreSQL (a fleet) only: a node with targets of the certificate is not seen for `node_down_after` seconds "
     "(default 600; `init --node-down-after`), or has no heartbeat (removed, or never ran)"},
    {"drift",
     "PostgreSQL only, more than one node: a node does not serve the desired version (`version`), for longer than "
     "`drift_after` seconds (default 900; `init --drift-after`) since the later of the version's storing and the "
     "newest install among its nodes"},
    {"valid", "none of the above"},
};

}  // namespace

std::span<const FieldInfo> report_fields() { return kFields; }
std::span<const StatusInfo> statuses() { return kStatuses; }

}  // namespace certkeeper::report

namespace certkeeper::report::detail {

const std::vector<std::string>& report_field_names() {
  static const std::vector<std::string> names = [] {
    std::vector<std::string> out;
    for (const auto& f : report_fields()) out.emplace_back(f.name);
    return out;
  }();
  return names;
}

namespace {

nlohmann::json optional_time(const std::optional<UnixTime>& t) {
  return t ? nlohmann::json(format_utc(*t)) : nlohmann::json();
}

template <class T>
nlohmann::json optional_value(const std::optional<T>& v) {
  return v ? nlohmann::json(*v) : nlohmann::json();
}

}  // namespace

nlohmann::json row_json(const store::ReportRow& row, UnixTime now) {
  nlohmann::json j;
  j["name"] = row.name;
  j["names"] = row.names;
  j["issuer"] = row.issuer_cn.empty() ? row.issuer : row.issuer_cn;
  j["not_before"] = optional_time(row.not_before);
  j["not_after"] = optional_time(row.not_after);
  j["days_left"] = row.not_after ? nlohmann::json(days_left(*row.not_after, now)) : nlohmann::json();
  j["source"] = row.source;
  j["status"] = expiry_status(row, now);
  j["version"] = optional_value(row.version);
  j["serial"] = row.serial;
  j["fingerprint_sha256"] = row.fingerprint_sha256;
  j["key_type"] = row.key_type;
  j["failures"] = row.failures;
  j["last_error"] = row.last_error;
  j["last_attempt"] = optional_time(row.last_attempt);
  j["last_success"] = optional_time(row.last_success);
  j["targets"] = row.targets;
  j["installed_version"] = optional_value(row.installed_version);
  j["probe_ok"] = optional_value(row.probe_ok);
  // Revocation is a fact of a version: unknown without one.
  j["revoked"] = row.version ? nlohmann::json(row.revoked_at.has_value()) : nlohmann::json();
  j["revoked_at"] = optional_time(row.revoked_at);
  j["revoke_reason"] = row.revoke_reason;
  j["ari_start"] = optional_time(row.ari_start);
  j["ari_end"] = optional_time(row.ari_end);
  j["next_check"] = optional_time(row.next_check);
  j["pinned_version"] = optional_value(row.pinned_version);
  j["newest_version"] = optional_value(row.newest_version);
  j["nodes"] = nlohmann::json::array();
  for (const auto& n : row.nodes) {
    j["nodes"].push_back({{"node", n.node},
                          {"installed_version", optional_value(n.installed_version)},
                          {"probe_ok", optional_value(n.probe_ok)},
                          {"installed_at", optional_time(n.installed_at)},
                          {"last_seen", optional_time(n.last_seen)},
                          {"status", node_status(row, n, now)}});
  }
  return j;
}

std::string nodes_text(const store::ReportRow& row, UnixTime now) {
  std::string out;
  for (const auto& n : row.nodes) {
    if (!out.empty()) out += ", ";
    out += n.node;
    out += n.installed_version ? " v" + std::to_string(*n.installed_version) : " none";
    if (n.probe_ok) out += *n.probe_ok ? " ok" : " FAIL";
    const std::string status = node_status(row, n, now);
    if (status == "unknown") {
      out += " (unknown: no heartbeat)";
    } else {
      out += " (" + (status == "up" ? std::string() : status + ", ") + "seen " + format_age(now - *n.last_seen) + " ago)";
    }
  }
  return out;
}

std::string last_error_text(const store::ReportRow& row) {
  if (!row.last_error.empty() || row.source != "acme" || !row.last_attempt) return row.last_error;
  if (row.last_success && *row.last_success >= *row.last_attempt) return row.last_error;
  return "the attempt at " + format_utc(*row.last_attempt) + " has no outcome yet (still running, or stopped)";
}

std::string next_check_text(const std::optional<UnixTime>& next_check) {
  return next_check ? format_utc(*next_check) : "";
}

std::string version_text(const store::ReportRow& row) {
  if (!row.version) return "-";
  std::string out = std::to_string(*row.version);
  if (row.pinned_version && row.newest_version) out += " (pinned; newest " + std::to_string(*row.newest_version) + ")";
  return out;
}

std::string days_text(std::int64_t days) { return std::to_string(days) + (days == 1 ? " day" : " days"); }

std::string join(const std::vector<std::string>& items, const std::string& sep) {
  std::string out;
  for (std::size_t i = 0; i < items.size(); ++i) {
    if (i) out += sep;
    out += items[i];
  }
  return out;
}

}  // namespace certkeeper::report::detail
