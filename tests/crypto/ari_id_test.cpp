// The ARI certificate identifier (RFC 9773 §4.1) from certificates the test
// PKI makes, and the RFC's own worked example.
#include "certkeeper/crypto/ari_id.h"

#include <gtest/gtest.h>

#include <openssl/pem.h>

#include "support/ossl_ptr.h"
#include "support/test_pki.h"

namespace certkeeper::crypto {
namespace {

using testing::Cert;
using testing::CertOptions;
using testing::TestPki;
namespace ossl = testing::ossl;

// RFC 9773 §4.1: keyIdentifier 69:88:5B:...:C8:D4 and serial 0x87654321,
// whose DER content octets are 00 87 65 43 21 (the high bit is set).
const std::string kRfcKeyId("\x69\x88\x5b\x6b\x87\x46\x40\x41\xe1\xb3\x7b\x84\x7b\xa0\xae\x2c\xde\x01\xc8\xd4", 20);
const std::string kRfcSerial("\x00\x87\x65\x43\x21", 5);
constexpr const char* kRfcId = "aYhba4dGQEHhs3uEe6CuLN4ByNQ.AIdlQyE";

// A copy of `base` with the serial's magnitude bytes and (when given) the
// AKI keyIdentifier replaced, re-signed by `issuer`.
std::string reissued_pem(const Cert& base, const Cert& issuer, const std::string& serial_magnitude,
                         const std::string* key_id) {
  ossl::X509Ptr x(ossl::check(X509_dup(base.get()), "X509_dup"));
  ossl::Bignum bn(ossl::check(BN_bin2bn(reinterpret_cast<const unsigned char*>(serial_magnitude.data()),
                                        static_cast<int>(serial_magnitude.size()), nullptr),
                              "BN_bin2bn"));
  ossl::Asn1Integer serial(ossl::check(BN_to_ASN1_INTEGER(bn.get(), nullptr), "BN_to_ASN1_INTEGER"));
  ossl::check(X509_set_serialNumber(x.get(), serial.get()), "X509_set_serialNumber");
  if (key_id) {
    AUTHORITY_KEYID* akid = ossl::check(AUTHORITY_KEYID_new(), "AUTHORITY_KEYID_new");
    akid->keyid = ASN1_OCTET_STRING_new();
    ASN1_OCTET_STRING_set(akid->keyid, reinterpret_cast<const unsigned char*>(key_id->data()),
                          static_cast<int>(key_id->size()));
    const int added = X509_add1_ext_i2d(x.get(), NID_authority_key_identifier, akid, 0, X509V3_ADD_REPLACE);
    AUTHORITY_KEYID_free(akid);
    ossl::check(added, "X509_add1_ext_i2d");
  }
  ossl::check(X509_sign(x.get(), issuer.key().get(), EVP_sha256()), "X509_sign");
  ossl::Bio bio = ossl::mem_bio();
  ossl::check(PEM_write_bio_X509(bio.get(), x.get()), "PEM_write_bio_X509");
  return ossl::bio_string(bio.get());
}

std::string from_hex(const std::string& hex) {
  std::string out;
  for (std::size_t i = 0; i + 1 < hex.size(); i += 2) out += static_cast<char>(std::stoi(hex.substr(i, 2), nullptr, 16));
  return out;
}

class AriIdTest : public ::testing::Test {
 protected:
  TestPki pki_;
};

TEST_F(AriIdTest, RawPartsGiveTheRfcExample) {
  EXPECT_EQ(ari_cert_id_from_parts(kRfcKeyId, kRfcSerial), kRfcId);
}

TEST_F(AriIdTest, CertificateWithTheRfcExampleBytesGivesTheRfcIdentifier) {
  const std::string pem = reissued_pem(pki_.leaf(), pki_.intermediate(), "\x87\x65\x43\x21", &kRfcKeyId);
  auto id = ari_cert_id(pem);
  ASSERT_TRUE(id) << id.error().what();
  EXPECT_EQ(*id, kRfcId);
}

TEST_F(AriIdTest, LeafOfTheTestPkiUsesItsIssuersKeyIdAndSerial) {
  const Cert leaf = pki_.leaf();
  const ASN1_OCTET_STRING* ski = X509_get0_subject_key_id(pki_.intermediate().get());
  ASSERT_NE(ski, nullptr);
  const std::string key_id(reinterpret_cast<const char*>(ASN1_STRING_get0_data(ski)),
                           static_cast<std::size_t>(ASN1_STRING_length(ski)));
  std::string serial = from_hex((leaf.facts().serial_hex.size() % 2 ? "0" : "") + leaf.facts().serial_hex);
  if (static_cast<unsigned char>(serial[0]) & 0x80) serial.insert(0, 1, '\0');

  auto from_pem = ari_cert_id(leaf.pem());
  ASSERT_TRUE(from_pem) << from_pem.error().what();
  EXPECT_EQ(*from_pem, ari_cert_id_from_parts(key_id, serial));
  auto from_der = ari_cert_id(leaf.der());
  ASSERT_TRUE(from_der) << from_der.error().what();
  EXPECT_EQ(*from_der, *from_pem);
  // A chain names its first certificate.
  EXPECT_EQ(*ari_cert_id(leaf.pem() + pki_.intermediate().pem()), *from_pem);
}

TEST_F(AriIdTest, HighBitSerialsKeepTheirLeadingZero) {
  const Cert leaf = pki_.leaf();
  auto id = ari_cert_id(reissued_pem(leaf, pki_.intermediate(), "\x80\x01", nullptr));
  ASSERT_TRUE(id) << id.error().what();
  EXPECT_EQ(id->substr(id->find('.') + 1), "AIAB");  // 00 80 01

  auto low = ari_cert_id(reissued_pem(leaf, pki_.intermediate(), "\x7f\x01", nullptr));
  ASSERT_TRUE(low) << low.error().what();
  EXPECT_EQ(low->substr(low->find('.') + 1), "fwE");  // 7f 01: no zero added

  // A 20-byte serial (the RFC 5280 maximum) with the high bit set: 21 content octets.
  const std::string big(20, '\xff');
  auto longest = ari_cert_id(reissued_pem(leaf, pki_.intermediate(), big, &kRfcKeyId));
  ASSERT_TRUE(longest) << longest.error().what();
  EXPECT_EQ(*longest, ari_cert_id_from_parts(kRfcKeyId, std::string(1, '\0') + big));
}

TEST_F(AriIdTest, CertificateWithoutAkiHasNoIdentifier) {
  auto id = ari_cert_id(pki_.root().pem());  // self-signed: the test PKI adds no AKI
  ASSERT_FALSE(id);
  EXPECT_EQ(id.error().code, Errc::invalid_input);
  EXPECT_NE(id.error().message.find("Authority Key Identifier"), std::string::npos) << id.error().message;
}

TEST_F(AriIdTest, UnreadableInputIsInvalid) {
  auto id = ari_cert_id("not a certificate");
  ASSERT_FALSE(id);
  EXPECT_EQ(id.error().code, Errc::invalid_input);
}

}  // namespace
}  // namespace certkeeper::crypto
