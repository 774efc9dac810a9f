// File formats of the test PKI: PEM layouts, PKCS#12, and files on disk.
#include <sys/stat.h>
#include <sys/types.h>

#include <cerrno>
#include <cstring>

#include <openssl/err.h>
#include <openssl/pem.h>

#include "support/ossl_ptr.h"
#include "support/test_pki.h"

namespace certkeeper::testing {
namespace {

using namespace ossl;

// A library context with OpenSSL's "legacy" and "default" providers, used
// only to write RC2-40/3DES PKCS#12 files. It is separate from the default
// context on purpose: loading "legacy" there would make the code under test
// read old files even if it forgot to load the provider itself.
class LegacyContext {
 public:
  LegacyContext()
      : ctx_(check(OSSL_LIB_CTX_new(), "OSSL_LIB_CTX_new")),
        legacy_(check(OSSL_PROVIDER_load(ctx_.get(), "legacy"), "load legacy provider")),
        default_(check(OSSL_PROVIDER_load(ctx_.get(), "default"), "load default provider")) {}
  ~LegacyContext() {
    OSSL_PROVIDER_unload(default_);
    OSSL_PROVIDER_unload(legacy_);
  }
  LegacyContext(const LegacyContext&) = delete;
  LegacyContext& operator=(const LegacyContext&) = delete;

  OSSL_LIB_CTX* get() const { return ctx_.get(); }

 private:
  LibCtx ctx_;
  OSSL_PROVIDER* legacy_;
  OSSL_PROVIDER* default_;
};

OSSL_LIB_CTX* legacy_context() {
  static LegacyContext context;
  return context.get();
}

std::string with_newline(std::string s) {
  if (!s.empty() && s.back() != '\n') s += '\n';
  return s;
}

}  // namespace

std::string pem_concat(const std::vector<std::string>& blocks, const PemStyle& style) {
  std::string text = style.text_before;
  for (std::size_t i = 0; i < blocks.size(); ++i) {
    if (i > 0) text += style.text_between;
    text += with_newline(blocks[i]);
  }
  text += style.text_after;
  if (style.crlf) {
    std::string crlf;
    for (char c : text) {
      if (c == '\n') crlf += '\r';
      crlf += c;
    }
    text = std::move(crlf);
  }
  return style.bom ? "\xEF\xBB\xBF" + text : text;
}

std::string truncated_pem(const std::string& pem) {
  const std::size_t begin = pem.find("-----BEGIN");
  const std::size_t end = pem.find("-----END", begin);
  if (begin == std::string::npos || end == std::string::npos) throw std::runtime_error("truncated_pem: no PEM block");
  // Cut halfway through the body, mid-line: no END line, no complete base64.
  return pem.substr(0, begin + (end - begin) / 2);
}

std::string pkcs12(const Cert& leaf, const std::vector<Cert>& chain, const std::string& password,
                   P12Style style) {
  X509Stack ca(check(sk_X509_new_null(), "sk_X509_new_null"));
  for (const Cert& c : chain) check(sk_X509_push(ca.get(), c.get()), "sk_X509_push");

  const bool modern = style == P12Style::modern;
  const int nid_key = modern ? NID_aes_256_cbc : NID_pbe_WithSHA1And3_Key_TripleDES_CBC;
  const int nid_cert = modern ? NID_aes_256_cbc : NID_pbe_WithSHA1And40BitRC2_CBC;
  OSSL_LIB_CTX* ctx = modern ? nullptr : legacy_context();
  // mac_iter -1: no MAC yet; it is set below with the digest of the style.
  Pkcs12 p12(check(PKCS12_create_ex(password.c_str(), "certkeeper test", leaf.key().get(), leaf.get(),
                                    ca.get(), nid_key, nid_cert, 2048, -1, 0, ctx, nullptr),
                   "PKCS12_create_ex"));
  check(PKCS12_set_mac(p12.get(), password.c_str(), -1, nullptr, 0, 2048,
                       modern ? EVP_sha256() : EVP_sha1()),
        "PKCS12_set_mac");
  Bio bio = mem_bio();
  check(i2d_PKCS12_bio(bio.get(), p12.get()), "i2d_PKCS12_bio");
  return bio_string(bio.get());
}

std::string pkcs12_without_key(const Cert& leaf, const std::vector<Cert>& chain, const std::string& password) {
  X509Stack ca(check(sk_X509_new_null(), "sk_X509_new_null"));
  for (const Cert& c : chain) check(sk_X509_push(ca.get(), c.get()), "sk_X509_push");
  Pkcs12 p12(check(PKCS12_create_ex(password.c_str(), "certkeeper test", nullptr, leaf.get(), ca.get(), 0,
                                    NID_aes_256_cbc, 2048, -1, 0, nullptr, nullptr),
                   "PKCS12_create_ex without a key"));
  check(PKCS12_set_mac(p12.get(), password.c_str(), -1, nullptr, 0, 2048, EVP_sha256()), "PKCS12_set_mac");
  Bio bio = mem_bio();
  check(i2d_PKCS12_bio(bio.get(), p12.get()), "i2d_PKCS12_bio");
  return bio_string(bio.get());
}

std::string TestPki::write(const std::string& name, const std::string& bytes) const {
  const std::string p = path(name);
  write_file(p, bytes);
  if (read_file(p) != bytes) throw std::runtime_error("test PKI: could not write " + p);
  return p;
}

std::string TestPki::make_dir(const std::string& name) const {
  const std::string p = path(name);
  if (::mkdir(p.c_str(), 0700) != 0) throw std::runtime_error("mkdir " + p + ": " + std::strerror(errno));
  return p;
}

std::string TestPki::make_fifo(const std::string& name) const {
  const std::string p = path(name);
  if (::mkfifo(p.c_str(), 0600) != 0) throw std::runtime_error("mkfifo " + p + ": " + std::strerror(errno));
  return p;
}

}  // namespace certkeeper::testing

namespace certkeeper::testing {

std::string pem_fingerprint_sha256(const std::string& pem) {
  Bio bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
  X509Ptr cert(bio ? PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr) : nullptr);
  if (!cert) {
    ERR_clear_error();
    return "";
  }
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int n = 0;
  check(X509_digest(cert.get(), EVP_sha256(), md, &n), "X509_digest");
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  for (unsigned int i = 0; i < n; ++i) {
    out += kHex[md[i] >> 4];
    out += kHex[md[i] & 0x0F];
  }
  return out;
}

std::string crl_pem(const std::string& der) {
  using namespace ossl;
  const auto* p = reinterpret_cast<const unsigned char*>(der.data());
  std::unique_ptr<X509_CRL, Deleter<X509_CRL, X509_CRL_free>> crl(
      check(d2i_X509_CRL(nullptr, &p, static_cast<long>(der.size())), "d2i_X509_CRL"));
  Bio bio = mem_bio();
  check(PEM_write_bio_X509_CRL(bio.get(), crl.get()), "PEM CRL");
  return bio_string(bio.get());
}

}  // namespace certkeeper::testing
