// The tls-alpn-01 answer certificate (RFC 8737 §3; RFC 8738 §6 for IP
// addresses): self-signed, one SAN, and the critical acmeIdentifier
// extension holding SHA-256 of the key authorization.
#include <openssl/rand.h>

#include "certkeeper/crypto/jose.h"
#include "key_material.h"
#include "openssl_error.h"
#include "openssl_io.h"

namespace certkeeper::crypto {
namespace {

constexpr const char* kAcmeIdentifierOid = "1.3.6.1.5.5.7.1.31";
constexpr long kOneDay = 24 * 60 * 60;

Error cert_failed(const std::string& step) {
  return make_error(Errc::crypto,
                    "building the tls-alpn-01 certificate failed at " + step + " (" + drain_openssl_errors() + ")");
}

// extnValue = DER of `Authorization ::= OCTET STRING (SIZE (32))`.
X509ExtensionPtr acme_identifier_extension(const std::string& key_authorization) {
  const std::string digest = sha256(key_authorization);
  std::string inner = {'\x04', static_cast<char>(digest.size())};
  inner += digest;
  Asn1ObjectPtr oid(OBJ_txt2obj(kAcmeIdentifierOid, 1));
  Asn1OctetStringPtr value(ASN1_OCTET_STRING_new());
  if (!oid || !value || digest.size() != 32 ||
      ASN1_OCTET_STRING_set(value.get(), reinterpret_cast<const unsigned char*>(inner.data()),
                            static_cast<int>(inner.size())) != 1) {
    return nullptr;
  }
  return X509ExtensionPtr(X509_EXTENSION_create_by_OBJ(nullptr, oid.get(), 1, value.get()));
}

bool set_random_serial(X509* cert) {
  unsigned char bytes[16];
  if (RAND_bytes(bytes, sizeof bytes) != 1) return false;
  bytes[0] &= 0x7F;  // positive
  bytes[0] |= 0x01;  // and no leading zero byte
  BignumPtr bn(BN_bin2bn(bytes, sizeof bytes, nullptr));
  return bn && BN_to_ASN1_INTEGER(bn.get(), X509_get_serialNumber(cert)) != nullptr;
}

}  // namespace

Result<std::pair<std::string, std::string>> make_tls_alpn_certificate(const std::string& name,
                                                                      const std::string& key_authorization) {
  if (name.empty()) return make_error(Errc::invalid_input, "a tls-alpn-01 certificate needs a name");
  Result<EvpPkeyPtr> key = generate_key("ec-p256");
  if (!key) return std::move(key).error();
  Result<X509ExtensionPtr> san = subject_alt_name_extension({name});
  if (!san) return std::move(san).error();
  X509ExtensionPtr acme_id = acme_identifier_extension(key_authorization);
  if (!acme_id) return cert_failed("acmeIdentifier");

  X509Ptr cert(X509_new());
  if (!cert || X509_set_version(cert.get(), X509_VERSION_3) != 1 || !set_random_serial(cert.get())) {
    return cert_failed("serial");
  }
  X509_NAME* subject = X509_get_subject_name(cert.get());
  const std::string cn = name.size() <= 64 ? name : "certkeeper tls-alpn-01";
  if (X509_NAME_add_entry_by_NID(subject, NID_commonName, MBSTRING_UTF8,
                                 reinterpret_cast<const unsigned char*>(cn.data()), static_cast<int>(cn.size()),
                                 -1, 0) != 1 ||
      X509_set_issuer_name(cert.get(), subject) != 1) {
    return cert_failed("subject");
  }
  if (!X509_gmtime_adj(X509_getm_notBefore(cert.get()), -kOneDay) ||
      !X509_gmtime_adj(X509_getm_notAfter(cert.get()), 7 * kOneDay)) {
    return cert_failed("validity");
  }
  if (X509_add_ext(cert.get(), san->get(), -1) != 1 || X509_add_ext(cert.get(), acme_id.get(), -1) != 1) {
    return cert_failed("extensions");
  }
  if (X509_set_pubkey(cert.get(), key->get()) != 1 || X509_sign(cert.get(), key->get(), EVP_sha256()) <= 0) {
    return cert_failed("signature");
  }
  std::string cert_pem = x509_pem(cert.get());
  std::string key_pem = pkcs8_pem(key->get());
  if (cert_pem.empty() || key_pem.empty()) return cert_failed("PEM encoding");
  return std::make_pair(std::move(cert_pem), std::move(key_pem));
}

}  // namespace certkeeper::crypto
