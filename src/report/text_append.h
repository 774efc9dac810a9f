// Private to report: appending numbers and times to the one output buffer a
// renderer builds, without temporary strings or format strings in hot loops.
#pragma once

#include <cstdint>
#include <string>

#include "certkeeper/util/clock.h"

namespace certkeeper::report::detail {

void append_int(std::string& out, std::int64_t value);
// With one decimal, as "{:.1f}" (SVG coordinates).
void append_fixed1(std::string& out, double value);
// "YYYY-MM-DD" of a Unix time, UTC.
void append_date(std::string& out, UnixTime t);

}  // namespace certkeeper::report::detail
