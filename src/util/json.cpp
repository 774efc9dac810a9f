#include "certkeeper/util/json.h"

#include <string>

namespace certkeeper {

bool json_nested_deeper_than(std::string_view text, int limit) noexcept {
  int depth = 0;
  bool in_string = false;
  bool escaped = false;
  for (char c : text) {
    if (in_string) {
      if (escaped) {
        escaped = false;
      } else if (c == '\\') {
        escaped = true;
      } else if (c == '"') {
        in_string = false;
      }
      continue;
    }
    switch (c) {
      case '"': in_string = true; break;
      case '[':
      case '{':
        if (++depth > limit) return true;
        break;
      case ']':
      case '}': --depth; break;
      default: break;
    }
  }
  return false;
}

Result<nlohmann::json> parse_json(std::string_view text) {
  // Before the parser: what it would build is exactly what must not exist.
  if (json_nested_deeper_than(text, kMaxJsonDepth)) {
    return make_error(Errc::invalid_input,
                      "JSON nested too deeply (more than " + std::to_string(kMaxJsonDepth) + " levels)");
  }
  // nlohmann's lexer takes a NUL for the end of the text and would accept
  // "8\0anything" as 8. RFC 8259 allows no NUL byte anywhere outside a
  // string's \u escapes.
  if (auto nul = text.find('\0'); nul != std::string_view::npos) {
    return make_error(Errc::invalid_input, "not valid JSON (syntax error at byte " + std::to_string(nul + 1) + ")");
  }
  try {
    return nlohmann::json::parse(text);
  } catch (const nlohmann::json::parse_error& e) {
    // e.what() quotes the input around the error: never repeat outside bytes.
    return make_error(Errc::invalid_input, "not valid JSON (syntax error at byte " + std::to_string(e.byte) + ")");
  } catch (const std::exception&) {
    return make_error(Errc::invalid_input, "not valid JSON");
  }
}

nlohmann::json parse_json_or_null(std::string_view text) {
  auto parsed = parse_json(text);
  return parsed ? std::move(*parsed) : nlohmann::json();
}

}  // namespace certkeeper
