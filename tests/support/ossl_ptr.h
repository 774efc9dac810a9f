// RAII holders for the OpenSSL objects the test PKI touches: every object is
// owned by a unique_ptr with its free function from the moment it exists.
// Test-only; the product's holders live in src/crypto.
#pragma once

#include <openssl/asn1.h>
#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/evp.h>
#include <openssl/pkcs12.h>
#include <openssl/provider.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <memory>
#include <stdexcept>
#include <string>

namespace certkeeper::testing::ossl {

template <class T, void (*Free)(T*)>
struct Deleter {
  void operator()(T* p) const { Free(p); }
};

inline void free_bio(BIO* b) { BIO_free_all(b); }
inline void free_x509_stack(STACK_OF(X509)* s) { sk_X509_free(s); }  // does not free the certs

using Bio = std::unique_ptr<BIO, Deleter<BIO, free_bio>>;
using Pkey = std::unique_ptr<EVP_PKEY, Deleter<EVP_PKEY, EVP_PKEY_free>>;
using PkeyCtx = std::unique_ptr<EVP_PKEY_CTX, Deleter<EVP_PKEY_CTX, EVP_PKEY_CTX_free>>;
using X509Ptr = std::unique_ptr<X509, Deleter<X509, X509_free>>;
using Extension = std::unique_ptr<X509_EXTENSION, Deleter<X509_EXTENSION, X509_EXTENSION_free>>;
using Bignum = std::unique_ptr<BIGNUM, Deleter<BIGNUM, BN_free>>;
using Asn1Integer = std::unique_ptr<ASN1_INTEGER, Deleter<ASN1_INTEGER, ASN1_INTEGER_free>>;
using Pkcs12 = std::unique_ptr<PKCS12, Deleter<PKCS12, PKCS12_free>>;
using X509Stack = std::unique_ptr<STACK_OF(X509), Deleter<STACK_OF(X509), free_x509_stack>>;
using LibCtx = std::unique_ptr<OSSL_LIB_CTX, Deleter<OSSL_LIB_CTX, OSSL_LIB_CTX_free>>;

// Throws with the drained OpenSSL error queue: a fixture failure is a bug in
// the test, and GoogleTest reports the exception against the test.
[[noreturn]] void fail(const std::string& what);

// Non-null or throw.
template <class T>
T* check(T* p, const char* what) {
  if (!p) fail(what);
  return p;
}
inline void check(int rc, const char* what) {
  if (rc <= 0) fail(what);
}

// A memory BIO, and everything written to it as a string.
Bio mem_bio();
std::string bio_string(BIO* bio);

}  // namespace certkeeper::testing::ossl
