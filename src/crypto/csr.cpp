// PKCS#10 certificate signing requests for ACME finalize (RFC 8555 §7.4):
// names travel as subjectAltName; the CN is a courtesy copy of the first.
#include "certkeeper/crypto/jose.h"
#include "key_material.h"
#include "openssl_error.h"

namespace certkeeper::crypto {
namespace {

constexpr std::size_t kMaxCommonName = 64;  // RFC 5280 ub-common-name

Error csr_failed(const std::string& step) {
  return make_error(Errc::crypto, "building the CSR failed at " + step + " (" + drain_openssl_errors() + ")");
}

}  // namespace

Result<std::string> make_csr_der(const std::string& private_key_pem, const std::vector<std::string>& names) {
  if (names.empty()) return make_error(Errc::invalid_input, "a CSR needs at least one name");
  Result<EvpPkeyPtr> key = read_private_key(private_key_pem);
  if (!key) return std::move(key).error();
  Result<X509ExtensionPtr> san = subject_alt_name_extension(names);
  if (!san) return std::move(san).error();

  X509ReqPtr req(X509_REQ_new());
  if (!req || X509_REQ_set_version(req.get(), X509_REQ_VERSION_1) != 1) return csr_failed("version");
  const std::string& first = names.front();
  if (first.size() <= kMaxCommonName) {
    X509_NAME* subject = X509_REQ_get_subject_name(req.get());
    if (X509_NAME_add_entry_by_NID(subject, NID_commonName, MBSTRING_UTF8,
                                   reinterpret_cast<const unsigned char*>(first.data()),
                                   static_cast<int>(first.size()), -1, 0) != 1) {
      return csr_failed("subject");
    }
  }
  STACK_OF(X509_EXTENSION)* exts = sk_X509_EXTENSION_new_null();
  if (!exts || sk_X509_EXTENSION_push(exts, san->get()) <= 0) {
    sk_X509_EXTENSION_free(exts);
    return csr_failed("extensions");
  }
  const int added = X509_REQ_add_extensions(req.get(), exts);
  sk_X509_EXTENSION_free(exts);  // the extension itself stays owned by `san`
  if (added != 1) return csr_failed("extensions");

  if (X509_REQ_set_pubkey(req.get(), key->get()) != 1) return csr_failed("public key");
  if (X509_REQ_sign(req.get(), key->get(), EVP_sha256()) <= 0) return csr_failed("signature");

  unsigned char* der = nullptr;
  const int len = i2d_X509_REQ(req.get(), &der);
  if (len <= 0) return csr_failed("encoding");
  std::string out(reinterpret_cast<const char*>(der), static_cast<std::size_t>(len));
  OPENSSL_free(der);
  return out;
}

}  // namespace certkeeper::crypto
