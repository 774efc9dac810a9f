// Keys, certificates and the TestPki itself. File formats: pki_files.cpp.
#include "support/test_pki.h"

#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/rand.h>

#include <map>
#include <mutex>

#include "support/ossl_ptr.h"

namespace certkeeper::testing {
namespace {

using namespace ossl;

std::shared_ptr<EVP_PKEY> new_pkey(KeyType type) {
  EVP_PKEY* p = nullptr;
  switch (type) {
    case KeyType::rsa1024: p = EVP_PKEY_Q_keygen(nullptr, nullptr, "RSA", std::size_t{1024}); break;
    case KeyType::rsa2048: p = EVP_PKEY_Q_keygen(nullptr, nullptr, "RSA", std::size_t{2048}); break;
    case KeyType::rsa3072: p = EVP_PKEY_Q_keygen(nullptr, nullptr, "RSA", std::size_t{3072}); break;
    case KeyType::ec_p256: p = EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-256"); break;
    case KeyType::ec_p384: p = EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-384"); break;
    case KeyType::ec_p521: p = EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-521"); break;
    case KeyType::ed25519: p = EVP_PKEY_Q_keygen(nullptr, nullptr, "ED25519"); break;
  }
  check(p, "key generation");
  return std::shared_ptr<EVP_PKEY>(p, EVP_PKEY_free);
}

bool is_rsa(KeyType t) {
  return t == KeyType::rsa1024 || t == KeyType::rsa2048 || t == KeyType::rsa3072;
}

// Never prompt on a terminal for a passphrase.
int no_passphrase(char*, int, int, void*) { return 0; }

// 8 random bytes, the first in 0x10..0x7f: positive, and its hex form has
// no leading zero, so the fixture knows the exact spelling independently.
std::vector<unsigned char> random_serial() {
  std::vector<unsigned char> bytes(8);
  check(RAND_bytes(bytes.data(), static_cast<int>(bytes.size())), "RAND_bytes");
  bytes[0] = static_cast<unsigned char>(0x10 + bytes[0] % 0x70);
  return bytes;
}

std::string hex(const unsigned char* data, std::size_t n, const char* digits) {
  std::string out;
  for (std::size_t i = 0; i < n; ++i) {
    out += digits[data[i] >> 4];
    out += digits[data[i] & 0xf];
  }
  return out;
}

void set_serial(X509* x, const std::vector<unsigned char>& bytes) {
  Bignum bn(check(BN_bin2bn(bytes.data(), static_cast<int>(bytes.size()), nullptr), "BN_bin2bn"));
  Asn1Integer serial(check(BN_to_ASN1_INTEGER(bn.get(), nullptr), "BN_to_ASN1_INTEGER"));
  check(X509_set_serialNumber(x, serial.get()), "X509_set_serialNumber");
}

void add_extension(X509* x, X509V3_CTX* ctx, int nid, const std::string& value) {
  Extension ext(check(X509V3_EXT_conf_nid(nullptr, ctx, nid, value.c_str()), "X509V3_EXT_conf_nid"));
  check(X509_add_ext(x, ext.get(), -1), "X509_add_ext");
}

std::string key_usage_value(unsigned bits) {
  std::string v = "critical";
  if (bits & usage::digital_signature) v += ",digitalSignature";
  if (bits & usage::key_encipherment) v += ",keyEncipherment";
  if (bits & usage::key_cert_sign) v += ",keyCertSign";
  if (bits & usage::crl_sign) v += ",cRLSign";
  return v;
}

std::string san_value(const CertOptions& o) {
  std::string v;
  // Appended piece by piece: g++ 12 at -O3 takes "," + std::string(...) for
  // an overlapping memcpy (a false -Wrestrict, an error under -Werror).
  auto add = [&](const char* kind, const std::string& value) {
    if (!v.empty()) v += ',';
    v += kind;
    v += value;
  };
  for (const auto& d : o.dns) add("DNS:", d);
  for (const auto& ip : o.ips) add("IP:", ip);
  return v;
}

using GeneralNames = std::unique_ptr<GENERAL_NAMES, Deleter<GENERAL_NAMES, GENERAL_NAMES_free>>;

// subjectAltName built entry by entry, each dNSName an IA5String holding the
// given bytes unchecked (CertOptions::raw_names).
void add_raw_san(X509* x, const CertOptions& o) {
  GeneralNames names(check(GENERAL_NAMES_new(), "GENERAL_NAMES_new"));
  for (const auto& d : o.dns) {
    ASN1_IA5STRING* ia5 = check(ASN1_IA5STRING_new(), "ASN1_IA5STRING_new");
    GENERAL_NAME* gn = GENERAL_NAME_new();
    if (!gn || ASN1_STRING_set(ia5, d.data(), static_cast<int>(d.size())) != 1) {
      ASN1_IA5STRING_free(ia5);
      GENERAL_NAME_free(gn);
      fail("raw dNSName");
    }
    GENERAL_NAME_set0_value(gn, GEN_DNS, ia5);
    if (sk_GENERAL_NAME_push(names.get(), gn) <= 0) {
      GENERAL_NAME_free(gn);
      fail("sk_GENERAL_NAME_push");
    }
  }
  if (!o.ips.empty()) fail("raw_names takes dNSName entries only");
  check(X509_add1_ext_i2d(x, NID_subject_alt_name, names.get(), 0, 0), "raw subjectAltName");
}

void add_extensions(X509* x, X509* issuer, const CertOptions& o, KeyType key_type) {
  X509V3_CTX ctx;
  X509V3_set_ctx(&ctx, issuer, x, nullptr, nullptr, 0);
  add_extension(x, &ctx, NID_basic_constraints, o.ca ? "critical,CA:TRUE" : "critical,CA:FALSE");
  unsigned ku = o.key_usage.value_or(
      o.ca ? usage::key_cert_sign | usage::crl_sign
           : usage::digital_signature | (is_rsa(key_type) ? usage::key_encipherment : 0u));
  if (ku != 0) add_extension(x, &ctx, NID_key_usage, key_usage_value(ku));
  Eku eku = o.eku.value_or(o.ca ? Eku::none : Eku::server_auth);
  if (eku == Eku::server_auth) add_extension(x, &ctx, NID_ext_key_usage, "serverAuth");
  if (eku == Eku::client_auth_only) add_extension(x, &ctx, NID_ext_key_usage, "clientAuth");
  if (o.raw_names && !o.dns.empty()) {
    add_raw_san(x, o);
  } else if (std::string san = san_value(o); !san.empty()) {
    add_extension(x, &ctx, NID_subject_alt_name, san);
  }
  std::string crld;
  for (const auto& url : o.crl_urls) crld += (crld.empty() ? "URI:" : ",URI:") + url;
  if (!crld.empty()) add_extension(x, &ctx, NID_crl_distribution_points, crld);
  add_extension(x, &ctx, NID_subject_key_identifier, "hash");
  if (issuer != x) add_extension(x, &ctx, NID_authority_key_identifier, "keyid:always");
}

const EVP_MD* digest_for(Digest d, const Key& signer) {
  if (signer.type() == KeyType::ed25519) return nullptr;  // pure EdDSA: no separate digest
  switch (d) {
    case Digest::sha256: return EVP_sha256();
    case Digest::sha1: return EVP_sha1();
    case Digest::md5: return EVP_md5();
  }
  return nullptr;
}

std::string fingerprint(X509* x) {
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int n = 0;
  check(X509_digest(x, EVP_sha256(), md, &n), "X509_digest");
  return hex(md, n, "0123456789abcdef");
}

}  // namespace

// ---------------------------------------------------------------- keys

const char* key_type_name(KeyType type) {
  switch (type) {
    case KeyType::rsa1024: return "rsa-1024";
    case KeyType::rsa2048: return "rsa-2048";
    case KeyType::rsa3072: return "rsa-3072";
    case KeyType::ec_p256: return "ec-p256";
    case KeyType::ec_p384: return "ec-p384";
    case KeyType::ec_p521: return "ec-p521";
    case KeyType::ed25519: return "ed25519";
  }
  return "?";
}

Key Key::generate(KeyType type) { return Key(type, new_pkey(type)); }

Key Key::shared(KeyType type) {
  static std::mutex mutex;
  static std::map<KeyType, Key> cache;
  std::lock_guard lock(mutex);
  auto it = cache.find(type);
  if (it == cache.end()) it = cache.emplace(type, generate(type)).first;
  return it->second;
}

std::string Key::pem() const {
  Bio bio = mem_bio();
  check(PEM_write_bio_PrivateKey(bio.get(), get(), nullptr, nullptr, 0, nullptr, nullptr), "PEM key");
  return bio_string(bio.get());
}

std::string Key::der() const {
  Bio bio = mem_bio();
  check(i2d_PKCS8PrivateKey_bio(bio.get(), get(), nullptr, nullptr, 0, nullptr, nullptr), "DER key");
  return bio_string(bio.get());
}

std::string Key::traditional_pem() const {
  Bio bio = mem_bio();
  check(PEM_write_bio_PrivateKey_traditional(bio.get(), get(), nullptr, nullptr, 0, nullptr, nullptr),
        "traditional PEM key");
  return bio_string(bio.get());
}

std::string Key::public_pem() const {
  Bio bio = mem_bio();
  check(PEM_write_bio_PUBKEY(bio.get(), get()), "PEM public key");
  return bio_string(bio.get());
}

std::string Key::encrypted_pkcs8_pem(const std::string& passphrase) const {
  Bio bio = mem_bio();
  // No callback: OpenSSL takes `u` as the NUL-terminated passphrase.
  check(PEM_write_bio_PKCS8PrivateKey(bio.get(), get(), EVP_aes_256_cbc(), nullptr, 0, nullptr,
                                      const_cast<char*>(passphrase.c_str())),
        "encrypted PKCS#8 key");
  return bio_string(bio.get());
}

std::string Key::encrypted_legacy_pem(const std::string& passphrase) const {
  Bio bio = mem_bio();
  const auto* kstr = reinterpret_cast<const unsigned char*>(passphrase.data());
  check(PEM_write_bio_PrivateKey_traditional(bio.get(), get(), EVP_aes_256_cbc(), kstr,
                                             static_cast<int>(passphrase.size()), nullptr, nullptr),
        "legacy encrypted key");
  return bio_string(bio.get());
}

bool Key::same_as_pem(const std::string& pem) const {
  Bio in(check(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())), "BIO_new_mem_buf"));
  Pkey other(PEM_read_bio_PrivateKey(in.get(), nullptr, no_passphrase, nullptr));
  if (!other) {
    Bio again(check(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())), "BIO_new_mem_buf"));
    other.reset(PEM_read_bio_PUBKEY(again.get(), nullptr, no_passphrase, nullptr));
  }
  ERR_clear_error();
  return other && EVP_PKEY_eq(other.get(), get()) == 1;
}

// ---------------------------------------------------------------- certificates

CertOptions CertOptions::authority(std::string cn) {
  CertOptions o;
  o.cn = std::move(cn);
  o.dns.clear();
  o.ca = true;
  return o;
}

std::string Cert::pem() const {
  Bio bio = mem_bio();
  check(PEM_write_bio_X509(bio.get(), get()), "PEM certificate");
  return bio_string(bio.get());
}

std::string Cert::der() const {
  Bio bio = mem_bio();
  check(i2d_X509_bio(bio.get(), get()), "DER certificate");
  return bio_string(bio.get());
}

// Makes and signs one certificate; `issuer` == nullptr: self-signed.
Cert TestPki::make(const CertOptions& o, const Cert* issuer) const {
  const UnixTime now = now_;
  // Leaf RSA keys come from the per-process cache (RSA is slow to make); CA
  // keys are always fresh so that no leaf ever shares a key with its issuer.
  Key key = o.key ? *o.key : (is_rsa(o.key_type) && !o.ca ? Key::shared(o.key_type) : Key::generate(o.key_type));

  PkiFacts f;
  f.subject_cn = o.cn;
  f.issuer_cn = issuer ? issuer->facts().subject_cn : o.cn;
  f.not_before = o.not_before.value_or(now - (o.ca ? days(365) : days(10)));
  f.not_after = o.not_after.value_or(now + (o.ca ? days(3650) : days(80)));
  f.dns_names = o.dns;
  f.ip_addresses = o.ips;
  f.key_type = key_type_name(key.type());

  std::shared_ptr<X509> x(check(X509_new(), "X509_new"), X509_free);
  check(X509_set_version(x.get(), 2), "X509_set_version");
  auto serial = random_serial();
  set_serial(x.get(), serial);
  f.serial_hex = hex(serial.data(), serial.size(), "0123456789ABCDEF");

  X509_NAME* name = X509_get_subject_name(x.get());
  const char* field = o.cn.empty() ? "O" : "CN";
  const std::string value = o.cn.empty() ? "Certkeeper Tests" : o.cn;
  // MBSTRING_UTF8 converts (and checks) the text; V_ASN1_UTF8STRING stores
  // the bytes as they are.
  check(X509_NAME_add_entry_by_txt(name, field, o.raw_names ? V_ASN1_UTF8STRING : MBSTRING_UTF8,
                                   reinterpret_cast<const unsigned char*>(value.data()),
                                   static_cast<int>(value.size()), -1, 0),
        "subject name");
  X509* issuer_x = issuer ? issuer->get() : x.get();
  check(X509_set_issuer_name(x.get(), X509_get_subject_name(issuer_x)), "issuer name");
  check(ASN1_TIME_set(X509_getm_notBefore(x.get()), static_cast<time_t>(f.not_before)), "notBefore");
  check(ASN1_TIME_set(X509_getm_notAfter(x.get()), static_cast<time_t>(f.not_after)), "notAfter");
  check(X509_set_pubkey(x.get(), key.get()), "X509_set_pubkey");
  add_extensions(x.get(), issuer_x, o, key.type());

  const Key& signer = issuer ? issuer->key() : key;
  check(X509_sign(x.get(), signer.get(), digest_for(o.digest, signer)), "X509_sign");
  f.fingerprint_sha256 = fingerprint(x.get());
  return Cert(std::move(x), std::move(key), std::move(f));
}

// ---------------------------------------------------------------- CRLs

namespace {
using Crl = std::unique_ptr<X509_CRL, Deleter<X509_CRL, X509_CRL_free>>;
using Revoked = std::unique_ptr<X509_REVOKED, Deleter<X509_REVOKED, X509_REVOKED_free>>;
using Time = std::unique_ptr<ASN1_TIME, Deleter<ASN1_TIME, ASN1_TIME_free>>;
using Enumerated = std::unique_ptr<ASN1_ENUMERATED, Deleter<ASN1_ENUMERATED, ASN1_ENUMERATED_free>>;

Time asn1_time(UnixTime t) { return Time(check(ASN1_TIME_set(nullptr, static_cast<time_t>(t)), "ASN1_TIME_set")); }
}  // namespace

std::string TestPki::crl(const CrlOptions& o, const Cert& issuer, const Key* signer) const {
  Crl crl(check(X509_CRL_new(), "X509_CRL_new"));
  check(X509_CRL_set_version(crl.get(), 1), "X509_CRL_set_version");  // v2
  check(X509_CRL_set_issuer_name(crl.get(), X509_get_subject_name(issuer.get())), "CRL issuer");
  const UnixTime this_update = o.this_update.value_or(now_ - 3600);
  check(X509_CRL_set1_lastUpdate(crl.get(), asn1_time(this_update).get()), "CRL lastUpdate");
  if (!o.omit_next_update) {
    check(X509_CRL_set1_nextUpdate(crl.get(), asn1_time(o.next_update.value_or(this_update + days(7))).get()),
          "CRL nextUpdate");
  }
  for (const auto& e : o.revoked) {
    Revoked entry(check(X509_REVOKED_new(), "X509_REVOKED_new"));
    BIGNUM* raw = nullptr;
    check(BN_hex2bn(&raw, e.serial_hex.c_str()), "BN_hex2bn");
    Bignum bn(raw);
    Asn1Integer serial(check(BN_to_ASN1_INTEGER(bn.get(), nullptr), "BN_to_ASN1_INTEGER"));
    check(X509_REVOKED_set_serialNumber(entry.get(), serial.get()), "revoked serial");
    check(X509_REVOKED_set_revocationDate(entry.get(), asn1_time(e.revoked_at).get()), "revocation date");
    if (e.reason) {
      Enumerated reason(check(ASN1_ENUMERATED_new(), "ASN1_ENUMERATED_new"));
      check(ASN1_ENUMERATED_set(reason.get(), *e.reason), "ASN1_ENUMERATED_set");
      check(X509_REVOKED_add1_ext_i2d(entry.get(), NID_crl_reason, reason.get(), 0, 0), "reasonCode");
    }
    check(X509_CRL_add0_revoked(crl.get(), entry.get()), "X509_CRL_add0_revoked");
    entry.release();  // the CRL owns it now
  }
  check(X509_CRL_sort(crl.get()), "X509_CRL_sort");
  const Key& key = signer ? *signer : issuer.key();
  check(X509_CRL_sign(crl.get(), key.get(), digest_for(Digest::sha256, key)), "X509_CRL_sign");
  Bio bio = mem_bio();
  check(i2d_X509_CRL_bio(bio.get(), crl.get()), "DER CRL");
  return bio_string(bio.get());
}

// ---------------------------------------------------------------- the PKI

namespace {
constexpr const char* kRootCn = "Certkeeper Test Root";
constexpr const char* kIntermediateCn = "Certkeeper Test Intermediate";
constexpr const char* kOtherRootCn = "Other Test Root";
constexpr const char* kOtherIntermediateCn = "Other Test Intermediate";
}  // namespace

TestPki::TestPki(UnixTime now)
    : now_(now),
      root_(self_signed(CertOptions::authority(kRootCn))),
      intermediate_(issue(CertOptions::authority(kIntermediateCn), root_)),
      other_root_(self_signed(CertOptions::authority(kOtherRootCn))),
      other_intermediate_(issue(CertOptions::authority(kOtherIntermediateCn), other_root_)) {}

Cert TestPki::issue(const CertOptions& options, const Cert& issuer) const { return make(options, &issuer); }

Cert TestPki::self_signed(const CertOptions& options) const { return make(options, nullptr); }

}  // namespace certkeeper::testing
