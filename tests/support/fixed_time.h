// The fixed "now" of the tests that run on a given time instead of the
// clock (store and report suites), and a day in seconds.
#pragma once

#include <cstdint>

#include "certkeeper/util/clock.h"

namespace certkeeper::testing {

inline constexpr UnixTime kNow = 1'800'000'000;  // 2027-01-15T08:00:00Z
inline constexpr std::int64_t kDay = kSecondsPerDay;

}  // namespace certkeeper::testing
