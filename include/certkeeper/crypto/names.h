// RFC 6125 / RFC 9525 name matching, as pure functions over the names a
// certificate presents. No OpenSSL here; see validation.h for the gate.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "certkeeper/util/result.h"

namespace certkeeper::crypto {

// The host of an external URL ("https://Mail.Example.com:8443/owa" ->
// "mail.example.com"), or the argument itself when it is a bare host name or
// IP address ("[::1]" -> "::1"). Lower-cased, one trailing dot removed,
// U-labels converted to A-labels. Errc::usage when no host can be found.
Result<std::string> host_from_url(std::string_view url_or_host);

// Whether `domain` (lower case, A-labels, no trailing dot) is a public
// suffix in the ICANN section of the Public Suffix List ("com", "co.uk",
// "kawasaki.jp"): no wildcard may sit right above one (CA/Browser Forum BR
// 3.2.2.6). The list is libpsl's: the newer of its built-in copy and
// Debian's publicsuffix data. Unknown top-level domains are not suffixes
// here (no implicit "*" rule).
bool is_public_suffix(std::string_view domain);

// Whether the URL's authority holds userinfo ("user:password@host"), with or
// without a scheme (RFC 3986 §3.2.1). certkeeper never stores credentials.
bool has_userinfo(std::string_view url);

// A reference host name in comparable form: lower case, one trailing dot
// removed, IDN U-labels converted to A-labels (IDNA2008). IP literals are
// returned in canonical text form. Errc::usage on an invalid name.
Result<std::string> normalize_host(std::string_view host);

bool is_ip_address(std::string_view host);

// Why a presented subjectAltName dNSName is not a host name, or nullopt when
// it is one: empty; bytes that are not UTF-8; control characters (NUL, ESC,
// newline, bidirectional overrides); not a valid IDN; an empty or too long
// label; a character other than letters, digits, '-' and '_', with '*' only
// as the whole left-most label. One trailing dot is allowed. The reason is
// a phrase ("holds bytes that are not UTF-8") that never quotes the name.
std::optional<std::string> name_problem(std::string_view presented);

enum class MatchKind { exact, wildcard, ip, none };

struct NameMatch {
  MatchKind kind = MatchKind::none;
  std::string presented;    // the SAN entry that matched, if any
  std::string explanation;  // when none: why (e.g. CN-only certificate, partial wildcard)
};

// Does a certificate presenting these subjectAltName entries (and this subject
// CN, used only to explain a CN-only certificate) cover `reference`?
// - subjectAltName only; a CN is never a name (RFC 9525 §6.3).
// - case-insensitive, one trailing dot ignored on either side.
// - a wildcard is only the whole left-most label: "*.example.com" covers
//   "a.example.com", not "example.com" nor "a.b.example.com"; partial
//   wildcards ("f*.example.com") never match; a wildcard over a public
//   suffix ("*.com", "*.co.uk") never matches.
// - IP addresses match only iPAddress entries, never dNSName ones.
// - IDN names compare as A-labels.
// - A wildcard reference ("*.example.com", declared for an ACME certificate)
//   is covered only by that same wildcard entry.
NameMatch match_name(const std::vector<std::string>& dns_names,
                     const std::vector<std::string>& ip_addresses,
                     std::string_view subject_cn, std::string_view reference);

}  // namespace certkeeper::crypto
