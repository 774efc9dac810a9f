#include "certkeeper/util/expiry.h"

#include <gtest/gtest.h>

namespace certkeeper {
namespace {

constexpr UnixTime kT0 = 1'800'000'000;
constexpr std::int64_t kDay = kSecondsPerDay;

TEST(Expiry, WindowIsAThirdOfTheLifetimeAtMostThirtyDays) {
  EXPECT_EQ(expiry_warning_window(kT0, kT0 + 6 * kDay), 2 * kDay);
  EXPECT_EQ(expiry_warning_window(kT0, kT0 + 45 * kDay), 15 * kDay);
  EXPECT_EQ(expiry_warning_window(kT0, kT0 + 90 * kDay), 30 * kDay);
  EXPECT_EQ(expiry_warning_window(kT0, kT0 + 398 * kDay), 30 * kDay);
  EXPECT_EQ(expiry_warning_window(kT0, kT0 - 1), 0) << "inverted dates give no window";
}

TEST(Expiry, ExpiresSoon) {
  UnixTime nb = kT0, na = kT0 + 90 * kDay;
  EXPECT_FALSE(expires_soon(nb, na, na - 31 * kDay));
  EXPECT_TRUE(expires_soon(nb, na, na - 29 * kDay));
  EXPECT_FALSE(expires_soon(nb, na, na)) << "expired is not 'soon'";
}

TEST(Expiry, DaysLeftRoundsDownAndGoesNegative) {
  EXPECT_EQ(days_left(kT0 + 10 * kDay, kT0), 10);
  EXPECT_EQ(days_left(kT0 + 10 * kDay - 1, kT0), 9);
  EXPECT_EQ(days_left(kT0, kT0), 0);
  EXPECT_EQ(days_left(kT0 - 1, kT0), -1);
  EXPECT_EQ(days_left(kT0 - kDay, kT0), -1);
  EXPECT_EQ(days_left(kT0 - kDay - 1, kT0), -2);
}

TEST(Clock, FormatsUtc) {
  EXPECT_EQ(format_utc(0), "1970-01-01T00:00:00Z");
  EXPECT_EQ(format_utc(1'800'000'000), "2027-01-15T08:00:00Z");
}

}  // namespace
}  // namespace certkeeper
