// One RAII holder per OpenSSL type certkeeper touches (STYLE.md §2): every
// object is owned by a unique_ptr with its free function from the moment it
// exists; release() only where OpenSSL takes ownership. Defined once here;
// modules that may use crypto (challenge's TLS responder) include it in
// their sources, never in their own public headers.
#pragma once

#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/pkcs12.h>
#include <openssl/provider.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <openssl/x509_vfy.h>
#include <openssl/x509v3.h>

#include <memory>

namespace certkeeper::crypto {

template <class T, void (*Free)(T*)>
struct OpensslDeleter {
  void operator()(T* p) const noexcept {
    if (p) Free(p);
  }
};

namespace detail {
inline void free_bio(BIO* b) { BIO_free_all(b); }
inline void free_x509_stack(STACK_OF(X509)* s) { sk_X509_pop_free(s, X509_free); }  // frees the certs too
inline void free_general_names(GENERAL_NAMES* n) { GENERAL_NAMES_free(n); }
inline void free_openssl_string(char* s) { OPENSSL_free(s); }
inline void free_dist_points(CRL_DIST_POINTS* p) { CRL_DIST_POINTS_free(p); }
}  // namespace detail

using BioPtr = std::unique_ptr<BIO, OpensslDeleter<BIO, detail::free_bio>>;
using X509Ptr = std::unique_ptr<X509, OpensslDeleter<X509, X509_free>>;
using EvpPkeyPtr = std::unique_ptr<EVP_PKEY, OpensslDeleter<EVP_PKEY, EVP_PKEY_free>>;
using X509StorePtr = std::unique_ptr<X509_STORE, OpensslDeleter<X509_STORE, X509_STORE_free>>;
using X509StoreCtxPtr = std::unique_ptr<X509_STORE_CTX, OpensslDeleter<X509_STORE_CTX, X509_STORE_CTX_free>>;
// Owns the stack and every certificate in it.
using X509StackPtr = std::unique_ptr<STACK_OF(X509), OpensslDeleter<STACK_OF(X509), detail::free_x509_stack>>;
using Pkcs12Ptr = std::unique_ptr<PKCS12, OpensslDeleter<PKCS12, PKCS12_free>>;
using X509SigPtr = std::unique_ptr<X509_SIG, OpensslDeleter<X509_SIG, X509_SIG_free>>;
using Pkcs8InfoPtr = std::unique_ptr<PKCS8_PRIV_KEY_INFO, OpensslDeleter<PKCS8_PRIV_KEY_INFO, PKCS8_PRIV_KEY_INFO_free>>;
using BignumPtr = std::unique_ptr<BIGNUM, OpensslDeleter<BIGNUM, BN_free>>;
using GeneralNamesPtr = std::unique_ptr<GENERAL_NAMES, OpensslDeleter<GENERAL_NAMES, detail::free_general_names>>;
using OpensslStringPtr = std::unique_ptr<char, OpensslDeleter<char, detail::free_openssl_string>>;
using LibCtxPtr = std::unique_ptr<OSSL_LIB_CTX, OpensslDeleter<OSSL_LIB_CTX, OSSL_LIB_CTX_free>>;
using EvpPkeyCtxPtr = std::unique_ptr<EVP_PKEY_CTX, OpensslDeleter<EVP_PKEY_CTX, EVP_PKEY_CTX_free>>;
using EvpMdCtxPtr = std::unique_ptr<EVP_MD_CTX, OpensslDeleter<EVP_MD_CTX, EVP_MD_CTX_free>>;
using EcdsaSigPtr = std::unique_ptr<ECDSA_SIG, OpensslDeleter<ECDSA_SIG, ECDSA_SIG_free>>;
using X509ReqPtr = std::unique_ptr<X509_REQ, OpensslDeleter<X509_REQ, X509_REQ_free>>;
using X509ExtensionPtr = std::unique_ptr<X509_EXTENSION, OpensslDeleter<X509_EXTENSION, X509_EXTENSION_free>>;
using Asn1ObjectPtr = std::unique_ptr<ASN1_OBJECT, OpensslDeleter<ASN1_OBJECT, ASN1_OBJECT_free>>;
using Asn1OctetStringPtr = std::unique_ptr<ASN1_OCTET_STRING, OpensslDeleter<ASN1_OCTET_STRING, ASN1_OCTET_STRING_free>>;
using GeneralNamePtr = std::unique_ptr<GENERAL_NAME, OpensslDeleter<GENERAL_NAME, GENERAL_NAME_free>>;
using SslCtxPtr = std::unique_ptr<SSL_CTX, OpensslDeleter<SSL_CTX, SSL_CTX_free>>;
using SslPtr = std::unique_ptr<SSL, OpensslDeleter<SSL, SSL_free>>;
using X509CrlPtr = std::unique_ptr<X509_CRL, OpensslDeleter<X509_CRL, X509_CRL_free>>;
using DistPointsPtr = std::unique_ptr<CRL_DIST_POINTS, OpensslDeleter<CRL_DIST_POINTS, detail::free_dist_points>>;
using Asn1IntegerPtr = std::unique_ptr<ASN1_INTEGER, OpensslDeleter<ASN1_INTEGER, ASN1_INTEGER_free>>;
using Asn1EnumeratedPtr = std::unique_ptr<ASN1_ENUMERATED, OpensslDeleter<ASN1_ENUMERATED, ASN1_ENUMERATED_free>>;

// A second owner of `x` (X509_up_ref): the holder and the caller both own it.
inline X509Ptr share(X509* x) {
  if (x) X509_up_ref(x);
  return X509Ptr(x);
}
inline EvpPkeyPtr share(EVP_PKEY* k) {
  if (k) EVP_PKEY_up_ref(k);
  return EvpPkeyPtr(k);
}

}  // namespace certkeeper::crypto
