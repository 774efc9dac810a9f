#include "url.h"

#include <algorithm>
#include <charconv>

#include "certkeeper/util/text.h"

namespace certkeeper::net {
namespace {

Error bad_url(std::string_view text, const std::string& why) {
  return make_error(Errc::usage, "not a usable http(s) URL: " + why, std::string(text));
}

int default_port(const std::string& scheme) { return scheme == "https" ? 443 : 80; }

}  // namespace

std::string Url::authority() const {
  std::string out = host.find(':') != std::string::npos ? "[" + host + "]" : host;
  if (port != default_port(scheme)) out += ":" + std::to_string(port);
  return out;
}

Result<Url> parse_url(std::string_view text) {
  if (std::any_of(text.begin(), text.end(), [](unsigned char c) { return c <= 0x20 || c == 0x7F; })) {
    return bad_url(text, "it contains a space or a control character");
  }
  const auto colon = text.find("://");
  if (colon == std::string_view::npos) return bad_url(text, "it has no scheme");
  Url url;
  url.scheme = text::ascii_lower(text.substr(0, colon));
  if (url.scheme != "https" && url.scheme != "http") return bad_url(text, "the scheme is not http or https");
  std::string_view rest = text.substr(colon + 3);
  const auto authority_end = rest.find_first_of("/?#");
  std::string_view authority = rest.substr(0, authority_end);
  std::string_view tail = authority_end == std::string_view::npos ? std::string_view() : rest.substr(authority_end);
  if (const auto at = authority.find('@'); at != std::string_view::npos) {
    // The subject shows where, never the user information (a password).
    std::string shown = url.scheme + "://…@" + std::string(rest.substr(at + 1));
    return make_error(Errc::usage, "not a usable http(s) URL: it carries user information", std::move(shown));
  }

  std::string_view port_text;
  if (!authority.empty() && authority.front() == '[') {
    const auto close = authority.find(']');
    if (close == std::string_view::npos) return bad_url(text, "an IPv6 address without its closing bracket");
    url.host = std::string(authority.substr(1, close - 1));
    std::string_view after = authority.substr(close + 1);
    if (!after.empty() && after.front() != ':') return bad_url(text, "junk after the IPv6 address");
    if (!after.empty()) port_text = after.substr(1);
  } else {
    const auto port_colon = authority.rfind(':');
    url.host = std::string(authority.substr(0, port_colon));
    if (port_colon != std::string_view::npos) port_text = authority.substr(port_colon + 1);
  }
  if (url.host.empty()) return bad_url(text, "it has no host");
  url.port = default_port(url.scheme);
  if (authority.find(':') != std::string_view::npos && (authority.front() != '[' || !port_text.empty())) {
    int port = 0;
    const auto [end, ec] = std::from_chars(port_text.data(), port_text.data() + port_text.size(), port);
    if (port_text.empty() || ec != std::errc() || end != port_text.data() + port_text.size() || port < 1 ||
        port > 65535) {
      return bad_url(text, "the port is not a number from 1 to 65535");
    }
    url.port = port;
  }
  tail = tail.substr(0, tail.find('#'));
  url.target = tail.empty() || tail.front() != '/' ? "/" + std::string(tail) : std::string(tail);
  return url;
}

std::string resolve_reference(const std::string& reference, const std::string& base) {
  if (reference.find("://") != std::string::npos) return reference;
  const auto scheme_end = base.find("://");
  if (scheme_end == std::string::npos) return reference;
  if (reference.starts_with("//")) return base.substr(0, scheme_end + 1) + reference;
  const auto authority_end = base.find_first_of("/?#", scheme_end + 3);
  const std::string origin = authority_end == std::string::npos ? base : base.substr(0, authority_end);
  if (!reference.empty() && reference.front() == '/') return origin + reference;
  const std::string path = authority_end == std::string::npos ? "/" : base.substr(authority_end);
  const std::string without_query = path.substr(0, path.find_first_of("?#"));
  if (!reference.empty() && reference.front() == '?') return origin + without_query + reference;
  return origin + without_query.substr(0, without_query.rfind('/') + 1) + reference;
}

}  // namespace certkeeper::net
