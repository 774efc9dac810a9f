// RFC 6125 / RFC 9525 reference-identity handling and matching (names.h).
#include "certkeeper/crypto/names.h"

#include <arpa/inet.h>
#include <idn2.h>
#include <libpsl.h>

#include <array>
#include <cstdlib>
#include <optional>

#include "certkeeper/util/text.h"

namespace certkeeper::crypto {
namespace {

constexpr std::size_t kMaxHostLength = 253;
constexpr std::size_t kMaxLabelLength = 63;
constexpr std::size_t kMaxNamesInMessage = 8;
constexpr std::size_t kMaxShownName = 100;  // bytes of one name in a message

std::string ascii_lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

bool is_ascii(std::string_view s) {
  for (char c : s) {
    if (static_cast<unsigned char>(c) >= 0x80) return false;
  }
  return true;
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t' || s.front() == '\n' || s.front() == '\r')) {
    s.remove_prefix(1);
  }
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\n' || s.back() == '\r')) {
    s.remove_suffix(1);
  }
  return s;
}

// The canonical text of an IPv4 or IPv6 literal ("[::1]" too), else nullopt.
std::optional<std::string> canonical_ip(std::string_view s) {
  if (s.size() >= 2 && s.front() == '[' && s.back() == ']') s = s.substr(1, s.size() - 2);
  if (s.empty() || s.size() >= INET6_ADDRSTRLEN) return std::nullopt;
  const std::string text(s);
  std::array<unsigned char, 16> bytes{};
  std::array<char, INET6_ADDRSTRLEN> buf{};
  if (inet_pton(AF_INET, text.c_str(), bytes.data()) == 1) {
    if (inet_ntop(AF_INET, bytes.data(), buf.data(), buf.size())) return std::string(buf.data());
  } else if (inet_pton(AF_INET6, text.c_str(), bytes.data()) == 1) {
    if (inet_ntop(AF_INET6, bytes.data(), buf.data(), buf.size())) return std::string(buf.data());
  }
  return std::nullopt;
}

// U-labels to A-labels (IDNA2008 with the UTS #46 mapping, which also
// lower-cases). nullopt when the name is not a valid IDN.
std::optional<std::string> to_a_labels(const std::string& utf8) {
  // libidn2 reads a C string: a NUL would cut the name short.
  if (utf8.find('\0') != std::string::npos) return std::nullopt;
  char* out = nullptr;
  const int rc = idn2_to_ascii_8z(utf8.c_str(), &out, IDN2_NFC_INPUT | IDN2_NONTRANSITIONAL);
  if (rc != IDN2_OK || !out) {
    idn2_free(out);
    return std::nullopt;
  }
  std::string result(out);
  idn2_free(out);
  return ascii_lower(result);
}

bool valid_dns_name(const std::string& name) {
  if (name.empty() || name.size() > kMaxHostLength) return false;
  std::size_t label = 0;
  for (char c : name) {
    if (c == '.') {
      if (label == 0) return false;
      label = 0;
      continue;
    }
    const bool ok = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_';
    if (!ok || ++label > kMaxLabelLength) return false;
  }
  return label != 0;
}

std::string strip_one_dot(std::string_view s) {
  if (!s.empty() && s.back() == '.') s.remove_suffix(1);
  return std::string(s);
}

// A presented dNSName in comparable form; never fails (a name that cannot be
// converted simply matches nothing).
std::string presented_form(std::string_view presented) {
  std::string name = strip_one_dot(presented);
  if (!is_ascii(name)) {
    if (auto a = to_a_labels(name)) return *a;
  }
  return ascii_lower(name);
}

bool valid_port(std::string_view port) {
  if (port.empty()) return true;  // "host:" is allowed by RFC 3986
  if (port.size() > 5) return false;
  for (char c : port) {
    if (c < '0' || c > '9') return false;
  }
  return std::atoi(std::string(port).c_str()) <= 65535;
}

bool valid_scheme(std::string_view scheme) {
  if (scheme.empty() || !((scheme[0] >= 'a' && scheme[0] <= 'z') || (scheme[0] >= 'A' && scheme[0] <= 'Z'))) {
    return false;
  }
  for (char c : scheme) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '+' ||
                    c == '-' || c == '.';
    if (!ok) return false;
  }
  return true;
}

// The host part of an authority ("user@host:port", "[v6]:port"); nullopt
// when it is malformed.
std::optional<std::string_view> authority_host(std::string_view authority) {
  if (auto at = authority.rfind('@'); at != std::string_view::npos) authority.remove_prefix(at + 1);
  if (!authority.empty() && authority.front() == '[') {
    const auto close = authority.find(']');
    if (close == std::string_view::npos) return std::nullopt;
    std::string_view after = authority.substr(close + 1);
    if (!after.empty() && (after.front() != ':' || !valid_port(after.substr(1)))) return std::nullopt;
    return authority.substr(0, close + 1);
  }
  const auto colon = authority.find(':');
  if (colon == std::string_view::npos) return authority;
  if (authority.find(':', colon + 1) != std::string_view::npos) return std::nullopt;  // IPv6 needs brackets
  if (!valid_port(authority.substr(colon + 1))) return std::nullopt;
  return authority.substr(0, colon);
}

}  // namespace

bool is_ip_address(std::string_view host) { return canonical_ip(trim(host)).has_value(); }

bool is_public_suffix(std::string_view domain) {
  // Loaded once; libpsl's lookups on a loaded context are read-only.
  static const psl_ctx_t* const psl = [] {
    const psl_ctx_t* latest = psl_latest(nullptr);
    return latest ? latest : psl_builtin();
  }();
  if (!psl || domain.empty()) return false;
  const std::string name(domain);
  return psl_is_public_suffix2(psl, name.c_str(), PSL_TYPE_ICANN | PSL_TYPE_NO_STAR_RULE) != 0;
}

std::optional<std::string> name_problem(std::string_view presented) {
  if (presented.empty()) return "is empty";
  if (!text::is_utf8(presented)) return "holds bytes that are not UTF-8";
  if (!text::is_printable(presented)) return "holds control characters";
  std::string name = strip_one_dot(presented);
  // RFC 6125 §6.4.3, CA/Browser Forum BR 7.1.2.7.12: the wildcard is the
  // whole left-most label, followed by a host name.
  if (name.rfind("*.", 0) == 0) name.erase(0, 2);
  if (!is_ascii(name)) {
    auto a = to_a_labels(name);
    if (!a) return "is not a valid internationalized domain name (IDNA2008)";
    name = *a;
  }
  if (!valid_dns_name(ascii_lower(name))) {
    return "is not a host name (letters, digits, '-' and '_' in labels of 1 to 63 characters, '*' only as the "
           "whole left-most label)";
  }
  return std::nullopt;
}

Result<std::string> normalize_host(std::string_view host_in) {
  const std::string_view host = trim(host_in);
  const std::string subject(host_in);
  if (host.empty()) return make_error(Errc::usage, "the host name is empty; give a DNS name or an IP address");
  if (auto ip = canonical_ip(host)) return *ip;
  std::string name = strip_one_dot(host);
  if (!is_ascii(name)) {
    auto a = to_a_labels(name);
    if (!a) {
      return make_error(Errc::usage, "is not a valid internationalized domain name (IDNA2008); check its spelling",
                        subject);
    }
    name = *a;
  }
  name = ascii_lower(name);
  if (!valid_dns_name(name)) {
    return make_error(Errc::usage,
                      "is not a valid host name; give a DNS name (letters, digits, '-', dots) or an IP address",
                      subject);
  }
  return name;
}

bool has_userinfo(std::string_view url_in) {
  std::string_view rest = trim(url_in);
  if (auto sep = rest.find("://"); sep != std::string_view::npos) rest.remove_prefix(sep + 3);
  return rest.substr(0, rest.find_first_of("/?#")).find('@') != std::string_view::npos;
}

Result<std::string> host_from_url(std::string_view url_in) {
  const std::string_view url = trim(url_in);
  const std::string subject(url_in);
  const auto no_host = [&] {
    return make_error(Errc::usage, "has no host name; give a URL like https://mail.example.com/ or a host name",
                      subject);
  };
  if (url.empty()) return no_host();
  std::string_view rest = url;
  if (auto sep = rest.find("://"); sep != std::string_view::npos) {
    if (!valid_scheme(rest.substr(0, sep))) return no_host();
    rest.remove_prefix(sep + 3);
  } else if (is_ip_address(rest)) {
    return normalize_host(rest);  // a bare "::1" or "[::1]"
  }
  const std::string_view authority = rest.substr(0, rest.find_first_of("/?#"));
  const std::optional<std::string_view> host = authority_host(authority);
  if (!host || host->empty()) return no_host();
  if (host->front() == '[' && !is_ip_address(*host)) return no_host();
  auto normalized = normalize_host(*host);
  if (!normalized) return make_error(Errc::usage, normalized.error().message, subject);
  return normalized;
}

namespace {

enum class Wildcard { match, none, partial, too_broad, apex, too_deep };

// RFC 9525 §6.3: "*" only as the whole left-most label, covering exactly one
// label, never a whole top-level domain nor any other public suffix
// (CA/Browser Forum BR 3.2.2.6: "*.co.uk" would be every company in the UK).
Wildcard wildcard_match(const std::string& presented, const std::string& reference) {
  if (presented.find('*') == std::string::npos) return Wildcard::none;
  if (presented.size() < 3 || presented.compare(0, 2, "*.") != 0 ||
      presented.find('*', 1) != std::string::npos) {
    return Wildcard::partial;
  }
  const std::string base = presented.substr(2);
  if (base.find('.') == std::string::npos || is_public_suffix(base)) return Wildcard::too_broad;
  if (reference == base) return Wildcard::apex;
  if (reference.size() <= base.size() + 1) return Wildcard::none;
  const std::size_t label_len = reference.size() - base.size() - 1;
  if (reference.compare(label_len + 1, std::string::npos, base) != 0 || reference[label_len] != '.') {
    return Wildcard::none;
  }
  if (reference.find('.') < label_len) return Wildcard::too_deep;
  return Wildcard::match;
}

// A presented name as a message shows it: escaped (text::printable) and
// bounded, since a certificate's names are outside input.
std::string shown(std::string_view name) { return text::printable(text::truncate_utf8(name, kMaxShownName)); }

std::string name_list(const std::vector<std::string>& names) {
  std::string out;
  for (std::size_t i = 0; i < names.size() && i < kMaxNamesInMessage; ++i) {
    if (!out.empty()) out += ", ";
    out += shown(names[i]);
  }
  if (names.size() > kMaxNamesInMessage) out += ", ...";
  return out;
}

std::string cn_only_explanation(std::string_view subject_cn, const std::string& reference) {
  const std::string cn = presented_form(subject_cn);
  if (!subject_cn.empty() && (cn == reference || canonical_ip(subject_cn) == reference)) {
    return "the certificate names it only in its subject CN, which clients ignore (RFC 9525); "
           "it has no subjectAltName, so it must be reissued with a subjectAltName entry for it";
  }
  return "the certificate has no subjectAltName entries at all (clients ignore the subject CN); "
         "it must be reissued with a subjectAltName entry for it";
}

std::string wildcard_explanation(Wildcard w, const std::string& presented_raw) {
  const std::string presented = shown(presented_raw);
  switch (w) {
    case Wildcard::partial: return "'" + presented + "' is a partial wildcard, which never matches";
    case Wildcard::too_broad:
      return "'" + presented + "' would cover a whole public suffix (a top-level domain, or one such as co.uk) and never "
             "matches";
    case Wildcard::apex: return "'" + presented + "' covers the names under the domain, not the domain itself";
    case Wildcard::too_deep: return "'" + presented + "' covers exactly one label, not several";
    default: return {};
  }
}

NameMatch match_ip(const std::vector<std::string>& dns_names, const std::vector<std::string>& ip_addresses,
                   const std::string& reference) {
  NameMatch m;
  for (const std::string& ip : ip_addresses) {
    if (canonical_ip(ip) == reference) return NameMatch{MatchKind::ip, ip, {}};
  }
  for (const std::string& dns : dns_names) {
    if (canonical_ip(strip_one_dot(dns)) == reference) {
      m.explanation = "the certificate lists '" + shown(dns) +
                      "' as a DNS name; an IP address is covered only by an iPAddress subjectAltName entry";
      return m;
    }
  }
  m.explanation = ip_addresses.empty() ? "the certificate has no IP address entries in its subjectAltName"
                                       : "not among the certificate's IP addresses: " + name_list(ip_addresses);
  return m;
}

NameMatch match_dns(const std::vector<std::string>& dns_names, const std::string& reference) {
  for (const std::string& presented : dns_names) {
    if (presented_form(presented) == reference) return NameMatch{MatchKind::exact, presented, {}};
  }
  NameMatch m;
  std::string wildcard_note;
  for (const std::string& presented : dns_names) {
    const Wildcard w = wildcard_match(presented_form(presented), reference);
    if (w == Wildcard::match) return NameMatch{MatchKind::wildcard, presented, {}};
    if (wildcard_note.empty() && w != Wildcard::none) wildcard_note = wildcard_explanation(w, presented);
  }
  m.explanation = !wildcard_note.empty() ? wildcard_note
                  : dns_names.empty()    ? "the certificate has no DNS names in its subjectAltName"
                                         : "not among the certificate's names: " + name_list(dns_names);
  return m;
}

// 'TEXT', built in one buffer: g++ 12 at -O3 takes "'" + std::string(...)
// for an overlapping memcpy (a false -Wrestrict, an error under -Werror).
std::string quoted(std::string_view raw) {
  const std::string text = shown(raw);
  std::string out;
  out.reserve(text.size() + 2);
  out += '\'';
  out += text;
  out += '\'';
  return out;
}

}  // namespace

// A wildcard reference ("*.example.com", as an ACME definition declares it)
// is covered only by the same wildcard entry, never by a list of names.
NameMatch match_wildcard_reference(const std::vector<std::string>& dns_names, std::string_view reference_in) {
  NameMatch m;
  auto base = normalize_host(reference_in.substr(2));
  if (!base) {
    m.explanation = quoted(reference_in) + " is not a valid wildcard name";
    return m;
  }
  const std::string wanted = "*." + *base;
  for (const auto& presented : dns_names) {
    if (presented_form(presented) == wanted) return {MatchKind::wildcard, presented, ""};
  }
  m.explanation = "no subjectAltName entry is '" + wanted + "' (it has " + name_list(dns_names) + ")";
  return m;
}

NameMatch match_name(const std::vector<std::string>& dns_names, const std::vector<std::string>& ip_addresses,
                     std::string_view subject_cn, std::string_view reference_in) {
  if (reference_in.substr(0, 2) == "*.") return match_wildcard_reference(dns_names, reference_in);
  auto reference = normalize_host(reference_in);
  if (!reference) {
    NameMatch m;
    m.explanation = quoted(reference_in) + " is not a valid host name or IP address";
    return m;
  }
  if (dns_names.empty() && ip_addresses.empty()) {
    NameMatch m;
    m.explanation = cn_only_explanation(subject_cn, *reference);
    return m;
  }
  if (is_ip_address(*reference)) return match_ip(dns_names, ip_addresses, *reference);
  return match_dns(dns_names, *reference);
}

}  // namespace certkeeper::crypto
