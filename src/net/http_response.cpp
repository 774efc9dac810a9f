#include <algorithm>

#include "certkeeper/net/http_client.h"
#include "certkeeper/util/text.h"
#include "url.h"

namespace certkeeper::net {
namespace {

using text::ascii_lower;

std::string trim(const std::string& s) { return std::string(text::trim_blanks(s)); }

}  // namespace

std::string HttpResponse::header(const std::string& name) const {
  std::string key = ascii_lower(name);
  for (const auto& [k, v] : headers) {
    if (k == key) return v;
  }
  return {};
}

std::vector<std::string> HttpResponse::header_values(const std::string& name) const {
  std::string key = ascii_lower(name);
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
      std::size_t r = ascii_lower(params).find("rel=");
      if (r != std::string::npos) {
        std::string rel_value = trim(params.substr(r + 4));
        rel_value = rel_value.substr(0, rel_value.find_first_of(";,"));
        rel_value.erase(std::remove(rel_value.begin(), rel_value.end(), '"'), rel_value.end());
        // rel may hold several space-separated relation types.
        // Built piece by piece: g++ 12 -O3 flags `" " + s + " "` with a false -Wrestrict.
        std::string padded = " ";
        padded += ascii_lower(trim(rel_value));
        padded += ' ';
        std::string wanted = " ";
        wanted += ascii_lower(rel);
        wanted += ' ';
        if (padded.find(wanted) != std::string::npos) out.push_back(resolve_reference(target, url));
      }
      pos = close + 1;
    }
  }
  return out;
}

}  // namespace certkeeper::net
