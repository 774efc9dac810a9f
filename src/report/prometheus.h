// Private to report: the Prometheus text exposition format (version 0.0.4),
// for node_exporter's textfile collector or any scraper of a file.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "certkeeper/report/report.h"

namespace certkeeper::report::detail {

// One gauge family per fact, one sample per certificate (labels name, cn,
// issuer, source); a sample is left out when its fact is unknown.
std::string render_prometheus(const std::vector<store::ReportRow>& rows, const ReportOptions& options);

// A label value as the exposition format quotes it: backslash, double quote
// and line feed escaped; other control characters and bytes that are not
// UTF-8 shown as text::printable shows them.
std::string escape_label_value(std::string_view value);

}  // namespace certkeeper::report::detail
