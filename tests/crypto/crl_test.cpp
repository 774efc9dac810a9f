// CRLs made by the test PKI (real OpenSSL, an independent party): the
// distribution points of a certificate, and a CRL read, verified against the
// certificate's issuer and searched.
#include "certkeeper/crypto/crl.h"

#include <gtest/gtest.h>

#include "support/test_pki.h"

namespace certkeeper::crypto {
namespace {

using testing::CertOptions;
using testing::CrlEntry;
using testing::CrlOptions;
using testing::Key;
using testing::KeyType;
using testing::TestPki;

class CrlTest : public ::testing::Test {
 protected:
  CertOptions with_crl(std::vector<std::string> urls) {
    CertOptions o;
    o.crl_urls = std::move(urls);
    return o;
  }
  std::string chain() const { return pki_.intermediate().pem() + pki_.root().pem(); }
  TestPki pki_;
};

TEST_F(CrlTest, DistributionPointsAreTheUriNamesInOrder) {
  auto leaf = pki_.leaf(with_crl({"http://crl.example.test/int.crl", "http://backup.example.test/int.crl"}));
  auto urls = crl_distribution_points(leaf.pem());
  ASSERT_TRUE(urls) << urls.error().what();
  EXPECT_EQ(*urls, (std::vector<std::string>{"http://crl.example.test/int.crl", "http://backup.example.test/int.crl"}));
  auto der = crl_distribution_points(leaf.der());
  ASSERT_TRUE(der);
  EXPECT_EQ(der->size(), 2u);
}

TEST_F(CrlTest, ACertificateWithoutTheExtensionHasNone) {
  auto urls = crl_distribution_points(pki_.leaf().pem());
  ASSERT_TRUE(urls) << urls.error().what();
  EXPECT_TRUE(urls->empty());
  EXPECT_EQ(crl_distribution_points("not a certificate").error().code, Errc::invalid_input);
}

TEST_F(CrlTest, ARevokedSerialIsFoundWithItsDateAndReason) {
  auto revoked = pki_.leaf();
  auto other = pki_.leaf();
  auto unspecified = pki_.leaf();
  const UnixTime at = pki_.now() - 7200;
  CrlOptions o;
  o.revoked = {{revoked.facts().serial_hex, at, 1}, {unspecified.facts().serial_hex, at - 60, std::nullopt}};
  o.this_update = pki_.now() - 3600;
  o.next_update = pki_.now() + 86400;
  auto crl = Crl::parse(pki_.crl(o, pki_.intermediate()));
  ASSERT_TRUE(crl) << crl.error().what();
  EXPECT_EQ(crl->this_update(), pki_.now() - 3600);
  EXPECT_EQ(crl->next_update(), pki_.now() + 86400);
  EXPECT_EQ(crl->entries(), 2u);
  EXPECT_EQ(crl->issuer(), "CN=Certkeeper Test Intermediate");

  auto entry = crl->find(revoked.facts().serial_hex);
  ASSERT_TRUE(entry);
  EXPECT_EQ(entry->revoked_at, at);
  EXPECT_EQ(entry->reason, "keyCompromise");
  auto none = crl->find(unspecified.facts().serial_hex);
  ASSERT_TRUE(none);
  EXPECT_EQ(none->reason, "unspecified");
  EXPECT_FALSE(crl->find(other.facts().serial_hex));
  EXPECT_TRUE(crl->verify_for(revoked.pem(), chain())) << crl->verify_for(revoked.pem(), chain()).error().what();
}

TEST_F(CrlTest, PemAndDerReadTheSameAndNextUpdateMayBeAbsent) {
  CrlOptions o;
  o.omit_next_update = true;
  const std::string der = pki_.crl(o, pki_.intermediate());
  auto from_pem = Crl::parse("some text first\n" + testing::crl_pem(der));
  ASSERT_TRUE(from_pem) << from_pem.error().what();
  EXPECT_EQ(from_pem->der(), der);
  EXPECT_FALSE(from_pem->next_update());
  EXPECT_EQ(from_pem->entries(), 0u);
  auto bad = Crl::parse("<html>not found</html>");
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().code, Errc::invalid_input);
  EXPECT_EQ(bad.error().message.find("error:"), std::string::npos) << "no OpenSSL stack in the message";
}

TEST_F(CrlTest, ACrlSignedByAnotherKeyIsRejected) {
  auto leaf = pki_.leaf();
  Key forger = Key::generate(KeyType::ec_p256);
  auto crl = Crl::parse(pki_.crl({}, pki_.intermediate(), &forger));
  ASSERT_TRUE(crl);
  auto verdict = crl->verify_for(leaf.pem(), chain());
  ASSERT_FALSE(verdict);
  EXPECT_EQ(verdict.error().code, Errc::invalid_input);
  EXPECT_NE(verdict.error().message.find("signature does not verify"), std::string::npos) << verdict.error().message;
}

TEST_F(CrlTest, ACrlOfAnotherIssuerIsRejectedEvenWhenItsSignatureIsGood) {
  auto leaf = pki_.leaf();
  auto crl = Crl::parse(pki_.crl({}, pki_.other_intermediate()));
  ASSERT_TRUE(crl);
  auto verdict = crl->verify_for(leaf.pem(), chain() + pki_.other_intermediate().pem());
  ASSERT_FALSE(verdict);
  EXPECT_NE(verdict.error().message.find("'Other Test Intermediate'"), std::string::npos) << verdict.error().message;
}

TEST_F(CrlTest, WithoutTheIssuerInTheChainNothingCanBeVerified) {
  auto leaf = pki_.leaf();
  auto crl = Crl::parse(pki_.crl({}, pki_.intermediate()));
  ASSERT_TRUE(crl);
  auto verdict = crl->verify_for(leaf.pem(), pki_.root().pem());
  ASSERT_FALSE(verdict);
  EXPECT_EQ(verdict.error().code, Errc::not_found) << "nothing to verify with: not a bad CRL";
  EXPECT_NE(verdict.error().message.find("does not hold the certificate's issuer"), std::string::npos);
}

TEST(CrlReason, NamesFollowRfc5280) {
  EXPECT_EQ(crl_reason_name(0), "unspecified");
  EXPECT_EQ(crl_reason_name(1), "keyCompromise");
  EXPECT_EQ(crl_reason_name(4), "superseded");
  EXPECT_EQ(crl_reason_name(10), "aACompromise");
  EXPECT_EQ(crl_reason_name(42), "unspecified");
}

}  // namespace
}  // namespace certkeeper::crypto
