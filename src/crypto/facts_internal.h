// CertificateFacts out of an X509, for the rest of src/crypto.
#pragma once

#include <string>

#include "certkeeper/crypto/facts.h"
#include "certkeeper/crypto/openssl_ptr.h"

namespace certkeeper::crypto {

CertificateFacts facts_of(X509* cert);

// "rsa-2048", "ec-p256", "ec-p384", "ec-p521", "ed25519", "ed448", "dsa-2048",
// else "unknown".
std::string key_type_of(EVP_PKEY* key);

// The RFC 2253 one-line form of a name, UTF-8 kept as is.
std::string name_oneline(const X509_NAME* name);
// The last CN of a name, UTF-8, or "".
std::string name_cn(const X509_NAME* name);

// "'CN'" when the name has a CN, else the one-line DN: for messages.
std::string name_for_message(const X509_NAME* name);

UnixTime asn1_time_to_unix(const ASN1_TIME* t);

}  // namespace certkeeper::crypto
