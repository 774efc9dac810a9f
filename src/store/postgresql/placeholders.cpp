#include "placeholders.h"

#include <cstddef>

namespace certkeeper::store::sql::pq {
namespace {

bool placeholder_name_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
         static_cast<unsigned char>(c) >= 0x80;
}

bool placeholder_digit(char c) { return c >= '0' && c <= '9'; }

// The end of a quoted run that starts at `i` (the opening quote), past its
// closing quote; a doubled quote inside is part of it. `backslash`: E'...'.
std::size_t placeholder_quoted_end(std::string_view s, std::size_t i, char quote, bool backslash) {
  std::size_t j = i + 1;
  while (j < s.size()) {
    if (backslash && s[j] == '\\' && j + 1 < s.size()) {
      j += 2;
      continue;
    }
    if (s[j] == quote) {
      if (j + 1 < s.size() && s[j + 1] == quote) {
        j += 2;
        continue;
      }
      return j + 1;
    }
    ++j;
  }
  return s.size();
}

// At `i` a '$': the end of a $tag$...$tag$ body, or `i` when it is none
// (e.g. a $1 already in the text).
std::size_t placeholder_dollar_end(std::string_view s, std::size_t i) {
  std::size_t j = i + 1;
  if (j < s.size() && placeholder_digit(s[j])) return i;
  while (j < s.size() && s[j] != '$') {
    if (!placeholder_name_char(s[j])) return i;
    ++j;
  }
  if (j >= s.size()) return i;
  std::string_view tag = s.substr(i, j - i + 1);
  std::size_t close = s.find(tag, j + 1);
  return close == std::string_view::npos ? s.size() : close + tag.size();
}

}  // namespace

Rewritten rewrite_placeholders(std::string_view s) {
  Rewritten out;
  out.sql.reserve(s.size() + 16);
  std::size_t i = 0;
  auto copy_to = [&](std::size_t end) {
    out.sql.append(s.substr(i, end - i));
    i = end;
  };
  auto number = [&](int n) {
    if (n > out.parameters) out.parameters = n;
    out.sql += '$';
    out.sql += std::to_string(n);
  };
  while (i < s.size()) {
    char c = s[i];
    char next = i + 1 < s.size() ? s[i + 1] : '\0';
    if (c == '\'') {
      bool escapes = i > 0 && (s[i - 1] == 'E' || s[i - 1] == 'e') &&
                     (i < 2 || !placeholder_name_char(s[i - 2]));
      copy_to(placeholder_quoted_end(s, i, '\'', escapes));
    } else if (c == '"') {
      copy_to(placeholder_quoted_end(s, i, '"', false));
    } else if (c == '-' && next == '-') {
      std::size_t eol = s.find('\n', i);
      copy_to(eol == std::string_view::npos ? s.size() : eol);
    } else if (c == '/' && next == '*') {
      std::size_t close = s.find("*/", i + 2);
      copy_to(close == std::string_view::npos ? s.size() : close + 2);
    } else if (c == '$') {
      std::size_t end = placeholder_dollar_end(s, i);
      copy_to(end == i ? i + 1 : end);
    } else if (c == ':' && next == ':') {
      copy_to(i + 2);
    } else if (c == ':' && placeholder_name_char(next) && !placeholder_digit(next)) {
      std::size_t j = i + 1;
      while (j < s.size() && placeholder_name_char(s[j])) ++j;
      std::string name(s.substr(i, j - i));
      int n = 0;
      for (const auto& [known, index] : out.names) {
        if (known == name) n = index;
      }
      if (n == 0) {
        n = out.parameters + 1;
        out.names.emplace_back(std::move(name), n);
      }
      number(n);
      i = j;
    } else if (c == '?') {
      std::size_t j = i + 1;
      int n = 0;
      while (j < s.size() && placeholder_digit(s[j]) && n < 100000) n = n * 10 + (s[j++] - '0');
      number(j == i + 1 ? out.parameters + 1 : n);
      i = j;
    } else {
      out.sql += c;
      ++i;
    }
  }
  return out;
}

}  // namespace certkeeper::store::sql::pq
