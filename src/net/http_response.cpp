#include <algorithm>
#include <cctype>

#include "certkeeper/net/http_client.h"

namespace certkeeper::net {
namespace {

std::string lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return std::tolower(c); });
  return s;
}

std::string trim(const std::string& s) {
  auto b = s.find_first_not_of(" \t");
  auto e = s.find_last_not_of(" \t");
  return b == std::string::npos ? "" : s.substr(b, e - b + 1);
}

// Resolves a Link target against the response URL: absolute URLs stay,
// "/path" takes the scheme and authority of `base`.
std::string resolve(const std::string& target, const std::string& base) {
  if (target.find("://") != std::string::npos) return target;
  auto scheme_end = base.find("://");
  if (scheme_end == std::string::npos) return target;
  auto authority_end = base.find('/', scheme_end + 3);
  std::string origin = authority_end == std::string::npos ? base : base.substr(0, authority_end);
  if (!target.empty() && target[0] == '/') return origin + target;
  auto last_slash = base.rfind('/');
  return (last_slash > scheme_end + 2 ? base.substr(0, last_slash + 1) : origin + "/") + target;
}

}  // namespace

std::string HttpResponse::header(const std::string& name) const {
  std::string key = lower(name);
  for (const auto& [k, v] : headers) {
    if (k == key) return v;
  }
  return {};
}

std::vector<std::string> HttpResponse::header_values(const std::string& name) const {
  std::string key = lower(name);
  std::vector<std::string> out;
  for (const auto& [k, v] : headers) {
    if (k == key) out.push_back(v);
  }
  return out;
}

std::vector<std::string> HttpResponse::links(const std::string& rel) const {
  // RFC 8288: Link: <target>; rel="alternate", <target2>; rel="up"
  std::vector<std::string> out;
  for (const auto& value : header_values("link")) {
    std::size_t pos = 0;
    while ((pos = value.find('<', pos)) != std::string::npos) {
      auto close = value.find('>', pos);
      if (close == std::string::npos) break;
      std::string target = value.substr(pos + 1, close - pos - 1);
      auto next = value.find('<', close);
      std::string params = value.substr(close + 1, next == std::string::npos ? std::string::npos : next - close - 1);
      std::size_t r = lower(params).find("rel=");
      if (r != std::string::npos) {
        std::string rel_value = trim(params.substr(r + 4));
        rel_value = rel_value.substr(0, rel_value.find_first_of(";,"));
        rel_value.erase(std::remove(rel_value.begin(), rel_value.end(), '"'), rel_value.end());
        // rel may hold several space-separated relation types.
        // Built piece by piece: g++ 12 -O3 flags `" " + s + " "` with a false -Wrestrict.
        std::string padded = " ";
        padded += lower(trim(rel_value));
        padded += ' ';
        std::string wanted = " ";
        wanted += lower(rel);
        wanted += ' ';
        if (padded.find(wanted) != std::string::npos) out.push_back(resolve(target, url));
      }
      pos = close + 1;
    }
  }
  return out;
}

}  // namespace certkeeper::net
