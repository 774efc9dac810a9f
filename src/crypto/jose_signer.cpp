// The account key as a Signer: JWK (RFC 7517/7518 §6), thumbprint (RFC 7638)
// and JWS signatures (RFC 7518 §3.3 RS256, §3.4 ES256/ES384).
#include <openssl/core_names.h>

#include "certkeeper/crypto/jose.h"
#include "key_material.h"
#include "openssl_error.h"

namespace certkeeper::crypto {
namespace {

constexpr int kMinRsaBits = 2048;

// The big-endian bytes of a key parameter, left-padded to `width` (0: minimal).
std::string bn_param(EVP_PKEY* key, const char* name, int width) {
  BIGNUM* raw = nullptr;
  if (EVP_PKEY_get_bn_param(key, name, &raw) != 1) return {};
  BignumPtr bn(raw);
  const int size = width > 0 ? width : BN_num_bytes(bn.get());
  std::string out(static_cast<std::size_t>(size), '\0');
  if (BN_bn2binpad(bn.get(), reinterpret_cast<unsigned char*>(out.data()), size) != size) return {};
  return out;
}

struct KeyShape {
  std::string alg;
  const EVP_MD* md = nullptr;
  int coordinate_size = 0;  // EC only: bytes per coordinate and per R, S
  std::string jwk;
};

Result<KeyShape> shape_of(EVP_PKEY* key) {
  KeyShape shape;
  if (EVP_PKEY_is_a(key, "EC")) {
    char group[64] = {};
    std::size_t len = 0;
    if (EVP_PKEY_get_utf8_string_param(key, OSSL_PKEY_PARAM_GROUP_NAME, group, sizeof group, &len) != 1) {
      clear_openssl_errors();
      return make_error(Errc::invalid_input, "the EC key has no named curve; use P-256 or P-384");
    }
    const std::string curve(group, len);
    std::string crv;
    if (curve == "prime256v1" || curve == "P-256") {
      shape = {"ES256", EVP_sha256(), 32, {}};
      crv = "P-256";
    } else if (curve == "secp384r1" || curve == "P-384") {
      shape = {"ES384", EVP_sha384(), 48, {}};
      crv = "P-384";
    } else {
      return make_error(Errc::invalid_input, "the EC key uses curve " + curve + "; use P-256 or P-384");
    }
    const std::string x = bn_param(key, OSSL_PKEY_PARAM_EC_PUB_X, shape.coordinate_size);
    const std::string y = bn_param(key, OSSL_PKEY_PARAM_EC_PUB_Y, shape.coordinate_size);
    if (x.empty() || y.empty()) {
      return make_error(Errc::crypto, "reading the EC public key failed (" + drain_openssl_errors() + ")");
    }
    // RFC 7638 §3.2: required members only, in lexicographic order, no whitespace.
    shape.jwk = R"({"crv":")" + crv + R"(","kty":"EC","x":")" + base64url_encode(x) + R"(","y":")" +
                base64url_encode(y) + R"("})";
    return shape;
  }
  if (EVP_PKEY_is_a(key, "RSA")) {
    const int bits = EVP_PKEY_get_bits(key);
    if (bits < kMinRsaBits) {
      return make_error(Errc::invalid_input,
                        "the RSA key has " + std::to_string(bits) + " bits; use at least " + std::to_string(kMinRsaBits));
    }
    const std::string n = bn_param(key, OSSL_PKEY_PARAM_RSA_N, 0);
    const std::string e = bn_param(key, OSSL_PKEY_PARAM_RSA_E, 0);
    if (n.empty() || e.empty()) {
      return make_error(Errc::crypto, "reading the RSA public key failed (" + drain_openssl_errors() + ")");
    }
    shape = {"RS256", EVP_sha256(), 0, {}};
    shape.jwk = R"({"e":")" + base64url_encode(e) + R"(","kty":"RSA","n":")" + base64url_encode(n) + R"("})";
    return shape;
  }
  return make_error(Errc::invalid_input, "the key is neither EC (P-256, P-384) nor RSA; use one of those");
}

// RFC 7518 §3.4: R and S as fixed-width big-endian integers, concatenated.
Result<std::string> der_to_fixed(const std::string& der, int coordinate_size) {
  const auto* p = reinterpret_cast<const unsigned char*>(der.data());
  EcdsaSigPtr sig(d2i_ECDSA_SIG(nullptr, &p, static_cast<long>(der.size())));
  if (!sig) return make_error(Errc::crypto, "decoding the ECDSA signature failed (" + drain_openssl_errors() + ")");
  const BIGNUM* r = nullptr;
  const BIGNUM* s = nullptr;
  ECDSA_SIG_get0(sig.get(), &r, &s);
  std::string out(static_cast<std::size_t>(2 * coordinate_size), '\0');
  auto* buf = reinterpret_cast<unsigned char*>(out.data());
  if (BN_bn2binpad(r, buf, coordinate_size) != coordinate_size ||
      BN_bn2binpad(s, buf + coordinate_size, coordinate_size) != coordinate_size) {
    return make_error(Errc::crypto, "the ECDSA signature does not fit the curve size");
  }
  return out;
}

class EvpSigner final : public Signer {
 public:
  EvpSigner(EvpPkeyPtr key, KeyShape shape)
      : key_(std::move(key)), shape_(std::move(shape)), thumbprint_(base64url_encode(sha256(shape_.jwk))) {}

  std::string alg() const override { return shape_.alg; }
  std::string jwk_json() const override { return shape_.jwk; }
  std::string thumbprint() const override { return thumbprint_; }

  Result<std::string> sign(std::string_view signing_input) const override {
    EvpMdCtxPtr ctx(EVP_MD_CTX_new());
    std::size_t len = 0;
    const auto* data = reinterpret_cast<const unsigned char*>(signing_input.data());
    // RSA keys default to PKCS#1 v1.5 padding, which RS256 is.
    if (!ctx || EVP_DigestSignInit(ctx.get(), nullptr, shape_.md, nullptr, key_.get()) != 1 ||
        EVP_DigestSign(ctx.get(), nullptr, &len, data, signing_input.size()) != 1) {
      return make_error(Errc::crypto, "signing with the account key failed (" + drain_openssl_errors() + ")");
    }
    std::string sig(len, '\0');
    if (EVP_DigestSign(ctx.get(), reinterpret_cast<unsigned char*>(sig.data()), &len, data, signing_input.size()) !=
        1) {
      return make_error(Errc::crypto, "signing with the account key failed (" + drain_openssl_errors() + ")");
    }
    sig.resize(len);
    if (shape_.coordinate_size > 0) return der_to_fixed(sig, shape_.coordinate_size);
    return sig;
  }

 private:
  EvpPkeyPtr key_;
  KeyShape shape_;
  std::string thumbprint_;
};

}  // namespace

Result<std::unique_ptr<Signer>> make_signer(const std::string& private_key_pem) {
  Result<EvpPkeyPtr> key = read_private_key(private_key_pem);
  if (!key) return std::move(key).error();
  Result<KeyShape> shape = shape_of(key->get());
  if (!shape) return std::move(shape).error();
  return std::unique_ptr<Signer>(std::make_unique<EvpSigner>(std::move(*key), std::move(*shape)));
}

}  // namespace certkeeper::crypto
