#include "pkcs12_reader.h"

#include <optional>

#include "legacy_provider.h"
#include "openssl_error.h"
#include "openssl_io.h"
#include "pem_reader.h"

namespace certkeeper::crypto {
namespace {

// The password that verifies the MAC (nullopt = none does); a null pointer
// inside means "no password".
std::optional<const char*> verified_password(PKCS12* p12, const std::string& password) {
  std::vector<const char*> candidates{password.c_str()};
  if (password.empty()) candidates.push_back(nullptr);
  if (!PKCS12_mac_present(p12)) return candidates.front();
  for (const char* pass : candidates) {
    const int len = pass ? static_cast<int>(password.size()) : 0;
    if (PKCS12_verify_mac(p12, pass, len) == 1) {
      clear_openssl_errors();
      return pass;
    }
  }
  clear_openssl_errors();
  return std::nullopt;
}

// Parses, then hands the contents out as DER so that the caller's objects
// belong to the default library context whichever context decrypted them.
bool parse_to_der(PKCS12* p12, const char* pass, std::vector<std::string>& cert_der, std::string& key_der) {
  EVP_PKEY* key_raw = nullptr;
  X509* cert_raw = nullptr;
  STACK_OF(X509)* ca_raw = nullptr;
  const int ok = PKCS12_parse(p12, pass, &key_raw, &cert_raw, &ca_raw);
  EvpPkeyPtr key(key_raw);
  X509Ptr cert(cert_raw);
  X509StackPtr ca(ca_raw);
  clear_openssl_errors();
  if (ok != 1) return false;
  if (cert) cert_der.push_back(x509_der(cert.get()));
  for (int i = 0; ca && i < sk_X509_num(ca.get()); ++i) cert_der.push_back(x509_der(sk_X509_value(ca.get(), i)));
  if (key) key_der = pkcs8_der(key.get());
  return true;
}

void collect(const std::vector<std::string>& cert_der, const std::string& key_der, P12Contents& out) {
  for (const std::string& der : cert_der) {
    ParsedInput parsed = parse_certs_and_keys(der, nullptr);
    for (auto& c : parsed.certs) out.certs.push_back(std::move(c));
  }
  if (!key_der.empty()) {
    ParsedInput parsed = parse_certs_and_keys(key_der, nullptr);
    for (auto& k : parsed.keys) out.keys.push_back(std::move(k));
  }
}

}  // namespace

P12Contents read_pkcs12(std::string_view der, const std::string& password) {
  P12Contents out;
  const auto* p = reinterpret_cast<const unsigned char*>(der.data());
  Pkcs12Ptr p12(d2i_PKCS12(nullptr, &p, static_cast<long>(der.size())));
  clear_openssl_errors();
  if (!p12) {
    out.detail = "is not a PKCS#12 (.p12/.pfx) file";
    return out;
  }
  const std::optional<const char*> pass = verified_password(p12.get(), password);
  if (!pass) {
    out.status = P12Status::bad_password;
    return out;
  }
  std::vector<std::string> cert_der;
  std::string key_der;
  bool parsed = parse_to_der(p12.get(), *pass, cert_der, key_der);
  if (!parsed) {
    if (OSSL_LIB_CTX* legacy = legacy_context()) {
      ScopedDefaultContext scope(legacy);
      parsed = parse_to_der(p12.get(), *pass, cert_der, key_der);
    }
  }
  if (!parsed) {
    const bool had_mac = PKCS12_mac_present(p12.get()) == 1;
    out.status = had_mac ? P12Status::unreadable : P12Status::bad_password;
    out.detail = "cannot be decrypted (an unsupported or damaged PKCS#12 encryption)";
    return out;
  }
  collect(cert_der, key_der, out);
  out.status = P12Status::ok;
  return out;
}

}  // namespace certkeeper::crypto
