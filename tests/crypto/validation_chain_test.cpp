// The validation gate and the chain: path building from the user's CA file
// and --ca-file, order, extras, the root, and what the leaf itself may be
// (self-signed, a CA, the wrong usage, a weak signature).
#include "crypto/gate_fixture.h"

namespace certkeeper::testing {
namespace {

class ChainTest : public GateTest {
 protected:
  const std::string& fp(const Cert& c) const { return c.facts().fingerprint_sha256; }

  std::vector<std::string> chain_fingerprints(const Verdict& v) const {
    std::vector<std::string> out;
    for (const auto& f : v.bundle->chain()) out.push_back(f.fingerprint_sha256);
    return out;
  }
};

TEST_F(ChainTest, BaselineUploadHasOnlyRootPrivate) {
  const Cert leaf = pki.leaf();
  const Verdict v = check(files(leaf));
  ASSERT_TRUE(Accepted(v));
  EXPECT_EQ(v.origin, "import-pem");
  EXPECT_EQ(codes(v), std::vector<std::string>{"root-private:info"});
  EXPECT_EQ(chain_fingerprints(v), std::vector<std::string>{fp(pki.intermediate())});
  ASSERT_TRUE(v.bundle->root().has_value());
  EXPECT_EQ(v.bundle->root()->fingerprint_sha256, fp(pki.root()));
  EXPECT_TRUE(v.bundle->root_from_input());
}

// ---------------------------------------------------------------- chain-incomplete

TEST_F(ChainTest, IntermediateMissingFromChainFile) {
  const Verdict v = check(files(pki.leaf(), {pki.root()}));
  EXPECT_TRUE(Rejected(v));
  EXPECT_TRUE(HasFinding(v, "chain-incomplete", Severity::error));
}

TEST_F(ChainTest, NoChainAndNoTrustAnchor) {
  Sources s = files(pki.leaf(), {});
  const Verdict v = check(s);
  EXPECT_TRUE(Rejected(v));
  EXPECT_TRUE(HasFinding(v, "chain-incomplete", Severity::error));
}

TEST_F(ChainTest, UnrelatedChainDoesNotComplete) {
  const Verdict v = check(files(pki.leaf(), {pki.other_intermediate(), pki.other_root()}));
  EXPECT_TRUE(Rejected(v));
  EXPECT_TRUE(HasFinding(v, "chain-incomplete", Severity::error));
}

// ---------------------------------------------------------------- chain-reordered / chain-extra

TEST_F(ChainTest, RootBeforeIntermediateIsReordered) {
  const Verdict v = check(files(pki.leaf(), {pki.root(), pki.intermediate()}));
  ASSERT_TRUE(Accepted(v));
  EXPECT_TRUE(HasFinding(v, "chain-reordered", Severity::warning));
  EXPECT_EQ(chain_fingerprints(v), std::vector<std::string>{fp(pki.intermediate())});
  ASSERT_TRUE(v.bundle->root().has_value());
  EXPECT_EQ(v.bundle->root()->fingerprint_sha256, fp(pki.root()));
}

TEST_F(ChainTest, InOrderChainIsNotReordered) {
  const Verdict v = check(files(pki.leaf(), {pki.intermediate(), pki.root()}));
  ASSERT_TRUE(Accepted(v));
  EXPECT_TRUE(LacksFinding(v, "chain-reordered"));
  EXPECT_TRUE(LacksFinding(v, "chain-extra"));
}

TEST_F(ChainTest, UnrelatedCaCertIsExtraAndDropped) {
  const Verdict v = check(files(pki.leaf(), {pki.intermediate(), pki.other_intermediate(), pki.root()}));
  ASSERT_TRUE(Accepted(v));
  EXPECT_TRUE(HasFinding(v, "chain-extra", Severity::warning));
  EXPECT_EQ(chain_fingerprints(v), std::vector<std::string>{fp(pki.intermediate())});
  EXPECT_EQ(v.bundle->chain_pem(), pki.intermediate().pem());
}

TEST_F(ChainTest, DuplicateIntermediateIsExtraAndDropped) {
  const Verdict v = check(files(pki.leaf(), {pki.intermediate(), pki.intermediate(), pki.root()}));
  ASSERT_TRUE(Accepted(v));
  EXPECT_TRUE(HasFinding(v, "chain-extra", Severity::warning));
  EXPECT_EQ(chain_fingerprints(v), std::vector<std::string>{fp(pki.intermediate())});
}

// ---------------------------------------------------------------- root-missing / root-private

TEST_F(ChainTest, RootOnlyThroughCaFileUnderAnIntermediate) {
  Policy p = policy();
  p.ca_file = pki.write("private-ca.pem", pki.root().pem());
  const Verdict v = check(files(pki.leaf(), {pki.intermediate()}), p);
  ASSERT_TRUE(Accepted(v));
  EXPECT_TRUE(HasFinding(v, "root-missing", Severity::warning));
  EXPECT_TRUE(LacksFinding(v, "root-private"));
  EXPECT_EQ(chain_fingerprints(v), std::vector<std::string>{fp(pki.intermediate())});
  ASSERT_TRUE(v.bundle->root().has_value());
  EXPECT_EQ(v.bundle->root()->fingerprint_sha256, fp(pki.root()));
}

TEST_F(ChainTest, RootOnlyThroughCaFileForALeafItIssued) {
  const Cert leaf = pki.issue(CertOptions{}, pki.root());
  Policy p = policy();
  p.ca_file = pki.write("private-ca.pem", pki.root().pem());
  const Verdict v = check(files(leaf, {}), p);
  ASSERT_TRUE(Accepted(v));
  EXPECT_TRUE(HasFinding(v, "root-missing", Severity::info));
  EXPECT_TRUE(v.bundle->chain().empty());
  ASSERT_TRUE(v.bundle->root().has_value());
  EXPECT_EQ(v.bundle->root()->fingerprint_sha256, fp(pki.root()));
}

TEST_F(ChainTest, RootOnlyInChainFileIsPrivate) {
  const Verdict v = check(files(pki.leaf(), {pki.intermediate(), pki.root()}));
  ASSERT_TRUE(Accepted(v));
  EXPECT_TRUE(HasFinding(v, "root-private", Severity::info));
  EXPECT_TRUE(LacksFinding(v, "root-missing"));
  EXPECT_TRUE(v.bundle->root_from_input());
}

// ---------------------------------------------------------------- the leaf itself

TEST_F(ChainTest, SelfSignedLeaf) {
  const Cert leaf = pki.self_signed(CertOptions{});
  const Verdict v = check(files(leaf, {}));
  EXPECT_TRUE(Rejected(v));
  EXPECT_TRUE(HasFinding(v, "self-signed", Severity::error));
  ASSERT_TRUE(v.bundle.has_value()) << "a readable, matched leaf keeps its facts";
  EXPECT_EQ(v.bundle->leaf().fingerprint_sha256, fp(leaf));
}

TEST_F(ChainTest, LeafThatIsACa) {
  CertOptions o;
  o.ca = true;
  o.key_usage = usage::digital_signature;
  o.eku = Eku::server_auth;
  const Verdict v = check(files(pki.leaf(o)));
  EXPECT_TRUE(Rejected(v));
  EXPECT_TRUE(HasFinding(v, "leaf-usage", Severity::error));
}

TEST_F(ChainTest, LeafForClientAuthOnly) {
  CertOptions o;
  o.eku = Eku::client_auth_only;
  const Verdict v = check(files(pki.leaf(o)));
  EXPECT_TRUE(Rejected(v));
  EXPECT_TRUE(HasFinding(v, "leaf-usage", Severity::error));
}

TEST_F(ChainTest, LeafWithKeyCertSignUsageOnly) {
  CertOptions o;
  o.key_usage = usage::key_cert_sign;
  const Verdict v = check(files(pki.leaf(o)));
  EXPECT_TRUE(Rejected(v));
  EXPECT_TRUE(HasFinding(v, "leaf-usage", Severity::error));
}

// RFC 5280 §4.2.1.12: without the extension the key may serve any purpose.
TEST_F(ChainTest, LeafWithoutEkuOrKeyUsageIsAccepted) {
  CertOptions o;
  o.eku = Eku::none;
  o.key_usage = 0;
  const Verdict v = check(files(pki.leaf(o)));
  ASSERT_TRUE(Accepted(v));
  EXPECT_TRUE(LacksFinding(v, "leaf-usage"));
}

TEST_F(ChainTest, RsaLeafWithKeyEnciphermentIsAccepted) {
  CertOptions o;
  o.key_type = KeyType::rsa2048;
  o.key_usage = usage::digital_signature | usage::key_encipherment;
  const Verdict v = check(files(pki.leaf(o)));
  ASSERT_TRUE(Accepted(v));
  EXPECT_TRUE(LacksFinding(v, "leaf-usage"));
}

TEST_F(ChainTest, Sha1SignedLeaf) {
  CertOptions o;
  o.digest = Digest::sha1;  // ecdsa-with-SHA1 from the EC intermediate
  const Verdict v = check(files(pki.leaf(o)));
  EXPECT_TRUE(Rejected(v));
  EXPECT_TRUE(HasFinding(v, "weak-signature", Severity::error));
}

TEST_F(ChainTest, Md5SignedLeaf) {
  // ECDSA has no MD5 signature algorithm, so an RSA intermediate signs it
  // (md5WithRSAEncryption; OpenSSL 3's default provider still signs with MD5).
  CertOptions ca = CertOptions::authority("Certkeeper Test RSA Intermediate");
  ca.key_type = KeyType::rsa2048;
  const Cert rsa_intermediate = pki.issue(ca, pki.root());
  CertOptions o;
  o.digest = Digest::md5;
  const Verdict v = check(files(pki.issue(o, rsa_intermediate), {rsa_intermediate, pki.root()}));
  EXPECT_TRUE(Rejected(v));
  EXPECT_TRUE(HasFinding(v, "weak-signature", Severity::error));
}

TEST_F(ChainTest, Sha256UnderRsaIntermediateIsNotWeak) {
  CertOptions ca = CertOptions::authority("Certkeeper Test RSA Intermediate");
  ca.key_type = KeyType::rsa2048;
  const Cert rsa_intermediate = pki.issue(ca, pki.root());
  const Verdict v = check(files(pki.issue(CertOptions{}, rsa_intermediate), {rsa_intermediate, pki.root()}));
  ASSERT_TRUE(Accepted(v));
  EXPECT_TRUE(LacksFinding(v, "weak-signature"));
}

}  // namespace
}  // namespace certkeeper::testing
