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

}  // namespace certkeeper::report::detail
