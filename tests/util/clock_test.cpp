// format_utc / append_utc: the fast civil-date path against the C library;
// format_age.
#include <gtest/gtest.h>

#include <ctime>

#include "certkeeper/util/clock.h"

namespace certkeeper {
namespace {

std::string libc_utc(UnixTime t) {
  std::time_t tt = static_cast<std::time_t>(t);
  std::tm tm{};
  gmtime_r(&tt, &tm);
  char buf[40];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

TEST(Clock, AppendUtcMatchesTheCLibrary) {
  // Every day (at a changing second) from 1900 to 2200, leap days and
  // century years included, before and after the epoch.
  const UnixTime from = -2'208'988'800, to = 7'258'118'400;
  std::size_t checked = 0;
  for (UnixTime t = from; t < to; t += kSecondsPerDay + 7) {
    std::string out = "x";
    append_utc(out, t);
    ASSERT_EQ(out.substr(0, 1), "x") << "appended, not overwritten";
    ASSERT_EQ(out.substr(1), libc_utc(t)) << t;
    ++checked;
  }
  EXPECT_GT(checked, 100'000u);
  for (UnixTime t : {UnixTime{-1}, UnixTime{0}, UnixTime{59}, UnixTime{86'399}, UnixTime{951'782'400},
                     UnixTime{4'107'542'400}, UnixTime{253'402'300'799}}) {
    EXPECT_EQ(format_utc(t), libc_utc(t)) << t;
  }
  EXPECT_EQ(format_utc(253'402'300'799), "9999-12-31T23:59:59Z") << "X.509's 'no well-defined expiry'";
}

TEST(Clock, YearsBeforeOneThousandHaveFourDigits) {
  // RFC 3339 §5.6: date-fullyear is 4DIGIT. A certificate may say 0818
  // (GeneralizedTime allows it); the C library writes "818", which no
  // RFC 3339 reader takes back (found by tests/fuzz/rfc3339_fuzz).
  EXPECT_EQ(format_utc(-36'349'295'714), "0818-02-19T13:24:46Z");
  EXPECT_EQ(format_utc(-62'167'219'200), "0000-01-01T00:00:00Z");
  EXPECT_EQ(format_utc(-50'000'000'000), "0385-07-25T07:06:40Z");
  EXPECT_EQ(format_utc(-30'610'224'001), "0999-12-31T23:59:59Z");
}

TEST(Clock, YearsOutsideFourDigitsFallBackToTheCLibrary) {
  for (UnixTime t : {UnixTime{253'402'300'800}, UnixTime{-62'167'219'201}, UnixTime{-100'000'000'000}}) {
    EXPECT_EQ(format_utc(t), libc_utc(t)) << t;
  }
}

// format_age: the reports' NODES column and `certkeeper nodes` say ages
// the same way, each unit from where the one below would need 3 digits.
TEST(FormatAge, EachUnitFromTwoOfTheNext) {
  EXPECT_EQ(format_age(-5), "0 s");
  EXPECT_EQ(format_age(0), "0 s");
  EXPECT_EQ(format_age(119), "119 s");
  EXPECT_EQ(format_age(120), "2 min");
  EXPECT_EQ(format_age(2 * 3600 - 1), "119 min");
  EXPECT_EQ(format_age(2 * 3600), "2 h");
  EXPECT_EQ(format_age(2 * kSecondsPerDay - 1), "47 h");
  EXPECT_EQ(format_age(2 * kSecondsPerDay), "2 d");
  EXPECT_EQ(format_age(400 * kSecondsPerDay), "400 d");
}

}  // namespace
}  // namespace certkeeper
