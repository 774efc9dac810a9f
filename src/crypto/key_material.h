// Key and name helpers shared by the JOSE, CSR and tls-alpn-01 code. Private
// to src/crypto.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "certkeeper/util/result.h"
#include "certkeeper/crypto/openssl_ptr.h"

namespace certkeeper::crypto {

// The one unencrypted private key in `pem` (PKCS#8 or traditional RSA/EC).
// Errc::invalid_input when there is none, more than one, or it is encrypted.
// Never prompts for a passphrase.
Result<EvpPkeyPtr> read_private_key(const std::string& pem);

// A fresh key of a valid_key_type().
Result<EvpPkeyPtr> generate_key(std::string_view key_type);

// Whether `name` is an IPv4 or IPv6 address literal; `bytes` gets its 4 or
// 16 network-order octets.
bool parse_ip(const std::string& name, std::string& bytes);

// A subjectAltName extension with one dNSName or iPAddress per name.
// Errc::invalid_input for an empty list or an empty name.
Result<X509ExtensionPtr> subject_alt_name_extension(const std::vector<std::string>& names);

}  // namespace certkeeper::crypto
