// JOSE (jose.h): base64url, digests, JWK and thumbprints, signatures and
// flattened JWS. Every signature is checked independently with OpenSSL.
#include "certkeeper/crypto/jose.h"

#include <gtest/gtest.h>
#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/pem.h>

#include <nlohmann/json.hpp>
#include <string>

#include "support/ossl_ptr.h"
#include "support/test_pki.h"

namespace certkeeper::crypto {
namespace {

using testing::Key;
using testing::KeyType;

std::string hex(const std::string& bytes) {
  static const char* digits = "0123456789abcdef";
  std::string out;
  for (unsigned char c : bytes) {
    out += digits[c >> 4];
    out += digits[c & 0xf];
  }
  return out;
}

std::string b64u_decode(const std::string& text) {
  Result<std::string> r = base64url_decode(text);
  EXPECT_TRUE(r) << text;
  return r ? *r : std::string();
}

// A big-endian key parameter, left-padded to `width` bytes (0: minimal).
std::string param(EVP_PKEY* key, const char* name, int width = 0) {
  BIGNUM* raw = nullptr;
  EXPECT_EQ(EVP_PKEY_get_bn_param(key, name, &raw), 1) << name;
  testing::ossl::Bignum bn(raw);
  const int size = width ? width : BN_num_bytes(bn.get());
  std::string out(static_cast<std::size_t>(size), '\0');
  BN_bn2binpad(bn.get(), reinterpret_cast<unsigned char*>(out.data()), size);
  return out;
}

// Verifies a JWS signature with OpenSSL alone: for ECDSA, R||S is turned
// back into DER first (RFC 7518 §3.4).
bool verify(EVP_PKEY* key, const std::string& alg, const std::string& input, std::string sig) {
  const EVP_MD* md = alg == "ES384" ? EVP_sha384() : EVP_sha256();
  if (alg != "RS256") {
    const std::size_t half = alg == "ES256" ? 32 : 48;
    if (sig.size() != 2 * half) return false;
    ECDSA_SIG* ecdsa = ECDSA_SIG_new();
    BIGNUM* r = BN_bin2bn(reinterpret_cast<const unsigned char*>(sig.data()), static_cast<int>(half), nullptr);
    BIGNUM* s = BN_bin2bn(reinterpret_cast<const unsigned char*>(sig.data()) + half, static_cast<int>(half), nullptr);
    ECDSA_SIG_set0(ecdsa, r, s);
    unsigned char* der = nullptr;
    const int len = i2d_ECDSA_SIG(ecdsa, &der);
    ECDSA_SIG_free(ecdsa);
    sig.assign(reinterpret_cast<const char*>(der), static_cast<std::size_t>(len));
    OPENSSL_free(der);
  }
  EVP_MD_CTX* ctx = EVP_MD_CTX_new();
  const bool ok = EVP_DigestVerifyInit(ctx, nullptr, md, nullptr, key) == 1 &&
                  EVP_DigestVerify(ctx, reinterpret_cast<const unsigned char*>(sig.data()), sig.size(),
                                   reinterpret_cast<const unsigned char*>(input.data()), input.size()) == 1;
  EVP_MD_CTX_free(ctx);
  return ok;
}

std::unique_ptr<Signer> signer_for(const Key& key) {
  Result<std::unique_ptr<Signer>> s = make_signer(key.pem());
  EXPECT_TRUE(s) << (s ? "" : s.error().what());
  return s ? std::move(*s) : nullptr;
}

// ---------------------------------------------------------------- base64url

TEST(Base64url, Rfc4648Vectors) {
  // RFC 4648 §10, without the padding JOSE leaves off.
  const std::pair<const char*, const char*> vectors[] = {
      {"", ""},         {"f", "Zg"},         {"fo", "Zm8"},        {"foo", "Zm9v"},
      {"foob", "Zm9vYg"}, {"fooba", "Zm9vYmE"}, {"foobar", "Zm9vYmFy"},
  };
  for (const auto& [plain, encoded] : vectors) {
    EXPECT_EQ(base64url_encode(plain), encoded);
    EXPECT_EQ(b64u_decode(encoded), plain);
  }
}

TEST(Base64url, UsesTheUrlSafeAlphabet) {
  EXPECT_EQ(base64url_encode(std::string("\xfb\xff\xbf", 3)), "-_-_");
  EXPECT_EQ(b64u_decode("-_-_"), std::string("\xfb\xff\xbf", 3));
}

TEST(Base64url, RoundTripsEveryByteAtEveryLength) {
  std::string all;
  for (int i = 0; i < 256; ++i) all += static_cast<char>(i);
  for (std::size_t n = 0; n <= all.size(); n += 7) {
    const std::string bytes = all.substr(256 - n);
    const std::string text = base64url_encode(bytes);
    EXPECT_EQ(text.find_first_of("+/="), std::string::npos);
    EXPECT_EQ(b64u_decode(text), bytes) << n;
  }
}

TEST(Base64url, ToleratesExactPadding) { EXPECT_EQ(b64u_decode("Zm8="), "fo"); }

TEST(Base64url, RejectsBadInput) {
  for (const char* bad : {"Zm9v+", "Zm9v/w", "Z", "Zm9vY", "Zm 9v", "Zm9v\n", "Zh", "Zm9=", "Zg=", "====", "é"}) {
    Result<std::string> r = base64url_decode(bad);
    ASSERT_FALSE(r) << bad;
    EXPECT_EQ(r.error().code, Errc::invalid_input) << bad;
  }
}

// ---------------------------------------------------------------- digests

TEST(Digest, Sha256KnownAnswer) {
  EXPECT_EQ(hex(sha256("abc")), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  EXPECT_EQ(hex(sha256("")), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
}

TEST(Digest, HmacSha256Rfc4231Case2) {
  EXPECT_EQ(hex(hmac_sha256("Jefe", "what do ya want for nothing?")),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
}

TEST(Digest, HmacSha256Rfc4231Case1) {
  EXPECT_EQ(hex(hmac_sha256(std::string(20, '\x0b'), "Hi There")),
            "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7");
}

// ---------------------------------------------------------------- JWK thumbprint

TEST(Thumbprint, Rfc7638Example) {
  // RFC 7638 §3.1: the RSA key of RFC 7517 Appendix A.1, canonical form.
  const std::string n =
      "0vx7agoebGcQSuuPiLJXZptN9nndrQmbXEps2aiAFbWhM78LhWx4cbbfAAtVT86zwu1RK7aPFFxuhDR1L6tSoc_BJECPebWKRXjBZCiFV4n3oknjhM"
      "stn64tZ_2W-5JsGY4Hc5n9yBXArwl93lqt7_RN5w6Cf0h4QyQ5v-65YGjQR0_FDW2QvzqY368QQMicAtaSqzs8KJZgnYb9c7d0zgdAZHzu6qMQvRL"
      "5hajrn1n91CbOpbISD08qNLyrdkt-bFTWhAI4vMQFh6WeZu0fM4lFd2NcRwr3XPksINHaQ-G_xBniIqbw0Ls1jF44-csFCur-kEgU8awapJzKnqDKgw";
  const std::string canonical = R"({"e":"AQAB","kty":"RSA","n":")" + n + R"("})";
  EXPECT_EQ(base64url_encode(sha256(canonical)), "NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs");
  // n survives a decode/encode through our base64url (2048 bits, no leading zero).
  EXPECT_EQ(b64u_decode(n).size(), 256u);
  EXPECT_EQ(base64url_encode(b64u_decode(n)), n);
}

TEST(Thumbprint, RsaJwkIsCanonicalAndHashesToTheThumbprint) {
  const Key key = Key::shared(KeyType::rsa2048);
  auto signer = signer_for(key);
  ASSERT_TRUE(signer);
  const std::string expected = R"({"e":")" + base64url_encode(param(key.get(), OSSL_PKEY_PARAM_RSA_E)) +
                               R"(","kty":"RSA","n":")" + base64url_encode(param(key.get(), OSSL_PKEY_PARAM_RSA_N)) +
                               R"("})";
  EXPECT_EQ(signer->jwk_json(), expected);
  EXPECT_EQ(signer->thumbprint(), base64url_encode(sha256(expected)));
  EXPECT_EQ(signer->alg(), "RS256");
}

TEST(Thumbprint, EcJwkHasPaddedCoordinatesInOrder) {
  for (const auto& [type, crv, width] : {std::tuple{KeyType::ec_p256, "P-256", 32},
                                         std::tuple{KeyType::ec_p384, "P-384", 48}}) {
    const Key key = Key::shared(type);
    auto signer = signer_for(key);
    ASSERT_TRUE(signer);
    const std::string expected =
        std::string(R"({"crv":")") + crv + R"(","kty":"EC","x":")" +
        base64url_encode(param(key.get(), OSSL_PKEY_PARAM_EC_PUB_X, width)) + R"(","y":")" +
        base64url_encode(param(key.get(), OSSL_PKEY_PARAM_EC_PUB_Y, width)) + R"("})";
    EXPECT_EQ(signer->jwk_json(), expected);
    const nlohmann::json jwk = nlohmann::json::parse(signer->jwk_json());
    EXPECT_EQ(b64u_decode(jwk["x"]).size(), static_cast<std::size_t>(width));
    EXPECT_EQ(b64u_decode(jwk["y"]).size(), static_cast<std::size_t>(width));
    EXPECT_EQ(signer->thumbprint(), base64url_encode(sha256(expected)));
  }
}

TEST(Thumbprint, EcCoordinateWithALeadingZeroKeepsItsFullWidth) {
  // About one P-256 key in 128 has a coordinate below 2^248; find one.
  for (int i = 0; i < 5000; ++i) {
    const Key key = Key::generate(KeyType::ec_p256);
    if (param(key.get(), OSSL_PKEY_PARAM_EC_PUB_X).size() == 32 &&
        param(key.get(), OSSL_PKEY_PARAM_EC_PUB_Y).size() == 32) {
      continue;
    }
    auto signer = signer_for(key);
    ASSERT_TRUE(signer);
    const nlohmann::json jwk = nlohmann::json::parse(signer->jwk_json());
    EXPECT_EQ(b64u_decode(jwk["x"]).size(), 32u);
    EXPECT_EQ(b64u_decode(jwk["y"]).size(), 32u);
    return;
  }
  GTEST_SKIP() << "no short coordinate in 5000 keys";
}

// ---------------------------------------------------------------- signatures

TEST(Signer, SignaturesVerifyWithOpenssl) {
  for (const auto& [type, alg, size] :
       {std::tuple{KeyType::ec_p256, "ES256", 64u}, std::tuple{KeyType::ec_p384, "ES384", 96u},
        std::tuple{KeyType::rsa2048, "RS256", 256u}, std::tuple{KeyType::rsa3072, "RS256", 384u}}) {
    const Key key = Key::shared(type);
    auto signer = signer_for(key);
    ASSERT_TRUE(signer);
    EXPECT_EQ(signer->alg(), alg);
    for (const std::string& input : {std::string(), std::string("eyJhbGciOiJFUzI1NiJ9.e30"), std::string(10000, 'x')}) {
      Result<std::string> sig = signer->sign(input);
      ASSERT_TRUE(sig) << sig.error().what();
      EXPECT_EQ(sig->size(), size) << alg;
      EXPECT_TRUE(verify(key.get(), alg, input, *sig)) << alg;
      EXPECT_FALSE(verify(key.get(), alg, input + "!", *sig)) << alg;
    }
  }
}

TEST(Signer, EcdsaSignaturesAreAlwaysFixedWidth) {
  // R or S is shorter than 32 bytes in about one signature in 128: R||S
  // must be left-padded, never shortened.
  const Key key = Key::shared(KeyType::ec_p256);
  auto signer = signer_for(key);
  ASSERT_TRUE(signer);
  for (int i = 0; i < 1000; ++i) {
    const std::string input = "input-" + std::to_string(i);
    Result<std::string> sig = signer->sign(input);
    ASSERT_TRUE(sig) << sig.error().what();
    ASSERT_EQ(sig->size(), 64u);
    ASSERT_TRUE(verify(key.get(), "ES256", input, *sig)) << i;
  }
}

TEST(Signer, AcceptsTraditionalPem) {
  const Key key = Key::shared(KeyType::ec_p256);
  Result<std::unique_ptr<Signer>> s = make_signer(key.traditional_pem());
  ASSERT_TRUE(s) << s.error().what();
  EXPECT_EQ((*s)->jwk_json(), signer_for(key)->jwk_json());
}

TEST(Signer, RejectsWeakOrUnsupportedKeys) {
  for (KeyType type : {KeyType::rsa1024, KeyType::ec_p521, KeyType::ed25519}) {
    Result<std::unique_ptr<Signer>> s = make_signer(Key::shared(type).pem());
    ASSERT_FALSE(s) << testing::key_type_name(type);
    EXPECT_EQ(s.error().code, Errc::invalid_input) << testing::key_type_name(type);
  }
  Result<std::unique_ptr<Signer>> rsa1024 = make_signer(Key::shared(KeyType::rsa1024).pem());
  ASSERT_FALSE(rsa1024);
  EXPECT_NE(rsa1024.error().message.find("2048"), std::string::npos) << rsa1024.error().what();
}

TEST(Signer, RejectsEncryptedOrMissingKeys) {
  const Key key = Key::shared(KeyType::ec_p256);
  for (const std::string& pem : {key.encrypted_pkcs8_pem("secret"), key.public_pem(), std::string("garbage"),
                                std::string()}) {
    Result<std::unique_ptr<Signer>> s = make_signer(pem);
    ASSERT_FALSE(s);
    EXPECT_EQ(s.error().code, Errc::invalid_input);
    EXPECT_EQ(s.error().message.find("PRIVATE"), std::string::npos) << s.error().message;
  }
}

// ---------------------------------------------------------------- JWS

TEST(Jws, FlattenedJsonThatVerifies) {
  const Key key = Key::shared(KeyType::ec_p256);
  auto signer = signer_for(key);
  ASSERT_TRUE(signer);
  const std::string protected_json =
      R"({"alg":"ES256","jwk":)" + signer->jwk_json() + R"(,"nonce":"abc","url":"https://ca.test/new-acct"})";
  const std::string payload = R"({"termsOfServiceAgreed":true})";
  Result<std::string> jws = jws_sign(*signer, protected_json, payload);
  ASSERT_TRUE(jws) << jws.error().what();
  const nlohmann::json doc = nlohmann::json::parse(*jws);
  ASSERT_TRUE(doc.is_object());
  EXPECT_EQ(doc.size(), 3u);
  const std::string p = doc.at("protected"), pl = doc.at("payload"), sig = doc.at("signature");
  EXPECT_EQ(b64u_decode(p), protected_json);
  EXPECT_EQ(b64u_decode(pl), payload);
  EXPECT_TRUE(verify(key.get(), "ES256", p + "." + pl, b64u_decode(sig)));
}

TEST(Jws, PostAsGetHasAnEmptyPayload) {
  const Key key = Key::shared(KeyType::rsa2048);
  auto signer = signer_for(key);
  ASSERT_TRUE(signer);
  const std::string protected_json = R"({"alg":"RS256","kid":"https://ca.test/acct/1","nonce":"n","url":"u"})";
  Result<std::string> jws = jws_sign(*signer, protected_json, "");
  ASSERT_TRUE(jws) << jws.error().what();
  const nlohmann::json doc = nlohmann::json::parse(*jws);
  EXPECT_EQ(doc.at("payload"), "");
  const std::string p = doc.at("protected");
  EXPECT_TRUE(verify(key.get(), "RS256", p + ".", b64u_decode(doc.at("signature"))));
}

}  // namespace
}  // namespace certkeeper::crypto
