#include "fields.h"

#include "certkeeper/report/report.h"
#include "certkeeper/util/expiry.h"

namespace certkeeper::report::detail {

const std::vector<std::string>& report_field_names() {
  static const std::vector<std::string> names = {
      "name",      "names",      "issuer",  "not_before", "not_after",  "days_left",
      "source",    "status",     "version", "serial",     "fingerprint_sha256",
      "key_type",  "failures",   "last_error"};
  return names;
}

nlohmann::json row_json(const store::ReportRow& row, UnixTime now) {
  nlohmann::json j;
  j["name"] = row.name;
  j["names"] = row.names;
  j["issuer"] = row.issuer_cn.empty() ? row.issuer : row.issuer_cn;
  j["not_before"] = row.not_before ? nlohmann::json(format_utc(*row.not_before)) : nlohmann::json();
  j["not_after"] = row.not_after ? nlohmann::json(format_utc(*row.not_after)) : nlohmann::json();
  j["days_left"] = row.not_after ? nlohmann::json(days_left(*row.not_after, now)) : nlohmann::json();
  j["source"] = row.source;
  j["status"] = expiry_status(row, now);
  j["version"] = row.version ? nlohmann::json(*row.version) : nlohmann::json();
  j["serial"] = row.serial;
  j["fingerprint_sha256"] = row.fingerprint_sha256;
  j["key_type"] = row.key_type;
  j["failures"] = row.failures;
  j["last_error"] = row.last_error;
  return j;
}

std::string join(const std::vector<std::string>& items, const std::string& sep) {
  std::string out;
  for (std::size_t i = 0; i < items.size(); ++i) {
    if (i) out += sep;
    out += items[i];
  }
  return out;
}

}  // namespace certkeeper::report::detail
