// RFC 9773 §4.2 renewalInfo documents into RenewalInfo.
#include <algorithm>

#include <nlohmann/json.hpp>

#include "certkeeper/acme/rfc3339.h"
#include "certkeeper/util/json.h"
#include "parse.h"

namespace certkeeper::acme::detail {
namespace {

using nlohmann::json;

Error malformed_renewal_info(const std::string& url, const std::string& why) {
  return make_error(Errc::ca_failed,
                    "the ACME server sent a malformed renewalInfo (" + why +
                        "); renewal falls back to the certificate's lifetime, try again later",
                    url);
}

std::optional<UnixTime> time_field(const json& window, const char* key) {
  auto it = window.find(key);
  if (it == window.end() || !it->is_string()) return std::nullopt;
  return parse_rfc3339(it->get<std::string>());
}

}  // namespace

Result<RenewalInfo> parse_renewal_info(const std::string& body, const std::string& retry_after_header,
                                       const std::string& url, UnixTime now) {
  auto parsed = parse_json(body);
  if (!parsed) return malformed_renewal_info(url, parsed.error().message);
  const json& j = *parsed;
  if (!j.is_object()) return malformed_renewal_info(url, "not a JSON object");
  auto window = j.find("suggestedWindow");
  if (window == j.end() || !window->is_object()) return malformed_renewal_info(url, "no suggestedWindow object");
  auto start = time_field(*window, "start");
  auto end = time_field(*window, "end");
  if (!start || !end) return malformed_renewal_info(url, "suggestedWindow start or end missing or not an RFC 3339 time");
  // §4.2: a window whose end equals or precedes its start is invalid.
  if (*end <= *start) return malformed_renewal_info(url, "the suggestedWindow ends before it starts");

  RenewalInfo info;
  info.start = *start;
  info.end = *end;
  if (auto e = j.find("explanationURL"); e != j.end() && e->is_string()) info.explanation_url = e->get<std::string>();
  // §4.3: honour Retry-After, within sane limits so that a broken header
  // neither hammers the CA nor stops us looking for a day or more.
  if (auto at = parse_retry_after(retry_after_header, now)) {
    info.retry_after = std::clamp<UnixTime>(*at, now + kRenewalInfoMinRecheck, now + kRenewalInfoMaxRecheck);
  }
  return info;
}

}  // namespace certkeeper::acme::detail
