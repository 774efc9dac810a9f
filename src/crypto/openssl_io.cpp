#include "openssl_io.h"

#include <openssl/pem.h>

#include <limits>

#include "openssl_error.h"

namespace certkeeper::crypto {

BioPtr memory_bio(std::string_view bytes) {
  if (bytes.size() > static_cast<std::size_t>(std::numeric_limits<int>::max())) return BioPtr();
  return BioPtr(BIO_new_mem_buf(bytes.data(), static_cast<int>(bytes.size())));
}

BioPtr memory_bio() { return BioPtr(BIO_new(BIO_s_mem())); }

std::string bio_contents(BIO* bio) {
  char* data = nullptr;
  long len = BIO_get_mem_data(bio, &data);
  if (len <= 0 || !data) return {};
  return std::string(data, static_cast<std::size_t>(len));
}

std::string x509_pem(X509* cert) {
  BioPtr bio = memory_bio();
  if (!bio || PEM_write_bio_X509(bio.get(), cert) != 1) {
    clear_openssl_errors();
    return {};
  }
  return bio_contents(bio.get());
}

std::string x509_der(X509* cert) {
  unsigned char* der = nullptr;
  int len = i2d_X509(cert, &der);
  if (len <= 0) {
    clear_openssl_errors();
    return {};
  }
  std::string out(reinterpret_cast<const char*>(der), static_cast<std::size_t>(len));
  OPENSSL_free(der);
  return out;
}

std::string pkcs8_pem(EVP_PKEY* key) {
  BioPtr bio = memory_bio();
  if (!bio || PEM_write_bio_PrivateKey(bio.get(), key, nullptr, nullptr, 0, nullptr, nullptr) != 1) {
    clear_openssl_errors();
    return {};
  }
  return bio_contents(bio.get());
}

std::string pkcs8_der(EVP_PKEY* key) {
  BioPtr bio = memory_bio();
  if (!bio || i2d_PKCS8PrivateKey_bio(bio.get(), key, nullptr, nullptr, 0, nullptr, nullptr) != 1) {
    clear_openssl_errors();
    return {};
  }
  return bio_contents(bio.get());
}

bool key_matches(X509* cert, EVP_PKEY* key) {
  EVP_PKEY* pub = X509_get0_pubkey(cert);
  bool match = pub && key && EVP_PKEY_eq(pub, key) == 1;
  clear_openssl_errors();  // eq of different key types leaves errors behind
  return match;
}

bool same_cert(X509* a, X509* b) { return a && b && X509_cmp(a, b) == 0; }

}  // namespace certkeeper::crypto
