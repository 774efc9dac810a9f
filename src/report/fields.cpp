#include "fields.h"

#include "certkeeper/report/report.h"
#include "certkeeper/util/expiry.h"

namespace certkeeper::report::detail {

const std::vector<std::string>& report_field_names() {
  static const std::vector<std::string> names = {
      "name",      "names",      "issuer",  "not_before", "not_after",  "days_left",
      "source",    "status",     "version", "serial",     "fingerprint_sha256",
      "key_type",  "failures",   "last_error", "last_attempt", "last_success", "targets",
      "installed_version", "probe_ok", "revoked", "revoked_at", "revoke_reason", "ari_start", "ari_end",
      "next_check"};
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
  return j;
}

std::string last_error_text(const store::ReportRow& row) {
  if (!row.last_error.empty() || row.source != "acme" || !row.last_attempt) return row.last_error;
  if (row.last_success && *row.last_success >= *row.last_attempt) return row.last_error;
  return "the attempt at " + format_utc(*row.last_attempt) + " has no outcome yet (still running, or stopped)";
}

std::string next_check_text(const std::optional<UnixTime>& next_check) {
  return next_check ? format_utc(*next_check) : "";
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
