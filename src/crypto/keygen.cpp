#include "certkeeper/crypto/jose.h"
#include "key_material.h"
#include "openssl_io.h"

namespace certkeeper::crypto {

bool valid_key_type(std::string_view key_type) {
  return key_type == "ec-p256" || key_type == "ec-p384" || key_type == "rsa-2048" || key_type == "rsa-3072" ||
         key_type == "rsa-4096";
}

Result<std::string> generate_private_key(std::string_view key_type) {
  Result<EvpPkeyPtr> key = generate_key(key_type);
  if (!key) return std::move(key).error();
  std::string pem = pkcs8_pem(key->get());
  if (pem.empty()) return make_error(Errc::crypto, "writing the new " + std::string(key_type) + " key as PEM failed");
  return pem;
}

}  // namespace certkeeper::crypto
