#include "certkeeper/crypto/certificate_der.h"

#include "openssl_io.h"
#include "pem_reader.h"

namespace certkeeper::crypto {

Result<std::string> certificate_der(const std::string& pem) {
  ParsedInput parsed = parse_certs_and_keys(pem, nullptr);
  if (!parsed.error.empty() || parsed.certs.empty()) {
    return make_error(Errc::invalid_input, "holds no readable certificate; give a PEM or DER certificate");
  }
  return x509_der(parsed.certs.front().get());
}

}  // namespace certkeeper::crypto
