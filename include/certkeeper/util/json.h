// The one way certkeeper reads JSON text, wherever it comes from: a CA's
// responses, JSON stored in the inventory, key and settings files.
//
// nlohmann's parser is iterative, but copying, comparing and serialising a
// document recurse once per level: a CA that nests a member 100,000 levels
// deep overflows the stack (issue 14). No document we read needs more than a
// handful of levels (an ACME order's problem's subproblem's identifier is
// 5), so anything nested deeper than kMaxJsonDepth is refused before it is
// parsed. tests/architecture/check_json_parse.sh keeps every parse here.
#pragma once

#include <string_view>

#include <nlohmann/json.hpp>

#include "certkeeper/util/result.h"

namespace certkeeper {

// Arrays and objects inside one another: `[[1]]` is 2 levels deep, `1` is 0.
inline constexpr int kMaxJsonDepth = 64;

// The document in `text` (RFC 8259; UTF-8 only, no NUL byte), or Errc::invalid_input
// whose message says why in words that name no byte of the input:
// "JSON nested too deeply (more than 64 levels)" or "not valid JSON (syntax
// error at byte N)". Never throws.
Result<nlohmann::json> parse_json(std::string_view text);

// The same, for callers that treat unreadable JSON like absent JSON (JSON
// the inventory stored itself): a null value when `text` cannot be read.
nlohmann::json parse_json_or_null(std::string_view text);

// Whether arrays and objects nest more than `limit` levels deep in `text`,
// counted outside strings. Exact for valid JSON; invalid JSON is the
// parser's to refuse.
bool json_nested_deeper_than(std::string_view text, int limit) noexcept;

}  // namespace certkeeper
