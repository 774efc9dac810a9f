// The names the leaf must cover (Policy::names) against its subjectAltName,
// and subjectAltName entries that are no host name at all.
#include <fmt/format.h>

#include "certkeeper/crypto/names.h"
#include "certkeeper/util/text.h"
#include "gate.h"

namespace certkeeper::crypto {
namespace {

constexpr std::size_t kMaxInvalidShown = 8;   // entries named in the finding
constexpr std::size_t kMaxShownName = 100;    // bytes of one entry

// A dNSName that is not a host name can never be matched by a client, and
// strict clients (Go's crypto/x509, for one) refuse to parse the whole
// certificate: RFC 5280 §4.2.1.6 wants the preferred name syntax. Such an
// entry comes from a broken or hostile CA, so the certificate is refused.
void check_presented_names(Gate& gate) {
  std::vector<std::string> invalid;
  std::size_t count = 0;
  for (const std::string& name : gate.leaf_facts.dns_names) {
    auto problem = name_problem(name);
    if (!problem) continue;
    if (++count <= kMaxInvalidShown) {
      invalid.push_back(fmt::format("'{}' ({})", text::printable(text::truncate_utf8(name, kMaxShownName)),
                                    *problem));
    }
  }
  if (count == 0) return;
  std::string list = fmt::format("{}", fmt::join(invalid, ", "));
  if (count > invalid.size()) list += fmt::format(" and {} more", count - invalid.size());
  gate.add(Severity::error, FindingCode::name_invalid, gate.leaf_label,
           fmt::format("{} not a host name: {}; no client can match {}, and some refuse the whole certificate: get "
                       "a certificate whose subjectAltName lists only host names",
                       count == 1 ? "the subjectAltName entry is" : fmt::format("{} subjectAltName entries are", count),
                       list, count == 1 ? "it" : "them"));
}

}  // namespace

void check_names(Gate& gate) {
  check_presented_names(gate);
  const CertificateFacts& f = gate.leaf_facts;
  if (gate.policy.names.empty()) {
    gate.add(Severity::info, FindingCode::name_unchecked, gate.leaf_label,
             "no host name was given, so the names were not checked; pass --host or --external-url, or set one "
             "with 'certkeeper init --external-url URL'");
    return;
  }
  const bool has_san = !f.dns_names.empty() || !f.ip_addresses.empty();
  for (const std::string& name : gate.policy.names) {
    const NameMatch m = match_name(f.dns_names, f.ip_addresses, f.subject_cn, name);
    if (m.kind != MatchKind::none) continue;
    std::string message = "the certificate does not cover '" + text::printable(name) + "': " + m.explanation;
    if (has_san) message += "; get a certificate whose subjectAltName includes it, or check --host/--external-url";
    gate.add(Severity::error, FindingCode::name_mismatch, gate.leaf_label, message);
  }
}

}  // namespace certkeeper::crypto
