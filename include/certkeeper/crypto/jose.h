// JOSE for ACME (RFC 7515 JWS, RFC 7517 JWK, RFC 7638 thumbprints) and the
// key material an order needs: account keys, certificate keys and CSRs.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "certkeeper/util/result.h"

namespace certkeeper::crypto {

std::string base64url_encode(std::string_view bytes);
Result<std::string> base64url_decode(std::string_view text);  // Errc::invalid_input on bad input

// Key types certkeeper generates ("ec-p256", "ec-p384", "rsa-2048",
// "rsa-3072", "rsa-4096").
bool valid_key_type(std::string_view key_type);
// A fresh private key as unencrypted PKCS#8 PEM. Secret.
Result<std::string> generate_private_key(std::string_view key_type);

// The account key behind a narrow interface (STYLE.md §6): the ACME layer
// can sign with it and show its public half, never read it.
class Signer {
 public:
  virtual ~Signer() = default;
  // "ES256" (P-256), "ES384" (P-384) or "RS256" (RSA).
  virtual std::string alg() const = 0;
  // The public JWK as compact JSON with members in lexicographic order
  // (RFC 7638 §3.3), e.g. {"crv":"P-256","kty":"EC","x":"...","y":"..."}.
  virtual std::string jwk_json() const = 0;
  // base64url(SHA-256(jwk_json())) (RFC 7638).
  virtual std::string thumbprint() const = 0;
  // The JWS signature over `signing_input` (RFC 7518 §3.3/§3.4: for ECDSA
  // the fixed-size R||S, not DER).
  virtual Result<std::string> sign(std::string_view signing_input) const = 0;
};

// A Signer from a PEM private key (EC P-256/P-384 or RSA >= 2048).
Result<std::unique_ptr<Signer>> make_signer(const std::string& private_key_pem);

// A private JWK (RFC 7517: RSA with n, e, d, p, q, dp, dq, qi; EC
// P-256/P-384 with x, y, d) as unencrypted PKCS#8 PEM, checked
// that its private and public halves belong together. Errc::invalid_input
// (never quoting the key) otherwise. Secret.
Result<std::string> private_key_pem_from_jwk(const std::string& jwk_json);

// A flattened JWS JSON object (RFC 7515 §7.2.2):
// {"protected": b64u(protected_json), "payload": b64u(payload), "signature": ...}.
// `payload` "" means POST-as-GET (RFC 8555 §6.3): the payload member is "".
Result<std::string> jws_sign(const Signer& signer, const std::string& protected_json,
                             const std::string& payload);

// HMAC-SHA256 (External Account Binding, RFC 8555 §7.3.4).
std::string hmac_sha256(std::string_view key, std::string_view data);

// A PKCS#10 CSR (DER) for `names` (DNS names and IP addresses as SANs; the
// CN is the first name when it fits 64 characters), signed with the key.
Result<std::string> make_csr_der(const std::string& private_key_pem, const std::vector<std::string>& names);

// The self-signed certificate for a tls-alpn-01 answer (RFC 8737 §3): SAN =
// `name`, critical acmeIdentifier extension holding SHA-256(key_authorization).
// Returns {certificate PEM, private key PEM}.
Result<std::pair<std::string, std::string>> make_tls_alpn_certificate(const std::string& name,
                                                                      const std::string& key_authorization);

// The SHA-256 of `data`, raw bytes.
std::string sha256(std::string_view data);

}  // namespace certkeeper::crypto
