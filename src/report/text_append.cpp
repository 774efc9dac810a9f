#include "text_append.h"

#include <charconv>

namespace certkeeper::report::detail {

void append_int(std::string& out, std::int64_t value) {
  char buf[24];
  auto res = std::to_chars(buf, buf + sizeof buf, value);
  out.append(buf, res.ptr);
}

void append_fixed1(std::string& out, double value) {
  char buf[64];
  auto res = std::to_chars(buf, buf + sizeof buf, value, std::chars_format::fixed, 1);
  out.append(buf, res.ptr);
}

void append_date(std::string& out, UnixTime t) {
  append_utc(out, t);
  out.resize(out.size() - 10);  // "THH:MM:SSZ"
}

}  // namespace certkeeper::report::detail
