#include "certkeeper/util/clock.h"

#include <ctime>
#include <chrono>
#include <thread>

namespace certkeeper {

UnixTime SystemClock::now() const {
  return std::chrono::duration_cast<std::chrono::seconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

void SystemClock::sleep_for(std::chrono::milliseconds duration) {
  std::this_thread::sleep_for(duration);
}

namespace {

// The C library's text, for the years the fast path does not cover.
void append_utc_libc(std::string& out, UnixTime t) {
  std::time_t tt = static_cast<std::time_t>(t);
  std::tm tm{};
  gmtime_r(&tt, &tm);
  char buf[32];
  std::size_t n = std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  out.append(buf, n);
}

void two_digits(char* at, unsigned v) {
  at[0] = static_cast<char>('0' + v / 10);
  at[1] = static_cast<char>('0' + v % 10);
}

}  // namespace

void append_utc(std::string& out, UnixTime t) {
  // Days since the epoch to a civil date (H. Hinnant, "chrono-Compatible
  // Low-Level Date Algorithms"), for years 0000..9999 (RFC 3339 §5.6:
  // always four digits, where libc writes "818"); others go to libc.
  std::int64_t days = t / kSecondsPerDay;
  std::int64_t secs = t % kSecondsPerDay;
  if (secs < 0) {
    secs += kSecondsPerDay;
    --days;
  }
  days += 719468;
  const std::int64_t era = (days >= 0 ? days : days - 146096) / 146097;
  const auto doe = static_cast<unsigned>(days - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  const unsigned day = doy - (153 * mp + 2) / 5 + 1;
  const unsigned month = mp < 10 ? mp + 3 : mp - 9;
  const std::int64_t year = static_cast<std::int64_t>(yoe) + era * 400 + (month <= 2);
  if (year < 0 || year > 9999) return append_utc_libc(out, t);
  char buf[20];  // YYYY-MM-DDTHH:MM:SSZ
  const auto y = static_cast<unsigned>(year);
  two_digits(buf, y / 100);
  two_digits(buf + 2, y % 100);
  buf[4] = '-';
  two_digits(buf + 5, month);
  buf[7] = '-';
  two_digits(buf + 8, day);
  buf[10] = 'T';
  const auto s = static_cast<unsigned>(secs);
  two_digits(buf + 11, s / 3600);
  buf[13] = ':';
  two_digits(buf + 14, s / 60 % 60);
  buf[16] = ':';
  two_digits(buf + 17, s % 60);
  out.append(buf, 19);
  out += 'Z';
}

std::string format_age(std::int64_t seconds) {
  if (seconds < 0) seconds = 0;
  if (seconds < 120) return std::to_string(seconds) + " s";
  if (seconds < 2 * 3600) return std::to_string(seconds / 60) + " min";
  if (seconds < 2 * kSecondsPerDay) return std::to_string(seconds / 3600) + " h";
  return std::to_string(seconds / kSecondsPerDay) + " d";
}

std::string format_utc(UnixTime t) {
  std::string out;
  out.reserve(20);
  append_utc(out, t);
  return out;
}

}  // namespace certkeeper
