// The one clock. Decision functions take `now` as an argument; code that needs
// the current time asks a Clock, so tests can drive time (STYLE.md §7).
#pragma once

#include <cstdint>
#include <string>

namespace certkeeper {

// Seconds since the Unix epoch, UTC.
using UnixTime = std::int64_t;

class Clock {
 public:
  virtual ~Clock() = default;
  virtual UnixTime now() const = 0;
};

class SystemClock final : public Clock {
 public:
  UnixTime now() const override;
};

// A clock that stands still until moved; the only fake the tests use.
class FixedClock final : public Clock {
 public:
  explicit FixedClock(UnixTime t) : t_(t) {}
  UnixTime now() const override { return t_; }
  void set(UnixTime t) { t_ = t; }
  void advance(std::int64_t seconds) { t_ += seconds; }

 private:
  UnixTime t_;
};

constexpr std::int64_t kSecondsPerDay = 86400;

// "2026-11-26T18:05:52Z"
std::string format_utc(UnixTime t);

}  // namespace certkeeper
