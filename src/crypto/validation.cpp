// The validation gate (validation.h): read, identify the leaf and its key,
// then run every check. Each check lives in its own file (gate.h).
#include "certkeeper/crypto/validation.h"

#include <openssl/x509.h>

#include <cassert>
#include <exception>

#include "facts_internal.h"
#include "gate.h"
#include "openssl_error.h"

namespace certkeeper::crypto {
namespace {

// Unreadable input or a wrong PKCS#12 password: the remaining checks would
// only repeat the same problem in other words.
bool input_blocked(const Gate& gate) {
  return gate.has(FindingCode::unreadable) || gate.has(FindingCode::p12_bad_password);
}

// A leaf whose public key OpenSSL cannot decode (damaged, or an algorithm
// it does not know) can serve no TLS session, and the checks below would
// each ask that missing key something.
void check_public_key(Gate& gate) {
  if (X509_get0_pubkey(gate.leaf)) return;
  clear_openssl_errors();
  gate.add(Severity::error, FindingCode::unreadable, gate.leaf_label,
           "the certificate's public key cannot be read (damaged, or an algorithm OpenSSL does not support); "
           "get the certificate issued again");
}

void run_checks(Gate& gate, Verdict& verdict) {
  if (!choose_leaf_and_key(gate)) return;
  gate.leaf_facts = facts_of(gate.leaf);
  check_public_key(gate);
  if (!input_blocked(gate)) {
    check_chain(gate);
    check_dates(gate);
    check_usage(gate);
    check_strength(gate);
    check_names(gate);
  }
  verdict.bundle = make_bundle(gate);
}

template <class ReadInputs>
Verdict run_gate(const Policy& policy, std::string origin, const std::string& subject, ReadInputs read_inputs) {
  Verdict verdict;
  verdict.origin = std::move(origin);
  try {
    Gate gate(policy);
    read_inputs(gate);
    read_ca_file(gate);
    run_checks(gate, verdict);
    verdict.findings = std::move(gate.findings);
  } catch (const std::exception& e) {
    verdict.bundle.reset();
    verdict.findings.push_back(make_finding(Severity::error, FindingCode::internal_error, subject,
                                            std::string("validation stopped on an internal error (") + e.what() +
                                                "); please report this"));
  }
  clear_openssl_errors();
  return verdict;
}

}  // namespace

Finding make_finding(Severity severity, FindingCode code, std::string subject, std::string message) {
  assert(allows(finding_code_info(code), severity) && "a severity the finding table does not list");
  return Finding{severity, finding_code_name(code), std::move(subject), std::move(message)};
}

bool Verdict::accepted() const { return count(Severity::error) == 0; }

std::size_t Verdict::count(Severity s) const {
  std::size_t n = 0;
  for (const Finding& f : findings) n += f.severity == s ? 1 : 0;
  return n;
}

Verdict validate(const Sources& sources, const Policy& policy) {
  const bool p12 = !sources.p12_file.empty();
  return run_gate(policy, p12 ? "import-p12" : "import-pem", p12 ? sources.p12_file : sources.cert_file,
                  [&](Gate& gate) { read_sources(sources, gate); });
}

Verdict validate_pem(const std::string& label, const std::string& cert_and_chain_pem, const std::string& key_pem,
                     const Policy& policy) {
  return run_gate(policy, "acme", label,
                  [&](Gate& gate) { read_texts(label, cert_and_chain_pem, key_pem, gate); });
}

}  // namespace certkeeper::crypto
