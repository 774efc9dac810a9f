// Host, URL and name matching (crypto/names.h, RFC 6125 / RFC 9525): the
// external URL or host a user gives, and the names a certificate presents.
//
// Input lines: the reference (URL or host), the subject CN, then the
// presented subjectAltName entries, "ip:" marking an iPAddress entry.
#include <algorithm>

#include "certkeeper/crypto/names.h"
#include "fuzz_input.h"

namespace {

using namespace certkeeper;

std::vector<std::string> lines_of(std::string_view text) {
  std::vector<std::string> out;
  std::size_t start = 0;
  while (start <= text.size() && out.size() < 64) {
    auto end = text.find('\n', start);
    out.emplace_back(text.substr(start, end == std::string_view::npos ? end : end - start));
    if (end == std::string_view::npos) break;
    start = end + 1;
  }
  return out;
}

// A normalised host is its own normal form.
void check_normal(const std::string& host) {
  auto again = crypto::normalize_host(host);
  if (!again || *again != host) fuzz::property_failed("normalize_host is not idempotent");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  auto lines = lines_of(fuzz::as_text(data, size));
  lines.resize(std::max<std::size_t>(lines.size(), 2));
  const std::string& reference = lines[0];
  const std::string& cn = lines[1];
  std::vector<std::string> dns, ips;
  for (std::size_t i = 2; i < lines.size(); ++i) {
    if (lines[i].rfind("ip:", 0) == 0) {
      ips.push_back(lines[i].substr(3));
    } else {
      dns.push_back(lines[i]);
    }
  }

  (void)crypto::is_ip_address(reference);
  if (auto host = crypto::host_from_url(reference)) check_normal(*host);
  auto normal = crypto::normalize_host(reference);
  if (normal) check_normal(*normal);

  auto m = crypto::match_name(dns, ips, cn, reference);
  if (m.kind != crypto::MatchKind::none && m.presented.empty()) fuzz::property_failed("a match without its entry");
  if (m.kind == crypto::MatchKind::none && m.explanation.empty()) fuzz::property_failed("no match, no reason");

  // Whatever names a host covers it: its own dNSName entry, or its own
  // iPAddress entry for an IP address.
  if (normal && reference.rfind("*.", 0) != 0) {
    const bool ip = crypto::is_ip_address(*normal);
    auto self = ip ? crypto::match_name({}, {*normal}, "", reference) : crypto::match_name({*normal}, {}, "", reference);
    if (self.kind != (ip ? crypto::MatchKind::ip : crypto::MatchKind::exact)) {
      fuzz::property_failed("a host is not covered by an entry for itself");
    }
  }
  return 0;
}
