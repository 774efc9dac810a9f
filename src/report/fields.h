// Private to report: the stable per-certificate fields shared by the JSON and
// CSV renderers and the list view.
#pragma once

#include <nlohmann/json.hpp>

#include <string>
#include <vector>

#include "certkeeper/store/records.h"
#include "certkeeper/util/clock.h"

namespace certkeeper::report::detail {

// The report fields in their stable order (CSV header order).
const std::vector<std::string>& report_field_names();

// One row as a JSON object with exactly report_field_names() as keys.
nlohmann::json row_json(const store::ReportRow& row, UnixTime now);

std::string join(const std::vector<std::string>& items, const std::string& sep);

// The last error for text views; for an ACME certificate whose last attempt
// has no recorded outcome (the run is still going, or was stopped while the
// CA worked), says so.
std::string last_error_text(const store::ReportRow& row);

// "2027-03-02T00:05:00Z", or "" when never scheduled (due at the next
// pass), so that a table of unscheduled certificates grows no column.
std::string next_check_text(const std::optional<UnixTime>& next_check);

// The desired version as text views show it: "3", "2 (pinned; newest 3)",
// or "-" before the first version.
std::string version_text(const store::ReportRow& row);

// "1 day", "2 days"
std::string days_text(std::int64_t days);

// The fleet of a row for text views, by node name: "mx1 v7 ok (seen 12 s
// ago), mx2 v6 FAIL (down, seen 2 h ago), mx3 none (unknown: no heartbeat)";
// "" without nodes (the table then shows no NODES column).
std::string nodes_text(const store::ReportRow& row, UnixTime now);

}  // namespace certkeeper::report::detail
