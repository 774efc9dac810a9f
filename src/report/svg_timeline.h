// Private to report: the inline SVG timeline of the HTML report: one bar per
// certificate from not_before to not_after, coloured by urgency, with today
// marked by a line and its date.
#pragma once

#include <string>
#include <vector>

#include "certkeeper/store/records.h"
#include "certkeeper/util/clock.h"

namespace certkeeper::report::detail {

// Up to this many rows get a name label beside their bar; beyond it the bars
// are thin and only their tooltip (<title>) names them.
constexpr std::size_t kTimelineLabelledRows = 2000;

// Appends an <svg> element (no external references) to `out`. Rows without
// a certificate have no bar; the bars are grouped by urgency (a <g> per
// colour), each placed on its row.
void append_svg_timeline(std::string& out, const std::vector<store::ReportRow>& rows, UnixTime now);

}  // namespace certkeeper::report::detail
