// The one rule for "expires soon", shared by the validation gate and the
// reports so that both warn from the same moment.
#pragma once

#include <algorithm>
#include <cstdint>

#include "certkeeper/util/clock.h"

namespace certkeeper {

// How long before not_after a certificate counts as expiring soon: a third
// of its lifetime, at most 30 days (so a 6-day certificate warns 2 days
// ahead, a 90-day one 30 days ahead, a 398-day one 30 days ahead).
inline std::int64_t expiry_warning_window(UnixTime not_before, UnixTime not_after) {
  std::int64_t lifetime = std::max<std::int64_t>(0, not_after - not_before);
  return std::min<std::int64_t>(30 * kSecondsPerDay, lifetime / 3);
}

inline bool expires_soon(UnixTime not_before, UnixTime not_after, UnixTime now) {
  return not_after > now && not_after - now < expiry_warning_window(not_before, not_after);
}

// Whole days left, rounded down; negative once expired (-1 on the first day after).
inline std::int64_t days_left(UnixTime not_after, UnixTime now) {
  std::int64_t left = not_after - now;
  return left >= 0 ? left / kSecondsPerDay : -((-left + kSecondsPerDay - 1) / kSecondsPerDay);
}

}  // namespace certkeeper
