// private_key_pem_from_jwk (crypto/jose.h): a private JWK, as certbot stores
// its account key, becomes the same key pair in PEM. The test writes the
// JWK from a generated key's own parameters (OpenSSL), independently of the
// code under test.
#include <gtest/gtest.h>
#include <openssl/core_names.h>

#include <nlohmann/json.hpp>

#include "certkeeper/crypto/jose.h"
#include "support/ossl_ptr.h"
#include "support/test_pki.h"

namespace certkeeper::testing {
namespace {

std::string param(EVP_PKEY* key, const char* name, int width = 0) {
  BIGNUM* raw = nullptr;
  if (EVP_PKEY_get_bn_param(key, name, &raw) != 1) return {};
  ossl::Bignum bn(raw);
  const int size = width > 0 ? width : BN_num_bytes(bn.get());
  std::string out(static_cast<std::size_t>(size), '\0');
  BN_bn2binpad(bn.get(), reinterpret_cast<unsigned char*>(out.data()), size);
  return crypto::base64url_encode(out);
}

nlohmann::json rsa_jwk(const Key& key) {
  EVP_PKEY* k = key.get();
  return {{"kty", "RSA"},
          {"n", param(k, OSSL_PKEY_PARAM_RSA_N)},
          {"e", param(k, OSSL_PKEY_PARAM_RSA_E)},
          {"d", param(k, OSSL_PKEY_PARAM_RSA_D)},
          {"p", param(k, OSSL_PKEY_PARAM_RSA_FACTOR1)},
          {"q", param(k, OSSL_PKEY_PARAM_RSA_FACTOR2)},
          {"dp", param(k, OSSL_PKEY_PARAM_RSA_EXPONENT1)},
          {"dq", param(k, OSSL_PKEY_PARAM_RSA_EXPONENT2)},
          {"qi", param(k, OSSL_PKEY_PARAM_RSA_COEFFICIENT1)}};
}

nlohmann::json ec_jwk(const Key& key) {
  EVP_PKEY* k = key.get();
  return {{"kty", "EC"},
          {"crv", "P-256"},
          {"x", param(k, OSSL_PKEY_PARAM_EC_PUB_X, 32)},
          {"y", param(k, OSSL_PKEY_PARAM_EC_PUB_Y, 32)},
          {"d", param(k, OSSL_PKEY_PARAM_PRIV_KEY, 32)}};
}

TEST(JwkImport, RsaWithCrtMembersIsTheSameKey) {
  const Key key = Key::shared(KeyType::rsa2048);
  auto pem = crypto::private_key_pem_from_jwk(rsa_jwk(key).dump());
  ASSERT_TRUE(pem) << pem.error().what();
  EXPECT_EQ(pem->rfind("-----BEGIN PRIVATE KEY-----", 0), 0u);
  EXPECT_TRUE(key.same_as_pem(*pem));
  auto signer = crypto::make_signer(*pem);
  ASSERT_TRUE(signer) << signer.error().what();
  EXPECT_EQ((*signer)->alg(), "RS256");
}

TEST(JwkImport, EcP256IsTheSameKey) {
  const Key key = Key::generate(KeyType::ec_p256);
  auto pem = crypto::private_key_pem_from_jwk(ec_jwk(key).dump());
  ASSERT_TRUE(pem) << pem.error().what();
  EXPECT_TRUE(key.same_as_pem(*pem));
}

TEST(JwkImport, RefusesWhatIsNotAUsablePrivateKey) {
  const Key key = Key::generate(KeyType::ec_p256);
  const Key other = Key::generate(KeyType::ec_p256);
  auto mixed = ec_jwk(key);
  mixed["d"] = ec_jwk(other)["d"];
  auto public_only = ec_jwk(key);
  public_only.erase("d");
  auto partial_crt = rsa_jwk(Key::shared(KeyType::rsa2048));
  partial_crt.erase("qi");
  auto no_crt = rsa_jwk(Key::shared(KeyType::rsa2048));
  for (const char* m : {"p", "q", "dp", "dq", "qi"}) no_crt.erase(m);
  for (const std::string& text : {std::string("not json"), std::string(R"({"kty":"oct","k":"AAAA"})"),
                                  mixed.dump(), public_only.dump(), partial_crt.dump(), no_crt.dump(),
                                  std::string(R"({"kty":"EC","crv":"P-521","x":"AA","y":"AA","d":"AA"})")}) {
    auto pem = crypto::private_key_pem_from_jwk(text);
    ASSERT_FALSE(pem) << text;
    EXPECT_EQ(pem.error().code, Errc::invalid_input) << text;
  }
}

}  // namespace
}  // namespace certkeeper::testing
