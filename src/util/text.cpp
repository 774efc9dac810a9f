#include "certkeeper/util/text.h"

#include <cstdint>

namespace certkeeper::text {
namespace {

// One step of RFC 3629 decoding at s[i]: the code point and its length in
// bytes, or length 0 when s[i] does not start a well-formed character.
struct Decoded {
  std::uint32_t code = 0;
  std::size_t length = 0;
};

Decoded decode(std::string_view s, std::size_t i) noexcept {
  auto byte = [&](std::size_t k) { return static_cast<unsigned char>(s[k]); };
  const unsigned char b0 = byte(i);
  if (b0 < 0x80) return {b0, 1};
  std::size_t length;
  std::uint32_t code;
  std::uint32_t min;
  if ((b0 & 0xE0) == 0xC0) {
    length = 2, code = b0 & 0x1F, min = 0x80;
  } else if ((b0 & 0xF0) == 0xE0) {
    length = 3, code = b0 & 0x0F, min = 0x800;
  } else if ((b0 & 0xF8) == 0xF0) {
    length = 4, code = b0 & 0x07, min = 0x10000;
  } else {
    return {};
  }
  if (s.size() - i < length) return {};
  for (std::size_t k = 1; k < length; ++k) {
    const unsigned char b = byte(i + k);
    if ((b & 0xC0) != 0x80) return {};
    code = (code << 6) | (b & 0x3F);
  }
  if (code < min || code > 0x10FFFF || (code >= 0xD800 && code <= 0xDFFF)) return {};
  return {code, length};
}

constexpr char kHex[] = "0123456789ABCDEF";

void append_byte_escape(std::string& out, unsigned char b) {
  out += "\\x";
  out += kHex[b >> 4];
  out += kHex[b & 0x0F];
}

void append_code_escape(std::string& out, std::uint32_t code) {
  out += "\\u{";
  out += kHex[(code >> 12) & 0x0F];
  out += kHex[(code >> 8) & 0x0F];
  out += kHex[(code >> 4) & 0x0F];
  out += kHex[code & 0x0F];
  out += '}';
}

// C1 controls and the characters that change the direction of the text
// around them (Unicode bidirectional formatting, "Trojan Source").
bool invisible_control(std::uint32_t code) noexcept {
  return (code >= 0x80 && code <= 0x9F) || code == 0x200E || code == 0x200F ||
         (code >= 0x202A && code <= 0x202E) || (code >= 0x2066 && code <= 0x2069);
}

// Walks `s`, calling on_char(code, bytes) for each well-formed character
// and on_bad(byte) for each byte that is not part of one.
template <class OnChar, class OnBad>
void walk(std::string_view s, OnChar on_char, OnBad on_bad) {
  std::size_t i = 0;
  while (i < s.size()) {
    const Decoded d = decode(s, i);
    if (d.length == 0) {
      on_bad(static_cast<unsigned char>(s[i]));
      ++i;
    } else {
      on_char(d.code, s.substr(i, d.length));
      i += d.length;
    }
  }
}

}  // namespace

bool is_utf8(std::string_view s) noexcept {
  for (std::size_t i = 0; i < s.size();) {
    const Decoded d = decode(s, i);
    if (d.length == 0) return false;
    i += d.length;
  }
  return true;
}

std::string to_utf8(std::string_view s) {
  if (is_utf8(s)) return std::string(s);
  std::string out;
  out.reserve(s.size() + 16);
  walk(
      s, [&](std::uint32_t, std::string_view bytes) { out += bytes; },
      [&](unsigned char b) { append_byte_escape(out, b); });
  return out;
}

bool is_printable(std::string_view s) noexcept {
  for (std::size_t i = 0; i < s.size();) {
    const Decoded d = decode(s, i);
    if (d.length == 0 || d.code < 0x20 || d.code == 0x7F || invisible_control(d.code)) return false;
    i += d.length;
  }
  return true;
}

std::string printable(std::string_view s) {
  if (is_printable(s)) return std::string(s);
  std::string out;
  out.reserve(s.size() + 16);
  walk(
      s,
      [&](std::uint32_t code, std::string_view bytes) {
        if (code < 0x20 || code == 0x7F) {
          append_byte_escape(out, static_cast<unsigned char>(code));
        } else if (invisible_control(code)) {
          append_code_escape(out, code);
        } else {
          out += bytes;
        }
      },
      [&](unsigned char b) { append_byte_escape(out, b); });
  return out;
}

std::string printable_lines(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  std::size_t start = 0;
  for (;;) {
    const std::size_t end = s.find('\n', start);
    out += printable(s.substr(start, end == std::string_view::npos ? std::string_view::npos : end - start));
    if (end == std::string_view::npos) break;
    out += '\n';
    start = end + 1;
  }
  return out;
}

std::string_view prefix_utf8(std::string_view s, std::size_t max_bytes) noexcept {
  if (s.size() <= max_bytes) return s;
  std::size_t end = 0;
  while (end < s.size()) {
    const Decoded d = decode(s, end);
    const std::size_t step = d.length == 0 ? 1 : d.length;
    if (end + step > max_bytes) break;
    end += step;
  }
  return s.substr(0, end);
}

std::string truncate_utf8(std::string_view s, std::size_t max_bytes) {
  if (s.size() <= max_bytes) return std::string(s);
  constexpr std::string_view kEllipsis = "...";
  if (max_bytes < kEllipsis.size()) return std::string(prefix_utf8(s, max_bytes));
  std::string out(prefix_utf8(s, max_bytes - kEllipsis.size()));
  out += kEllipsis;
  return out;
}

std::string ascii_lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

std::string_view trim_blanks(std::string_view s) noexcept {
  const auto first = s.find_first_not_of(" \t\r\n");
  if (first == std::string_view::npos) return {};
  return s.substr(first, s.find_last_not_of(" \t\r\n") - first + 1);
}

}  // namespace certkeeper::text
