#include "certkeeper/crypto/ari_id.h"

#include <openssl/x509v3.h>

#include <optional>

#include "certkeeper/crypto/jose.h"
#include "pem_reader.h"

namespace certkeeper::crypto {
namespace {

// The content octets of a DER INTEGER: i2d gives tag, length, content; the
// length is short form (< 128) or long form (0x80 | number of length bytes).
std::optional<std::string> integer_content(const ASN1_INTEGER* serial) {
  unsigned char* der = nullptr;
  const int size = i2d_ASN1_INTEGER(serial, &der);
  if (size <= 0 || der == nullptr) return std::nullopt;
  std::string bytes(reinterpret_cast<const char*>(der), static_cast<std::size_t>(size));
  OPENSSL_free(der);
  if (bytes.size() < 2 || static_cast<unsigned char>(bytes[0]) != V_ASN1_INTEGER) return std::nullopt;
  std::size_t header = 2;
  const auto first_length = static_cast<unsigned char>(bytes[1]);
  if (first_length & 0x80) header += first_length & 0x7f;
  if (header >= bytes.size()) return std::nullopt;
  return bytes.substr(header);
}

}  // namespace

std::string ari_cert_id_from_parts(std::string_view key_identifier, std::string_view serial_content) {
  return base64url_encode(key_identifier) + "." + base64url_encode(serial_content);
}

Result<std::string> ari_cert_id(const std::string& pem) {
  ParsedInput parsed = parse_certs_and_keys(pem, nullptr);
  if (!parsed.error.empty() || parsed.certs.empty()) {
    return make_error(Errc::invalid_input, "holds no readable certificate; give a PEM or DER certificate");
  }
  X509* cert = parsed.certs.front().get();
  // Caches the extensions first; null when there is no AKI, or an AKI that
  // names the issuer only by name and serial.
  const ASN1_OCTET_STRING* key_id = X509_get0_authority_key_id(cert);
  if (key_id == nullptr || ASN1_STRING_length(key_id) <= 0) {
    return make_error(Errc::invalid_input,
                      "the certificate has no Authority Key Identifier keyIdentifier, so it has no ARI "
                      "identifier (RFC 9773 section 4.1); renew it on the lifetime schedule");
  }
  auto serial = integer_content(X509_get0_serialNumber(cert));
  if (!serial) return make_error(Errc::invalid_input, "the certificate's serial number cannot be encoded");
  std::string_view aki(reinterpret_cast<const char*>(ASN1_STRING_get0_data(key_id)),
                       static_cast<std::size_t>(ASN1_STRING_length(key_id)));
  return ari_cert_id_from_parts(aki, *serial);
}

}  // namespace certkeeper::crypto
