// Text from outside (certificate fields, CA problem details, lines a remote
// server sent, file names) made safe to store and to show.
//
// Every certificate field is attacker-controlled: it may hold bytes that are
// not UTF-8, NULs, terminal escapes, newlines that forge a report row, or
// bidirectional overrides that make one name look like another. The rules:
// - store and put into JSON only valid UTF-8: `to_utf8`;
// - show on a terminal, in a log line, a table cell or an error message only
//   `printable`: one line, no control characters;
// - shorten only on a character boundary: `truncate_utf8`.
// Escapes are written as `\xNN` (one byte that is not UTF-8, or a C0/DEL
// control) and `\u{XXXX}` (a C1 control or a bidirectional formatting
// character). A backslash itself is left as it is, so DNs in RFC 4514 form
// read as before; an escape is therefore not unambiguous, only harmless.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace certkeeper::text {

// Whether `s` is well-formed UTF-8 (RFC 3629: no overlong forms, no
// surrogates, nothing above U+10FFFF). NUL is well-formed.
bool is_utf8(std::string_view s) noexcept;

// `s` with every byte that is not part of well-formed UTF-8 written as
// `\xNN`; valid input comes back unchanged. The result is always valid UTF-8,
// so it can go into JSON, SQLite TEXT and mail headers.
std::string to_utf8(std::string_view s);

// `to_utf8`, and every control character written as an escape: C0 controls
// (NUL, TAB, LF, CR, ESC, ...) and DEL as `\xNN`, C1 controls and the
// bidirectional formatting characters (U+200E/F, U+202A-E, U+2066-9) as
// `\u{XXXX}`. The result is one line that cannot move the cursor, change
// colours or reorder what follows it.
std::string printable(std::string_view s);

// Whether `printable(s) == s`.
bool is_printable(std::string_view s) noexcept;

// `printable` applied to each line of a multi-line text: the line feeds
// stay, everything else is escaped as `printable` does (CR included). For
// output that is lines by design (a table, a listing); a field that must
// stay on its line is escaped with `printable` before it is put in.
std::string printable_lines(std::string_view s);

// The longest prefix of `s` that is at most `max_bytes` long and does not
// end inside a UTF-8 character (a malformed byte counts as one character).
std::string_view prefix_utf8(std::string_view s, std::size_t max_bytes) noexcept;

// `s` shortened to at most `max_bytes` on a character boundary, with "..."
// appended (within the limit) when something was cut. Used wherever outside
// text is bounded before it is stored or shown.
std::string truncate_utf8(std::string_view s, std::size_t max_bytes);

// ASCII letters in lower case, every other byte as it is: for protocol
// tokens (HTTP header names, URL schemes), never for display.
std::string ascii_lower(std::string_view s);

// `s` without leading and trailing spaces, tabs, CRs and LFs.
std::string_view trim_blanks(std::string_view s) noexcept;

}  // namespace certkeeper::text
