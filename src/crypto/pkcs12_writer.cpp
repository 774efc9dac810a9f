// PKCS#12 out of stored PEM: one bag set for the key (shrouded), one for the
// certificates, and the MAC over both (RFC 7292 §4-5).
#include <openssl/pkcs12.h>

#include "certkeeper/crypto/pkcs12.h"
#include "key_material.h"
#include "legacy_provider.h"
#include "openssl_error.h"
#include "openssl_io.h"
#include "pem_reader.h"

namespace certkeeper::crypto {
namespace {

// OpenSSL's own default count for both the key derivation and the MAC.
constexpr int kIterations = PKCS12_DEFAULT_ITER;

struct Algorithms {
  int key_nid;
  int cert_nid;  // -1: the certificates are not encrypted
  const EVP_MD* mac;
  OSSL_LIB_CTX* ctx;
};

Result<Algorithms> algorithms_for(const Pkcs12Request& r) {
  const bool encrypt_certs = !r.password.empty();
  if (r.encryption == Pkcs12Encryption::modern) {
    return Algorithms{NID_aes_256_cbc, encrypt_certs ? NID_aes_256_cbc : -1, EVP_sha256(), nullptr};
  }
  OSSL_LIB_CTX* legacy = legacy_context();
  if (!legacy) {
    return make_error(Errc::crypto,
                      "OpenSSL's legacy provider (RC2, 3DES) is not available, so no legacy PKCS#12 can be written; "
                      "install it (Debian: libssl3) or export without --legacy");
  }
  return Algorithms{NID_pbe_WithSHA1And3_Key_TripleDES_CBC,
                    encrypt_certs ? NID_pbe_WithSHA1And40BitRC2_CBC : -1, EVP_sha1(), legacy};
}

Result<X509StackPtr> read_chain(const std::string& chain_pem) {
  X509StackPtr chain(sk_X509_new_null());
  if (!chain) return make_error(Errc::crypto, "out of memory building the PKCS#12 chain");
  if (chain_pem.empty()) return chain;
  ParsedInput parsed = parse_certs_and_keys(chain_pem, nullptr);
  if (!parsed.error.empty() || !parsed.keys.empty()) {
    return make_error(Errc::invalid_input, "the stored chain is not a list of PEM certificates");
  }
  for (auto& cert : parsed.certs) {
    if (sk_X509_push(chain.get(), cert.get()) <= 0) return make_error(Errc::crypto, "out of memory");
    cert.release();  // the stack owns it
  }
  return chain;
}

Result<X509Ptr> read_leaf(const std::string& leaf_pem) {
  ParsedInput parsed = parse_certs_and_keys(leaf_pem, nullptr);
  if (!parsed.error.empty() || parsed.certs.size() != 1) {
    return make_error(Errc::invalid_input, "the stored leaf is not one PEM certificate");
  }
  return std::move(parsed.certs.front());
}

}  // namespace

const char* pkcs12_encryption_summary(Pkcs12Encryption encryption) {
  return encryption == Pkcs12Encryption::modern ? "AES-256-CBC, PBKDF2, SHA-256 MAC"
                                                : "legacy: 3DES key, RC2-40 certificates, SHA-1 MAC";
}

Result<std::string> make_pkcs12(const Pkcs12Request& r) {
  if (!r.key_pem.empty() && r.password.empty()) {
    return make_error(Errc::invalid_input, "a PKCS#12 that holds a private key needs a password");
  }
  auto algorithms = algorithms_for(r);
  if (!algorithms) return std::move(algorithms).error();
  auto leaf = read_leaf(r.leaf_pem);
  if (!leaf) return std::move(leaf).error();
  auto chain = read_chain(r.chain_pem);
  if (!chain) return std::move(chain).error();
  EvpPkeyPtr key;
  if (!r.key_pem.empty()) {
    auto read = read_private_key(r.key_pem);
    if (!read) return std::move(read).error();
    key = std::move(*read);
    if (!key_matches(leaf->get(), key.get())) {
      return make_error(Errc::invalid_input, "the stored private key does not belong to the certificate");
    }
  }
  // mac_iter -1: no MAC yet; it is added below with the digest chosen here
  // (PKCS12_create would pick its own).
  const char* pass = r.password.empty() ? nullptr : r.password.c_str();
  Pkcs12Ptr p12(PKCS12_create_ex(pass, r.friendly_name.empty() ? nullptr : r.friendly_name.c_str(), key.get(),
                                 leaf->get(), chain->get(), algorithms->key_nid, algorithms->cert_nid, kIterations,
                                 -1, 0, algorithms->ctx, nullptr));
  if (!p12) return make_error(Errc::crypto, "building the PKCS#12 failed (" + drain_openssl_errors() + ")");
  if (PKCS12_set_mac(p12.get(), r.password.c_str(), static_cast<int>(r.password.size()), nullptr, 0, kIterations,
                     algorithms->mac) != 1) {
    return make_error(Errc::crypto, "computing the PKCS#12 MAC failed (" + drain_openssl_errors() + ")");
  }
  unsigned char* der = nullptr;
  const int len = i2d_PKCS12(p12.get(), &der);
  if (len <= 0) return make_error(Errc::crypto, "encoding the PKCS#12 failed (" + drain_openssl_errors() + ")");
  std::string out(reinterpret_cast<const char*>(der), static_cast<std::size_t>(len));
  OPENSSL_clear_free(der, static_cast<std::size_t>(len));
  return out;
}

}  // namespace certkeeper::crypto
