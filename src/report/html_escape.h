// Private to report: escaping text from the database for HTML and SVG.
#pragma once

#include <string>
#include <string_view>

namespace certkeeper::report::detail {

// Appends `text` with & < > " ' replaced by character references, so it is
// safe as element content and inside a quoted attribute value. Control
// characters and bytes that are not UTF-8 are escaped first (text::printable).
void append_escaped(std::string& out, std::string_view text);
// Appends `text` as element content: & < > replaced (quotes need no
// reference outside an attribute, and event details are full of them).
void append_text(std::string& out, std::string_view text);
std::string html_escape(std::string_view text);

// At most `max_bytes` of `text`, cut at a UTF-8 character boundary, with
// "…" appended when anything was cut.
std::string shorten(std::string_view text, std::size_t max_bytes);

}  // namespace certkeeper::report::detail
