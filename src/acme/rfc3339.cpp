#include "certkeeper/acme/rfc3339.h"

#include <chrono>
#include <cstdint>

namespace certkeeper::acme {
namespace {

// Reads exactly `width` decimal digits at `pos`; advances past them.
std::optional<int> digits(std::string_view text, std::size_t& pos, std::size_t width) {
  if (pos + width > text.size()) return std::nullopt;
  int value = 0;
  for (std::size_t i = 0; i < width; ++i) {
    const char c = text[pos + i];
    if (c < '0' || c > '9') return std::nullopt;
    value = value * 10 + (c - '0');
  }
  pos += width;
  return value;
}

bool expect(std::string_view text, std::size_t& pos, char lower, char upper) {
  if (pos >= text.size() || (text[pos] != lower && text[pos] != upper)) return false;
  ++pos;
  return true;
}

bool expect(std::string_view text, std::size_t& pos, char c) { return expect(text, pos, c, c); }

// The offset from UTC in seconds ("Z" = 0), which must end the text.
std::optional<std::int64_t> offset(std::string_view text, std::size_t pos) {
  if (pos >= text.size()) return std::nullopt;
  if (text[pos] == 'Z' || text[pos] == 'z') return pos + 1 == text.size() ? std::optional<std::int64_t>(0) : std::nullopt;
  const char sign = text[pos++];
  if (sign != '+' && sign != '-') return std::nullopt;
  auto hours = digits(text, pos, 2);
  if (!hours || !expect(text, pos, ':')) return std::nullopt;
  auto mins = digits(text, pos, 2);
  if (!mins || *hours > 23 || *mins > 59 || pos != text.size()) return std::nullopt;
  const std::int64_t seconds = (*hours * 60 + *mins) * 60;
  return sign == '+' ? seconds : -seconds;
}

}  // namespace

std::optional<UnixTime> parse_rfc3339(std::string_view text) {
  using namespace std::chrono;
  std::size_t pos = 0;
  auto y = digits(text, pos, 4);
  if (!y || !expect(text, pos, '-')) return std::nullopt;
  auto mo = digits(text, pos, 2);
  if (!mo || !expect(text, pos, '-')) return std::nullopt;
  auto d = digits(text, pos, 2);
  if (!d || !expect(text, pos, 't', 'T')) return std::nullopt;
  auto h = digits(text, pos, 2);
  if (!h || !expect(text, pos, ':')) return std::nullopt;
  auto mi = digits(text, pos, 2);
  if (!mi || !expect(text, pos, ':')) return std::nullopt;
  auto s = digits(text, pos, 2);
  if (!s) return std::nullopt;
  if (pos < text.size() && text[pos] == '.') {
    const std::size_t first = ++pos;
    while (pos < text.size() && text[pos] >= '0' && text[pos] <= '9') ++pos;
    if (pos == first) return std::nullopt;  // "." needs at least one digit
  }
  auto off = offset(text, pos);
  if (!off) return std::nullopt;

  const year_month_day date{year{*y}, month{static_cast<unsigned>(*mo)}, day{static_cast<unsigned>(*d)}};
  if (!date.ok() || *h > 23 || *mi > 59 || *s > 60) return std::nullopt;
  const std::int64_t days_since_epoch = sys_days{date}.time_since_epoch().count();
  return days_since_epoch * 86400 + *h * 3600 + *mi * 60 + *s - *off;
}

}  // namespace certkeeper::acme
