// The working state of one run of the validation gate (validation.h), shared
// by the files that each check one thing: inputs, key, chain, dates, usage,
// names. Private to src/crypto.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "certkeeper/crypto/validation.h"
#include "certkeeper/util/text.h"
#include "chain.h"
#include "certkeeper/crypto/openssl_ptr.h"

namespace certkeeper::crypto {

struct SuppliedCert {
  X509Ptr cert;
  std::string label;  // the file (or Sources label) it came from
};

struct SuppliedKey {
  EvpPkeyPtr key;
  std::string label;
};

// What the user handed in, parsed.
struct GateInput {
  std::string cert_label;   // the certificate file, PKCS#12 file or validate_pem label
  std::string key_label;    // "" when no key file was given
  std::string chain_label;  // "" when no chain file was given
  std::string ca_label;     // Policy::ca_file
  bool p12 = false;
  bool from_ca = false;  // validate_pem: a chain served by a CA, not an upload
  std::string passphrase_label;  // the --key-passphrase-file, "" when none
  std::vector<SuppliedCert> cert_file_certs;  // in file order
  std::vector<SuppliedCert> chain_certs;      // in file order
  std::vector<SuppliedKey> keys;              // key file first, then the certificate file
  std::vector<std::string> encrypted_key_labels;  // one per key left encrypted
  bool key_file_holds_certs = false;
  bool cert_file_holds_keys = false;
  std::vector<X509Ptr> ca_file_certs;
};

struct Gate {
  explicit Gate(const Policy& p) : policy(p) {}

  const Policy& policy;
  GateInput in;
  std::vector<Finding> findings;

  X509* leaf = nullptr;        // owned by `in`
  std::string leaf_label;
  EVP_PKEY* key = nullptr;     // owned by `in`; null when none matched
  CertificateFacts leaf_facts;
  PathResult path;
  bool path_built = false;

  // Messages quote certificate fields (outside input) and subjects name
  // files: both are kept to one printable line (util/text.h), whatever they hold.
  void add(Severity severity, FindingCode code, std::string subject, std::string message) {
    findings.push_back(make_finding(severity, code, text::printable(subject), text::printable(message)));
  }
  bool has(FindingCode code) const {
    const std::string_view name = finding_code_name(code);
    for (const Finding& f : findings) {
      if (f.code == name) return true;
    }
    return false;
  }

  // Where a certificate of the path came from: a user file, --ca-file or
  // the system trust store.
  std::string label_of(X509* cert) const;
  // The file findings about the chain are about: the chain file, else the
  // certificate file.
  std::string chain_subject() const { return in.chain_label.empty() ? in.cert_label : in.chain_label; }
};

// gate_inputs.cpp: read what the user handed in. Unreadable input becomes an
// `unreadable` finding naming the file.
void read_sources(const Sources& sources, Gate& gate);
void read_texts(const std::string& label, const std::string& cert_pem, const std::string& key_pem, Gate& gate);
void read_ca_file(Gate& gate);

// gate_key.cpp: pick the leaf and its key; key-* findings. False when no
// leaf could be identified (the gate stops there).
bool choose_leaf_and_key(Gate& gate);

// validation_chain.cpp: the path, chain-* / root-* / self-signed findings.
void check_chain(Gate& gate);
// validation_dates.cpp: expired, not-yet-valid, chain-expires-first, expires-soon.
void check_dates(Gate& gate);
// validation_usage.cpp: leaf-usage, weak-key, weak-signature.
void check_usage(Gate& gate);
void check_strength(Gate& gate);
// validation_names.cpp: name-mismatch, name-unchecked.
void check_names(Gate& gate);

// bundle.cpp: the Bundle of what the gate identified.
Bundle make_bundle(const Gate& gate);

}  // namespace certkeeper::crypto
