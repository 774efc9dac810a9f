// Private to report: the report fields of each row written straight into
// the output buffer as JSON, byte for byte what nlohmann's dump(2) of
// fields.h's row_json gives (keys sorted, two-space indent), without
// building a JSON tree per row.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "certkeeper/store/records.h"
#include "certkeeper/util/clock.h"

namespace certkeeper::report::detail {

// A JSON string: quotes, backslash and control characters escaped as
// nlohmann does; invalid UTF-8 replaced by U+FFFD.
void append_json_string(std::string& out, std::string_view s);

// The rows as a JSON array of report-field objects, laid out for an array
// that sits `depth` levels deep (depth 1: a member of the top-level object).
void append_rows_json(std::string& out, const std::vector<store::ReportRow>& rows, UnixTime now, int depth);

}  // namespace certkeeper::report::detail
