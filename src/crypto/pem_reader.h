// Certificates and private keys out of the bytes of one user file: PEM with
// any number of blocks in any order (CRLF, a UTF-8 BOM, text around and
// between blocks), or one DER certificate or key (PKCS#8, traditional RSA/EC,
// encrypted PKCS#8). Never echoes the bytes in `error`.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "certkeeper/crypto/openssl_ptr.h"

namespace certkeeper::crypto {

struct ParsedInput {
  std::vector<X509Ptr> certs;     // in file order
  std::vector<EvpPkeyPtr> keys;   // in file order, decrypted
  int encrypted_keys = 0;         // keys left encrypted: no passphrase, or a wrong one
  int other_blocks = 0;           // PEM blocks of other types (public keys, CSRs, EC parameters)
  // "" when readable; else why not, in words for a user ("a CERTIFICATE
  // block is cut off (no END line)"), never the file's bytes.
  std::string error;
};

// `passphrase` (may be null) decrypts encrypted keys; without it they are
// only counted. Never prompts on a terminal.
ParsedInput parse_certs_and_keys(std::string_view bytes, const std::string* passphrase);

}  // namespace certkeeper::crypto
