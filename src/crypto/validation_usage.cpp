// What the leaf may be used for (RFC 5280 §4.2.1.3, §4.2.1.9, §4.2.1.12), and
// the strength of the keys and signatures of the leaf and intermediates.
#include <openssl/objects.h>

#include "facts_internal.h"
#include "gate.h"

namespace certkeeper::crypto {
namespace {

std::vector<std::string> usage_problems(X509* leaf) {
  std::vector<std::string> problems;
  const uint32_t flags = X509_get_extension_flags(leaf);
  if ((flags & EXFLAG_BCONS) && (flags & EXFLAG_CA)) problems.push_back("it is a CA certificate (CA:TRUE)");
  if (flags & EXFLAG_XKUSAGE) {
    const uint32_t eku = X509_get_extended_key_usage(leaf);
    if (!(eku & (XKU_SSL_SERVER | XKU_ANYEKU))) {
      problems.push_back("its extendedKeyUsage lacks serverAuth (TLS Web Server Authentication)");
    }
  }
  if (flags & EXFLAG_KUSAGE) {
    const uint32_t ku = X509_get_key_usage(leaf);
    const EVP_PKEY* pub = X509_get0_pubkey(leaf);  // null when it cannot be decoded
    const bool rsa = pub && EVP_PKEY_get_base_id(pub) == EVP_PKEY_RSA;
    const bool signs = ku & KU_DIGITAL_SIGNATURE;
    const bool enciphers = rsa && (ku & KU_KEY_ENCIPHERMENT);
    if (!signs && !enciphers) problems.push_back("its keyUsage lacks digitalSignature");
    if (ku & KU_KEY_CERT_SIGN) problems.push_back("its keyUsage includes keyCertSign");
  }
  return problems;
}

// The intermediates: the path without the leaf and without a self-signed root.
std::vector<X509*> intermediates(const Gate& gate) {
  std::vector<X509*> out;
  if (!gate.path_built) return out;
  const auto& path = gate.path.path;
  for (std::size_t i = 1; i < path.size(); ++i) {
    if (X509_self_signed(path[i].get(), 0) != 1) out.push_back(path[i].get());
  }
  return out;
}

std::string weak_key(X509* cert) {
  EVP_PKEY* key = X509_get0_pubkey(cert);
  if (!key) return {};
  const int bits = EVP_PKEY_get_bits(key);
  switch (EVP_PKEY_get_base_id(key)) {
    case EVP_PKEY_RSA:
    case EVP_PKEY_RSA_PSS:
    case EVP_PKEY_DSA:
      if (bits < 2048) return key_type_of(key) + " (" + std::to_string(bits) + " bits, under 2048)";
      return {};
    case EVP_PKEY_EC:
      if (bits < 256) return key_type_of(key) + " (" + std::to_string(bits) + " bits, under 256)";
      return {};
    default: return {};
  }
}

const char* weak_digest(X509* cert) {
  int md = NID_undef;
  int pk = NID_undef;
  if (OBJ_find_sigid_algs(X509_get_signature_nid(cert), &md, &pk) != 1) return nullptr;
  switch (md) {
    case NID_sha1: return "SHA-1";
    case NID_md5: return "MD5";
    case NID_md5_sha1: return "MD5+SHA-1";
    case NID_md4: return "MD4";
    case NID_md2: return "MD2";
    default: return nullptr;
  }
}

std::string who(X509* cert, bool is_leaf) {
  return (is_leaf ? "the certificate " : "the CA certificate ") + name_for_message(X509_get_subject_name(cert));
}

void check_cert_strength(Gate& gate, X509* cert, bool is_leaf) {
  const std::string subject = is_leaf ? gate.leaf_label : gate.label_of(cert);
  const std::string fix = is_leaf ? "get it reissued" : "get the current CA certificates from the CA";
  if (const std::string weak = weak_key(cert); !weak.empty()) {
    gate.add(Severity::error, FindingCode::weak_key, subject,
             who(cert, is_leaf) + " has a weak key: " + weak + "; " + fix +
                 " with RSA 2048 bits or more, or EC P-256 or larger");
  }
  if (const char* digest = weak_digest(cert)) {
    gate.add(Severity::error, FindingCode::weak_signature, subject,
             who(cert, is_leaf) + " is signed with " + digest + ", which clients reject; " + fix +
                 " with SHA-256 or stronger");
  }
}

}  // namespace

void check_usage(Gate& gate) {
  const std::vector<std::string> problems = usage_problems(gate.leaf);
  if (problems.empty()) return;
  std::string text;
  for (const std::string& p : problems) text += (text.empty() ? "" : "; ") + p;
  gate.add(Severity::error, FindingCode::leaf_usage, gate.leaf_label,
           "the certificate cannot serve as a TLS server certificate: " + text +
               "; get a server certificate (CA:FALSE, serverAuth, digitalSignature)");
}

void check_strength(Gate& gate) {
  check_cert_strength(gate, gate.leaf, true);
  for (X509* c : intermediates(gate)) check_cert_strength(gate, c, false);
}

}  // namespace certkeeper::crypto
