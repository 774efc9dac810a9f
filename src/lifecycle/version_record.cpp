#include "certkeeper/lifecycle/version_record.h"

#include <nlohmann/json.hpp>

#include "certkeeper/util/text.h"

namespace certkeeper::lifecycle {

std::string findings_json(const std::vector<crypto::Finding>& findings) {
  nlohmann::json out = nlohmann::json::array();
  for (const auto& f : findings) {
    if (f.severity == crypto::Severity::error) continue;
    out.push_back({{"severity", crypto::severity_name(f.severity)},
                   {"code", f.code},
                   {"subject", text::to_utf8(f.subject)},
                   {"message", text::to_utf8(f.message)}});
  }
  return out.dump();
}

store::VersionRecord version_record(const crypto::Bundle& bundle, const crypto::Verdict& verdict) {
  store::VersionRecord v = version_facts(bundle.leaf());
  v.leaf_pem = bundle.leaf_pem();
  v.chain_pem = bundle.chain_pem();
  v.root_pem = bundle.root_pem();
  v.key_pem = bundle.key_pem();
  v.origin = verdict.origin;
  v.findings_json = findings_json(verdict.findings);
  return v;
}

store::VersionRecord version_facts(const crypto::CertificateFacts& leaf) {
  store::VersionRecord v;
  v.fingerprint_sha256 = leaf.fingerprint_sha256;
  v.serial = leaf.serial_hex;
  v.subject = leaf.subject;
  v.issuer = leaf.issuer;
  v.issuer_cn = leaf.issuer_cn;
  v.names = leaf.names();
  v.key_type = leaf.key_type;
  v.not_before = leaf.not_before;
  v.not_after = leaf.not_after;
  return v;
}

}  // namespace certkeeper::lifecycle
