// The test PKI checked against OpenSSL itself, so that a fixture bug cannot
// pass for a bug (or a fix) in the code under test.
#include <gtest/gtest.h>
#include <openssl/pem.h>
#include <openssl/pkcs12.h>
#include <openssl/pkcs7.h>
#include <openssl/x509.h>

#include <ctime>

#include "support/ossl_ptr.h"
#include "support/test_pki.h"

namespace certkeeper::testing {
namespace {

UnixTime to_unix(const ASN1_TIME* t) {
  std::tm tm{};
  EXPECT_EQ(ASN1_TIME_to_tm(t, &tm), 1);
  return static_cast<UnixTime>(timegm(&tm));
}

TEST(TestPkiTest, FactsAgreeWithOpenssl) {
  TestPki pki;
  const Cert leaf = pki.leaf();
  ossl::Bignum bn(ASN1_INTEGER_to_BN(X509_get0_serialNumber(leaf.get()), nullptr));
  char* hex = BN_bn2hex(bn.get());
  EXPECT_EQ(leaf.facts().serial_hex, hex);
  OPENSSL_free(hex);
  EXPECT_EQ(leaf.facts().serial_hex.size(), 16u);
  EXPECT_EQ(leaf.facts().fingerprint_sha256.size(), 64u);
  EXPECT_EQ(leaf.facts().fingerprint_sha256.find_first_not_of("0123456789abcdef"), std::string::npos);
  EXPECT_EQ(to_unix(X509_get0_notBefore(leaf.get())), pki.now() - days(10));
  EXPECT_EQ(to_unix(X509_get0_notAfter(leaf.get())), pki.now() + days(80));
  EXPECT_EQ(leaf.facts().issuer_cn, "Certkeeper Test Intermediate");
  EXPECT_EQ(X509_check_issued(pki.intermediate().get(), leaf.get()), X509_V_OK);
  EXPECT_EQ(X509_check_issued(pki.root().get(), pki.intermediate().get()), X509_V_OK);
  EXPECT_NE(X509_check_issued(pki.root().get(), pki.other_intermediate().get()), X509_V_OK);
}

TEST(TestPkiTest, SignatureDigests) {
  TestPki pki;
  CertOptions o;
  o.digest = Digest::sha1;
  EXPECT_EQ(X509_get_signature_nid(pki.leaf(o).get()), NID_ecdsa_with_SHA1);
  CertOptions ca = CertOptions::authority("RSA CA");
  ca.key_type = KeyType::rsa2048;
  o.digest = Digest::md5;
  EXPECT_EQ(X509_get_signature_nid(pki.issue(o, pki.issue(ca, pki.root())).get()), NID_md5WithRSAEncryption);
}

TEST(TestPkiTest, KeysRecogniseThemselves) {
  const Key a = Key::generate(KeyType::ec_p256);
  const Key b = Key::generate(KeyType::ec_p256);
  EXPECT_TRUE(a.same_as_pem(a.pem()));
  EXPECT_TRUE(a.same_as_pem(a.public_pem()));
  EXPECT_FALSE(a.same_as_pem(b.pem()));
  EXPECT_FALSE(a.same_as_pem(a.encrypted_pkcs8_pem("pw")));  // never prompts
  EXPECT_NE(a.encrypted_legacy_pem("pw").find("Proc-Type: 4,ENCRYPTED"), std::string::npos);
  EXPECT_EQ(a.encrypted_pkcs8_pem("pw").rfind("-----BEGIN ENCRYPTED PRIVATE KEY-----", 0), 0u);
}

TEST(TestPkiTest, PemLayouts) {
  TestPki pki;
  PemStyle style;
  style.crlf = true;
  style.bom = true;
  const std::string text = pem_concat({pki.root().pem(), pki.intermediate().pem()}, style);
  EXPECT_EQ(text.rfind("\xEF\xBB\xBF-----BEGIN CERTIFICATE-----\r\n", 0), 0u);
  for (std::size_t i = text.find('\n'); i != std::string::npos; i = text.find('\n', i + 1)) {
    ASSERT_EQ(text[i - 1], '\r');
  }
  const std::string cut = truncated_pem(pki.root().pem());
  EXPECT_EQ(cut.find("-----END"), std::string::npos);
  EXPECT_LT(cut.size(), pki.root().pem().size());
}

TEST(TestPkiTest, LegacyPkcs12UsesRc2ForCertificates) {
  TestPki pki;
  const std::string der = pkcs12(pki.leaf(), {pki.intermediate()}, "pw", P12Style::legacy);
  const auto* p = reinterpret_cast<const unsigned char*>(der.data());
  ossl::Pkcs12 p12(d2i_PKCS12(nullptr, &p, static_cast<long>(der.size())));
  ASSERT_TRUE(p12);
  STACK_OF(PKCS7)* safes = PKCS12_unpack_authsafes(p12.get());
  ASSERT_NE(safes, nullptr);
  bool rc2 = false;
  for (int i = 0; i < sk_PKCS7_num(safes); ++i) {
    PKCS7* p7 = sk_PKCS7_value(safes, i);
    if (OBJ_obj2nid(p7->type) != NID_pkcs7_encrypted) continue;
    const X509_ALGOR* alg = p7->d.encrypted->enc_data->algorithm;
    rc2 = rc2 || OBJ_obj2nid(alg->algorithm) == NID_pbe_WithSHA1And40BitRC2_CBC;
  }
  sk_PKCS7_pop_free(safes, PKCS7_free);
  EXPECT_TRUE(rc2);
}

// raw_names puts the bytes into the certificate exactly as given, so the
// hostile-input tests really hand certkeeper what a hostile CA would.
TEST(TestPkiTest, RawNamesAreWrittenByteForByte) {
  using namespace std::string_literals;
  TestPki pki;
  CertOptions o;
  o.cn = "cn\x1B\0end\n"s;  // a name's text must be UTF-8: OpenSSL encodes nothing else
  o.dns = {"a\xFF.test", "nul\0inside"s, "comma,and\nnewline"};
  o.raw_names = true;
  const Cert leaf = pki.leaf(o);
  auto* names = static_cast<GENERAL_NAMES*>(X509_get_ext_d2i(leaf.get(), NID_subject_alt_name, nullptr, nullptr));
  ASSERT_NE(names, nullptr);
  std::vector<std::string> seen;
  for (int i = 0; i < sk_GENERAL_NAME_num(names); ++i) {
    const GENERAL_NAME* gn = sk_GENERAL_NAME_value(names, i);
    ASSERT_EQ(gn->type, GEN_DNS);
    seen.emplace_back(reinterpret_cast<const char*>(ASN1_STRING_get0_data(gn->d.dNSName)),
                      static_cast<std::size_t>(ASN1_STRING_length(gn->d.dNSName)));
  }
  GENERAL_NAMES_free(names);
  EXPECT_EQ(seen, o.dns);
  X509_NAME* subject = X509_get_subject_name(leaf.get());
  const int at = X509_NAME_get_index_by_NID(subject, NID_commonName, -1);
  ASSERT_GE(at, 0);
  const ASN1_STRING* cn = X509_NAME_ENTRY_get_data(X509_NAME_get_entry(subject, at));
  EXPECT_EQ(ASN1_STRING_type(cn), V_ASN1_UTF8STRING);
  EXPECT_EQ(std::string(reinterpret_cast<const char*>(ASN1_STRING_get0_data(cn)),
                        static_cast<std::size_t>(ASN1_STRING_length(cn))),
            o.cn);
}

}  // namespace
}  // namespace certkeeper::testing
