#include "key_material.h"

#include <arpa/inet.h>


#include "openssl_error.h"
#include "pem_reader.h"

namespace certkeeper::crypto {

Result<EvpPkeyPtr> read_private_key(const std::string& pem) {
  ParsedInput parsed = parse_certs_and_keys(pem, nullptr);
  if (parsed.encrypted_keys > 0) {
    return make_error(Errc::invalid_input, "the private key is encrypted; give it unencrypted");
  }
  if (!parsed.error.empty()) return make_error(Errc::invalid_input, "the private key is unreadable: " + parsed.error);
  if (parsed.keys.size() != 1) {
    return make_error(Errc::invalid_input, parsed.keys.empty() ? "no private key found in the PEM text"
                                                               : "more than one private key in the PEM text");
  }
  return std::move(parsed.keys.front());
}

Result<EvpPkeyPtr> generate_key(std::string_view key_type) {
  EVP_PKEY* key = nullptr;
  if (key_type == "ec-p256") {
    key = EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-256");
  } else if (key_type == "ec-p384") {
    key = EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-384");
  } else if (key_type == "rsa-2048" || key_type == "rsa-3072" || key_type == "rsa-4096") {
    const std::size_t bits = key_type == "rsa-2048" ? 2048 : key_type == "rsa-3072" ? 3072 : 4096;
    key = EVP_PKEY_Q_keygen(nullptr, nullptr, "RSA", bits);
  } else {
    return make_error(Errc::invalid_input,
                      "unknown key type '" + std::string(key_type) +
                          "'; use ec-p256, ec-p384, rsa-2048, rsa-3072 or rsa-4096");
  }
  if (!key) {
    return make_error(Errc::crypto, "generating a " + std::string(key_type) + " key failed (" +
                                        drain_openssl_errors() + ")");
  }
  return EvpPkeyPtr(key);
}

bool parse_ip(const std::string& name, std::string& bytes) {
  unsigned char buf[16];
  if (inet_pton(AF_INET, name.c_str(), buf) == 1) {
    bytes.assign(reinterpret_cast<const char*>(buf), 4);
    return true;
  }
  if (inet_pton(AF_INET6, name.c_str(), buf) == 1) {
    bytes.assign(reinterpret_cast<const char*>(buf), 16);
    return true;
  }
  return false;
}

namespace {

GeneralNamePtr make_general_name(const std::string& name) {
  std::string ip;
  const bool is_ip = parse_ip(name, ip);
  const std::string& value = is_ip ? ip : name;
  ASN1_STRING* str = is_ip ? ASN1_OCTET_STRING_new() : ASN1_IA5STRING_new();
  if (!str) return nullptr;
  if (ASN1_STRING_set(str, value.data(), static_cast<int>(value.size())) != 1) {
    ASN1_STRING_free(str);
    return nullptr;
  }
  GeneralNamePtr gn(GENERAL_NAME_new());
  if (!gn) {
    ASN1_STRING_free(str);
    return nullptr;
  }
  GENERAL_NAME_set0_value(gn.get(), is_ip ? GEN_IPADD : GEN_DNS, str);  // gn owns str now
  return gn;
}

}  // namespace

Result<X509ExtensionPtr> subject_alt_name_extension(const std::vector<std::string>& names) {
  if (names.empty()) return make_error(Errc::invalid_input, "no names given");
  GeneralNamesPtr sans(GENERAL_NAMES_new());
  if (!sans) return make_error(Errc::crypto, "out of memory building subjectAltName");
  for (const std::string& name : names) {
    if (name.empty() || name.size() > 254) {
      return make_error(Errc::invalid_input, "a name is empty or too long", name);
    }
    GeneralNamePtr gn = make_general_name(name);
    if (!gn || sk_GENERAL_NAME_push(sans.get(), gn.get()) <= 0) {
      return make_error(Errc::crypto, "building subjectAltName failed (" + drain_openssl_errors() + ")", name);
    }
    gn.release();  // the stack owns it
  }
  X509ExtensionPtr ext(X509V3_EXT_i2d(NID_subject_alt_name, 0, sans.get()));
  if (!ext) return make_error(Errc::crypto, "encoding subjectAltName failed (" + drain_openssl_errors() + ")");
  return ext;
}

}  // namespace certkeeper::crypto
