// Which certificate is the leaf, and which key is its own: the leaf is the
// certificate of the certificate file that a supplied key matches, else the
// first one that issued none of the others (so a fullchain file works).
#include "facts_internal.h"
#include "gate.h"
#include "openssl_io.h"

namespace certkeeper::crypto {
namespace {

bool has_unreadable(const Gate& gate, const std::string& label) {
  for (const Finding& f : gate.findings) {
    if (f.code == finding_code_name(FindingCode::unreadable) && f.subject == label) return true;
  }
  return false;
}

bool issued_another(X509* candidate, const GateInput& in) {
  auto issued = [&](const std::vector<SuppliedCert>& certs) {
    for (const SuppliedCert& other : certs) {
      if (same_cert(other.cert.get(), candidate)) continue;
      if (X509_check_issued(candidate, other.cert.get()) == X509_V_OK) return true;
    }
    return false;
  };
  return issued(in.cert_file_certs) || issued(in.chain_certs);
}

void pick_leaf(Gate& gate) {
  GateInput& in = gate.in;
  for (const SuppliedCert& c : in.cert_file_certs) {
    for (const SuppliedKey& k : in.keys) {
      if (key_matches(c.cert.get(), k.key.get())) {
        gate.leaf = c.cert.get();
        gate.key = k.key.get();
        return;
      }
    }
  }
  for (const SuppliedCert& c : in.cert_file_certs) {
    if (!issued_another(c.cert.get(), in)) {
      gate.leaf = c.cert.get();
      return;
    }
  }
  gate.leaf = in.cert_file_certs.front().cert.get();
}

std::string plain_key_command(const std::string& key_label) {
  return "openssl pkey -in " + key_label + " -out key-plain.pem";
}

void report_encrypted(Gate& gate) {
  const std::string& label = gate.in.encrypted_key_labels.front();
  if (!gate.in.passphrase_label.empty()) {
    gate.add(Severity::error, FindingCode::key_encrypted, label,
             "the private key is encrypted and the passphrase in " + gate.in.passphrase_label +
                 " does not decrypt it; put the right passphrase there, or remove it with '" +
                 plain_key_command(label) + "' and give key-plain.pem");
    return;
  }
  gate.add(Severity::error, FindingCode::key_encrypted, label,
           "the private key is encrypted (password protected); remove the passphrase with '" +
               plain_key_command(label) + "' and give key-plain.pem, or pass --key-passphrase-file");
}

// The supplied certificate (other than the leaf) that `key` belongs to.
const SuppliedCert* owner_of(const Gate& gate, EVP_PKEY* key) {
  for (const auto* list : {&gate.in.cert_file_certs, &gate.in.chain_certs}) {
    for (const SuppliedCert& c : *list) {
      if (c.cert.get() != gate.leaf && key_matches(c.cert.get(), key)) return &c;
    }
  }
  return nullptr;
}

void report_mismatch(Gate& gate) {
  const SuppliedKey& first = gate.in.keys.front();
  const std::string leaf_cn = name_for_message(X509_get_subject_name(gate.leaf));
  for (const SuppliedKey& k : gate.in.keys) {
    if (const SuppliedCert* owner = owner_of(gate, k.key.get())) {
      gate.add(Severity::error, FindingCode::key_mismatch, k.label,
               "the private key belongs to the CA certificate " +
                   name_for_message(X509_get_subject_name(owner->cert.get())) + " from " + owner->label +
                   ", not to the certificate " + leaf_cn + "; give the key that was generated with this "
                   "certificate's request");
      return;
    }
  }
  gate.add(Severity::error, FindingCode::key_mismatch, first.label,
           "the private key does not belong to the certificate " + leaf_cn + " in " + gate.in.cert_label +
               "; give the key that was generated with this certificate's request");
}

void report_key(Gate& gate) {
  const GateInput& in = gate.in;
  if (gate.key) return;
  if (!in.encrypted_key_labels.empty()) {
    report_encrypted(gate);
  } else if (!in.keys.empty()) {
    report_mismatch(gate);
  } else if (!in.key_label.empty()) {
    if (in.key_file_holds_certs && !has_unreadable(gate, in.key_label)) {
      gate.add(Severity::error, FindingCode::key_missing, in.key_label,
               "holds a certificate but no private key; give the private key file with --key");
    }
  } else if (gate.policy.require_key && in.p12) {
    // --key cannot go with --p12: the key belongs inside the file.
    gate.add(Severity::error, FindingCode::key_missing, in.cert_label,
             "the PKCS#12 file holds no private key; export it again with the key inside (e.g. 'openssl pkcs12 "
             "-export -in CERT -inkey KEY -certfile CHAIN -out FILE'), or give PEM files with --cert, --key and "
             "--chain instead of --p12");
  } else if (gate.policy.require_key) {
    gate.add(Severity::error, FindingCode::key_missing, in.cert_label,
             "no private key was given and the certificate file holds none; give the key with --key");
  } else if (in.p12) {
    gate.add(Severity::info, FindingCode::key_unchecked, in.cert_label,
             "the PKCS#12 file holds no private key, so none was checked against the certificate; an import needs "
             "one inside the file");
  } else {
    gate.add(Severity::info, FindingCode::key_unchecked, in.cert_label,
             "no private key was given, so it was not checked against the certificate; pass --key to check it");
  }
}

}  // namespace

bool choose_leaf_and_key(Gate& gate) {
  GateInput& in = gate.in;
  if (in.cert_file_certs.empty()) {
    if (has_unreadable(gate, in.cert_label) || gate.has(FindingCode::p12_bad_password)) return false;
    if (in.cert_file_holds_keys && in.key_file_holds_certs) {
      gate.add(Severity::error, FindingCode::key_mismatch, in.key_label,
               "the certificate and key files look swapped: " + in.cert_label + " holds a private key and " +
                   in.key_label + " holds a certificate; pass the certificate with --cert and the key with --key");
      return false;
    }
    gate.add(Severity::error, FindingCode::unreadable, in.cert_label,
             in.cert_file_holds_keys
                 ? "holds a private key but no certificate; give the certificate file (PEM or DER) with --cert"
                 : "holds no certificate; give the certificate as PEM (\"-----BEGIN CERTIFICATE-----\") or DER");
    return false;
  }
  pick_leaf(gate);
  gate.leaf_label = in.cert_label;
  report_key(gate);
  return true;
}

}  // namespace certkeeper::crypto
