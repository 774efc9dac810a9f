// The ACME Renewal Information certificate identifier (RFC 9773 §4.1): what
// GET {renewalInfo}/{id} and a newOrder's "replaces" (§5) name a
// certificate by.
#pragma once

#include <string>
#include <string_view>

#include "certkeeper/util/result.h"

namespace certkeeper::crypto {

// base64url(keyIdentifier of the Authority Key Identifier) "." base64url(the
// content octets of the DER serialNumber INTEGER), both without padding.
// `pem` is the certificate (the first one when several; DER given as is).
// Errc::invalid_input when it holds no readable certificate, or when the
// certificate has no AKI keyIdentifier (the CA cannot be asked about it).
Result<std::string> ari_cert_id(const std::string& pem);

// The same from the raw parts: the keyIdentifier bytes and the serial's
// INTEGER content octets exactly as DER has them (a leading 0x00 kept when
// the high bit of the first magnitude byte is set). No validation.
std::string ari_cert_id_from_parts(std::string_view key_identifier, std::string_view serial_content);

}  // namespace certkeeper::crypto
