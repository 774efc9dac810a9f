// DER out of PEM, for protocols that carry certificates as DER (RFC 8555
// §7.6 revokeCert).
#pragma once

#include <string>

#include "certkeeper/util/result.h"

namespace certkeeper::crypto {

// The DER of the first certificate in `pem` (PEM blocks, or DER given as
// is). Errc::invalid_input when it holds no readable certificate.
Result<std::string> certificate_der(const std::string& pem);

}  // namespace certkeeper::crypto
