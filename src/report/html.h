// Private to report: the HTML report, one self-contained file (inline CSS and
// SVG, no scripts, no external references).
#pragma once

#include <string>
#include <vector>

#include "certkeeper/report/report.h"

namespace certkeeper::report::detail {

// Summary counts, the SVG timeline, the table, and (when options.history is
// set) each certificate's recent versions and events.
std::string render_html(const std::vector<store::ReportRow>& rows, const ReportOptions& options);

}  // namespace certkeeper::report::detail
