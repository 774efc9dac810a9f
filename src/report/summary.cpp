#include "summary.h"

#include "certkeeper/report/report.h"

namespace certkeeper::report::detail {

Summary summarize(const std::vector<store::ReportRow>& rows, UnixTime now) {
  Summary s;
  s.total = rows.size();
  for (const auto& row : rows) {
    std::string status = expiry_status(row, now);
    s.expired += status == "expired";
    s.expiring += status == "expiring";
    s.unreachable += status == "unreachable";
    s.no_certificate += status == "no-certificate";
    s.revoked += status == "revoked";
    s.node_down += status == "node-down";
    s.drift += status == "drift";
    if ((status == "expiring" || status == "valid" || status == "node-down" || status == "drift") && row.not_after) {
      UnixTime left = *row.not_after - now;
      s.within_7 += left <= 7 * kSecondsPerDay;
      s.within_30 += left <= 30 * kSecondsPerDay;
      s.within_90 += left <= 90 * kSecondsPerDay;
    }
  }
  return s;
}

const char* urgency(const std::string& status) {
  if (status == "expired") return "expired";
  if (status == "unreachable") return "unreachable";
  if (status == "revoked") return "revoked";
  if (status == "expiring") return "expiring";
  if (status == "valid") return "valid";
  if (status == "node-down") return "node-down";
  if (status == "drift") return "drift";
  return "none";
}

}  // namespace certkeeper::report::detail
