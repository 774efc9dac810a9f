// PKCS#12 (.p12/.pfx) files: the MAC is verified first, so that a wrong
// password and a file that is no PKCS#12 at all are told apart. Old Windows
// exports (RC2-40 certificates, 3DES key) are decrypted with OpenSSL 3's
// "legacy" provider, loaded (with "default") into a library context of its
// own that is the thread's default only while such a file is parsed.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "certkeeper/crypto/openssl_ptr.h"

namespace certkeeper::crypto {

enum class P12Status { ok, unreadable, bad_password };

struct P12Contents {
  P12Status status = P12Status::unreadable;
  std::string detail;            // for unreadable: why, in words for a user
  std::vector<X509Ptr> certs;    // the certificate with the key first, then the CA certificates
  std::vector<EvpPkeyPtr> keys;  // zero or one key
};

// `password` as read from the password file ("" = none): an empty password
// tries both "" and no password at all, as PKCS#12 writers differ.
P12Contents read_pkcs12(std::string_view der, const std::string& password);

}  // namespace certkeeper::crypto
