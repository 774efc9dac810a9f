// The names the leaf must cover (Policy::names) against its subjectAltName.
#include "certkeeper/crypto/names.h"
#include "gate.h"

namespace certkeeper::crypto {

void check_names(Gate& gate) {
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
    std::string message = "the certificate does not cover '" + name + "': " + m.explanation;
    if (has_san) message += "; get a certificate whose subjectAltName includes it, or check --host/--external-url";
    gate.add(Severity::error, FindingCode::name_mismatch, gate.leaf_label, message);
  }
}

}  // namespace certkeeper::crypto
