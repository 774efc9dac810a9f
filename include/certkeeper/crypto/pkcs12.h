// Writing PKCS#12 (.p12/.pfx) files: a certificate with its chain and,
// optionally, its private key, for appliances and Windows that take one file.
// (Reading them is part of the validation gate, validation.h.)
#pragma once

#include <string>

#include "certkeeper/util/result.h"

namespace certkeeper::crypto {

enum class Pkcs12Encryption {
  // OpenSSL 3's default: PBES2 (PBKDF2 with HMAC-SHA-256, AES-256-CBC) for the
  // key and the certificates, an HMAC-SHA-256 MAC (RFC 7292 with RFC 8018).
  modern,
  // What old appliances and Windows before Server 2019 read: the key under
  // pbeWithSHAAnd3-KeyTripleDES-CBC, the certificates under
  // pbeWithSHAAnd40BitRC2-CBC, an HMAC-SHA-1 MAC (needs the legacy provider).
  legacy,
};

struct Pkcs12Request {
  std::string leaf_pem;
  std::string chain_pem;   // intermediates, any number (may be "")
  std::string key_pem;     // "" = certificates only. Secret.
  std::string password;    // secret; "" only without a key (certificates unencrypted, MAC under "")
  std::string friendly_name;  // the bag's friendlyName, e.g. the certificate name
  Pkcs12Encryption encryption = Pkcs12Encryption::modern;
};

// The DER of the PKCS#12 file. Errc::invalid_input when the PEM does not
// parse, the key does not belong to the leaf, or a key comes without a
// password; Errc::crypto when OpenSSL cannot build it (e.g. the legacy
// provider is missing). Never puts key material in a message.
Result<std::string> make_pkcs12(const Pkcs12Request& request);

// "AES-256-CBC, PBKDF2, SHA-256 MAC" or "3DES/RC2-40, SHA-1 MAC": for output.
const char* pkcs12_encryption_summary(Pkcs12Encryption encryption);

}  // namespace certkeeper::crypto
