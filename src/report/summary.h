// Private to report: the counts by urgency that the table footer and the
// HTML summary show.
#pragma once

#include <cstddef>
#include <vector>

#include "certkeeper/store/records.h"
#include "certkeeper/util/clock.h"

namespace certkeeper::report::detail {

struct Summary {
  std::size_t total = 0;
  std::size_t expired = 0;         // status "expired"
  std::size_t expiring = 0;        // status "expiring" (inside the warning window)
  std::size_t unreachable = 0;     // status "unreachable" (remote, last probe failed)
  std::size_t no_certificate = 0;  // status "no-certificate"
  std::size_t revoked = 0;         // status "revoked" (an expired revoked one counts as expired)
  std::size_t node_down = 0;       // status "node-down"
  std::size_t drift = 0;           // status "drift"
  // Not expired (status "expiring", "valid", "node-down" or "drift") and expiring within 7, 30,
  // 90 days: cumulative, so within_30 includes within_7.
  std::size_t within_7 = 0;
  std::size_t within_30 = 0;
  std::size_t within_90 = 0;
};

Summary summarize(const std::vector<store::ReportRow>& rows, UnixTime now);

// The urgency class of a status, for colours: "expired", "revoked",
// "unreachable", "expiring", "valid", "node-down", "drift" or "none" (no
// certificate).
const char* urgency(const std::string& status);

}  // namespace certkeeper::report::detail
