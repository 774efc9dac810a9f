// RFC 3339 timestamps as ACME servers send them (RFC 8555 §7.1, RFC 9773
// §4.2): "2025-01-02T04:00:00Z", "2025-01-02T04:00:00.5+02:00".
#pragma once

#include <optional>
#include <string_view>

#include "certkeeper/util/clock.h"

namespace certkeeper::acme {

// Strictly RFC 3339 §5.6 date-time: YYYY-MM-DD "T" hh:mm:ss, optional "."
// and one or more digits (truncated: UnixTime counts whole seconds), then
// "Z" or +hh:mm / -hh:mm. "T" and "Z" may be lower case (§5.6 NOTE). Each
// field is range-checked (the day against its month and leap years, a leap
// second :60 counts as the next minute's :00); anything else, including
// surrounding whitespace, is nullopt.
std::optional<UnixTime> parse_rfc3339(std::string_view text);

}  // namespace certkeeper::acme
