// The one clock. Decision functions take `now` as an argument; code that needs
// the current time asks a Clock, so tests can drive time (STYLE.md §7).
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <string>

namespace certkeeper {

// Seconds since the Unix epoch, UTC.
using UnixTime = std::int64_t;

class Clock {
 public:
  virtual ~Clock() = default;
  virtual UnixTime now() const = 0;
  // Waits (the system clock sleeps; the fixed clock just moves forward), so
  // polling loops and backoff run instantly under a test clock.
  virtual void sleep_for(std::chrono::milliseconds duration) = 0;
};

class SystemClock final : public Clock {
 public:
  UnixTime now() const override;
  void sleep_for(std::chrono::milliseconds duration) override;
};

// A clock that stands still until moved; the only fake the tests use.
// Millisecond-grained so that short sleeps add up; safe across threads.
class FixedClock final : public Clock {
 public:
  explicit FixedClock(UnixTime t) : ms_(t * 1000) {}
  UnixTime now() const override { return ms_.load() / 1000; }
  void sleep_for(std::chrono::milliseconds duration) override { ms_ += duration.count(); }
  void set(UnixTime t) { ms_ = t * 1000; }
  void advance(std::int64_t seconds) { ms_ += seconds * 1000; }
  // Total time slept or advanced, for tests of backoff schedules.
  std::int64_t now_ms() const { return ms_.load(); }

 private:
  std::atomic<std::int64_t> ms_;
};

constexpr std::int64_t kSecondsPerDay = 86400;

// "2026-11-26T18:05:52Z"
std::string format_utc(UnixTime t);
// The same text appended to `out`, without a temporary string or the C
// library's time zone machinery (reports format millions of times).
void append_utc(std::string& out, UnixTime t);
// A duration as people read an age: "45 s", "12 min", "5 h", "3 d"
// (below 0: "0 s").
std::string format_age(std::int64_t seconds);

}  // namespace certkeeper
