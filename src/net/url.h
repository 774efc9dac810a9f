// The parts of an http(s) URL the HTTPS client needs, and the resolution of
// a reference (a redirect's Location, a Link target) against a base URL.
// Internal to the net module; URLs come from a CA, so both are fuzzed
// (tests/fuzz/http_wire_fuzz.cpp).
#pragma once

#include <string>
#include <string_view>

#include "certkeeper/util/result.h"

namespace certkeeper::net {

struct Url {
  std::string scheme;  // "https" or "http", lower case
  std::string host;    // a name or an IP literal (IPv6 without brackets)
  int port = 0;        // the scheme's default when the URL names none
  std::string target;  // path and query, at least "/"; the fragment dropped

  // The Host header's value (RFC 9112 §3.2): host, with brackets for IPv6,
  // and the port only when it is not the scheme's default.
  std::string authority() const;
};

// Errc::usage for anything but an absolute http(s) URL with a host, for a
// URL with user information (RFC 9110 §4.2.4: deprecated, and a password
// has no business in a log) and for control characters or spaces.
Result<Url> parse_url(std::string_view text);

// `reference` made absolute against `base` (RFC 3986 §5.2, without dot
// segment removal): absolute URLs stay, "//host/x" takes base's scheme,
// "/x" its scheme and authority, "x" and "?q" its directory.
std::string resolve_reference(const std::string& reference, const std::string& base);

}  // namespace certkeeper::net
