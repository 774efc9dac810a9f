// Small conversions between OpenSSL objects and bytes: PEM/DER text out of
// certificates and keys, and memory BIOs.
#pragma once

#include <string>
#include <string_view>

#include "certkeeper/crypto/openssl_ptr.h"

namespace certkeeper::crypto {

// A read-only memory BIO over `bytes` (which must outlive it).
BioPtr memory_bio(std::string_view bytes);
// An empty, writable memory BIO.
BioPtr memory_bio();
// Everything written to a memory BIO.
std::string bio_contents(BIO* bio);

std::string x509_pem(X509* cert);   // "-----BEGIN CERTIFICATE-----..."
std::string x509_der(X509* cert);
// Unencrypted PKCS#8 PEM ("BEGIN PRIVATE KEY"). Secret.
std::string pkcs8_pem(EVP_PKEY* key);
// Unencrypted PKCS#8 DER. Secret.
std::string pkcs8_der(EVP_PKEY* key);

// Whether `cert`'s public key is `key` (EVP_PKEY_eq, also for a private key).
bool key_matches(X509* cert, EVP_PKEY* key);

// Two holders of the same certificate (same DER).
bool same_cert(X509* a, X509* b);

}  // namespace certkeeper::crypto
