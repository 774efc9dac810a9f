// Flattened JWS JSON serialization (RFC 7515 §7.2.2), as ACME sends it
// (RFC 8555 §6.2).
#include <nlohmann/json.hpp>

#include "certkeeper/crypto/jose.h"

namespace certkeeper::crypto {

Result<std::string> jws_sign(const Signer& signer, const std::string& protected_json, const std::string& payload) {
  const std::string protected_b64 = base64url_encode(protected_json);
  // POST-as-GET (RFC 8555 §6.3): an empty payload encodes to "".
  const std::string payload_b64 = base64url_encode(payload);
  Result<std::string> signature = signer.sign(protected_b64 + "." + payload_b64);
  if (!signature) return std::move(signature).error();
  nlohmann::json jws = {
      {"protected", protected_b64},
      {"payload", payload_b64},
      {"signature", base64url_encode(*signature)},
  };
  return jws.dump();
}

}  // namespace certkeeper::crypto
