// Dates, all judged at Policy::now: expired, not yet valid, a CA certificate
// that expires before the leaf, and a leaf that expires soon.
#include "certkeeper/util/expiry.h"

#include "facts_internal.h"
#include "gate.h"

namespace certkeeper::crypto {
namespace {

constexpr std::int64_t kClockSkew = 300;  // seconds: a not-yet-valid certificate within this is a warning

std::string what(const CertificateFacts& f, bool is_leaf) {
  const std::string name = f.subject_cn.empty() ? f.subject : f.subject_cn;
  return is_leaf ? "the certificate '" + name + "'" : "the CA certificate '" + name + "'";
}

void check_one(Gate& gate, X509* cert, bool is_leaf) {
  const CertificateFacts f = is_leaf ? gate.leaf_facts : facts_of(cert);
  const UnixTime now = gate.policy.now;
  const std::string subject = is_leaf ? gate.leaf_label : gate.label_of(cert);
  const std::string fix = is_leaf ? "get a new certificate" : "get the current CA certificates from the CA";
  if (f.not_after <= now) {
    gate.add(Severity::error, FindingCode::expired, subject,
             what(f, is_leaf) + " expired on " + format_utc(f.not_after) + "; " + fix);
    return;
  }
  if (f.not_before > now + kClockSkew) {
    gate.add(Severity::error, FindingCode::not_yet_valid, subject,
             what(f, is_leaf) + " is not valid until " + format_utc(f.not_before) +
                 "; wait until then, or check this machine's clock");
  } else if (f.not_before > now) {
    gate.add(Severity::warning, FindingCode::not_yet_valid, subject,
             what(f, is_leaf) + " becomes valid only at " + format_utc(f.not_before) +
                 ", less than 5 minutes from now; clients with a slow clock may reject it until then");
  }
  if (!is_leaf && f.not_after < gate.leaf_facts.not_after) {
    gate.add(Severity::warning, FindingCode::chain_expires_first, subject,
             what(f, false) + " expires on " + format_utc(f.not_after) + ", before the certificate (" +
                 format_utc(gate.leaf_facts.not_after) + "); clients will reject the chain then; " + fix);
  }
}

void check_expires_soon(Gate& gate) {
  const CertificateFacts& f = gate.leaf_facts;
  const UnixTime now = gate.policy.now;
  if (!expires_soon(f.not_before, f.not_after, now)) return;
  const std::int64_t left = f.not_after - now;
  gate.add(Severity::warning, FindingCode::expires_soon, gate.leaf_label,
           "the certificate expires on " + format_utc(f.not_after) + ", in " + std::to_string(left / kSecondsPerDay) +
               (left / kSecondsPerDay == 1 ? " day" : " days") + "; renew it soon");
}

}  // namespace

void check_dates(Gate& gate) {
  check_one(gate, gate.leaf, true);
  if (gate.path_built) {
    const auto& path = gate.path.path;
    for (std::size_t i = 1; i < path.size(); ++i) check_one(gate, path[i].get(), false);
  }
  check_expires_soon(gate);
}

}  // namespace certkeeper::crypto
