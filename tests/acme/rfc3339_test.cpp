// The strict RFC 3339 reader for ACME timestamps.
#include "certkeeper/acme/rfc3339.h"

#include <gtest/gtest.h>

namespace certkeeper::acme {
namespace {

constexpr UnixTime k2025Jan02At4 = 1735790400;  // 2025-01-02T04:00:00Z

TEST(Rfc3339, ReadsUtcTimes) {
  EXPECT_EQ(parse_rfc3339("1970-01-01T00:00:00Z"), 0);
  EXPECT_EQ(parse_rfc3339("2025-01-02T04:00:00Z"), k2025Jan02At4);
  EXPECT_EQ(parse_rfc3339("2025-01-02t04:00:00z"), k2025Jan02At4);  // §5.6 NOTE: case-insensitive
  EXPECT_EQ(parse_rfc3339("1969-12-31T23:59:59Z"), -1);
  EXPECT_EQ(parse_rfc3339("2024-02-29T12:00:00Z"), 1709208000);  // leap day
  EXPECT_EQ(format_utc(*parse_rfc3339("2026-11-26T18:05:52Z")), "2026-11-26T18:05:52Z");
}

TEST(Rfc3339, TruncatesFractionalSeconds) {
  EXPECT_EQ(parse_rfc3339("2025-01-02T04:00:00.999999999Z"), k2025Jan02At4);
  EXPECT_EQ(parse_rfc3339("2025-01-02T04:00:00.5Z"), k2025Jan02At4);
  EXPECT_EQ(parse_rfc3339("2025-01-02T04:00:01.000+00:00"), k2025Jan02At4 + 1);
}

TEST(Rfc3339, AppliesOffsets) {
  EXPECT_EQ(parse_rfc3339("2025-01-02T06:00:00+02:00"), k2025Jan02At4);
  EXPECT_EQ(parse_rfc3339("2025-01-01T22:30:00-05:30"), k2025Jan02At4);
  EXPECT_EQ(parse_rfc3339("2025-01-02T04:00:00-00:00"), k2025Jan02At4);
  EXPECT_EQ(parse_rfc3339("2025-01-02T04:00:00.25+00:00"), k2025Jan02At4);
}

TEST(Rfc3339, LeapSecondIsTheNextMinute) {
  EXPECT_EQ(parse_rfc3339("2016-12-31T23:59:60Z"), *parse_rfc3339("2017-01-01T00:00:00Z"));
}

TEST(Rfc3339, RejectsEverythingElse) {
  for (const char* bad : {
           "",
           "2025-01-02",                     // no time
           "2025-01-02T04:00:00",            // no offset
           "2025-01-02 04:00:00Z",           // space instead of T
           "2025-01-02T04:00Z",              // no seconds
           "2025-1-02T04:00:00Z",            // short field
           "25-01-02T04:00:00Z",             // two-digit year
           "2025-01-02T04:00:00.Z",          // "." without digits
           "2025-01-02T04:00:00+0200",       // offset without colon
           "2025-01-02T04:00:00+02",         // offset without minutes
           "2025-01-02T04:00:00+24:00",      // offset hour
           "2025-01-02T04:00:00+02:60",      // offset minute
           "2025-01-02T04:00:00ZZ",          // trailing text
           "2025-01-02T04:00:00Z ",          // trailing space
           " 2025-01-02T04:00:00Z",          // leading space
           "2025-13-02T04:00:00Z",           // month
           "2025-00-02T04:00:00Z",           // month
           "2025-01-00T04:00:00Z",           // day
           "2025-02-29T04:00:00Z",           // not a leap year
           "2025-04-31T04:00:00Z",           // April has 30 days
           "2025-01-02T24:00:00Z",           // hour
           "2025-01-02T04:60:00Z",           // minute
           "2025-01-02T04:00:61Z",           // second
           "2025-01-02T04:00:00UTC",         // not an offset
           "+2025-01-02T04:00:00Z",          // sign
           "2025-01-02T04:00:0aZ",           // not a digit
       }) {
    EXPECT_FALSE(parse_rfc3339(bad)) << bad;
  }
}

}  // namespace
}  // namespace certkeeper::acme
