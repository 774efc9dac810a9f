// The validation gate reading PKCS#12 (.p12/.pfx): modern AES files, old
// RC2-40/3DES Windows exports (the legacy provider), empty and wrong passwords.
#include "crypto/gate_fixture.h"

namespace certkeeper::testing {
namespace {

constexpr const char* kP12Password = "p12-Passw0rd";

class Pkcs12Test : public GateTest {
 protected:
  Sources p12_sources(const std::string& p12_bytes, const char* password) const {
    Sources s;
    s.p12_file = pki.write("upload.p12", p12_bytes);
    if (password) s.p12_password_file = pki.write("p12-password.txt", password);
    return s;
  }
};

TEST_F(Pkcs12Test, ModernFileWithChain) {
  const Cert leaf = pki.leaf();
  const Verdict v = check(p12_sources(pkcs12(leaf, {pki.intermediate(), pki.root()}, kP12Password), kP12Password));
  ASSERT_TRUE(Accepted(v));
  EXPECT_EQ(v.origin, "import-p12");
  EXPECT_EQ(codes(v), std::vector<std::string>{"root-private:info"});
  EXPECT_EQ(v.bundle->leaf().fingerprint_sha256, leaf.facts().fingerprint_sha256);
  EXPECT_EQ(v.bundle->leaf().serial_hex, leaf.facts().serial_hex);
  ASSERT_EQ(v.bundle->chain().size(), 1u);
  EXPECT_EQ(v.bundle->chain()[0].fingerprint_sha256, pki.intermediate().facts().fingerprint_sha256);
  EXPECT_TRUE(v.bundle->has_key());
  EXPECT_EQ(v.bundle->key_pem().rfind("-----BEGIN PRIVATE KEY-----", 0), 0u);
  EXPECT_TRUE(leaf.key().same_as_pem(v.bundle->key_pem()));
}

TEST_F(Pkcs12Test, LegacyRc2WindowsExportImports) {
  CertOptions o;
  o.key_type = KeyType::rsa2048;  // what such exports usually hold
  const Cert leaf = pki.leaf(o);
  const Verdict v = check(p12_sources(pkcs12(leaf, {pki.intermediate(), pki.root()}, kP12Password, P12Style::legacy),
                                      kP12Password));
  ASSERT_TRUE(Accepted(v));
  EXPECT_EQ(v.origin, "import-p12");
  EXPECT_EQ(v.bundle->leaf().fingerprint_sha256, leaf.facts().fingerprint_sha256);
  EXPECT_EQ(v.bundle->leaf().key_type, "rsa-2048");
  EXPECT_TRUE(leaf.key().same_as_pem(v.bundle->key_pem()));
}

TEST_F(Pkcs12Test, EmptyPasswordNeedsNoPasswordFile) {
  const Cert leaf = pki.leaf();
  const Verdict v = check(p12_sources(pkcs12(leaf, {pki.intermediate(), pki.root()}, ""), nullptr));
  ASSERT_TRUE(Accepted(v));
  EXPECT_EQ(v.origin, "import-p12");
  EXPECT_TRUE(leaf.key().same_as_pem(v.bundle->key_pem()));
}

TEST_F(Pkcs12Test, WrongPassword) {
  const Sources s = p12_sources(pkcs12(pki.leaf(), {pki.intermediate(), pki.root()}, kP12Password), "guess");
  const Verdict v = check(s);
  EXPECT_TRUE(Rejected(v));
  ASSERT_TRUE(HasFinding(v, "p12-bad-password", Severity::error));
  EXPECT_EQ(find(v, "p12-bad-password")->subject, s.p12_file);
  EXPECT_EQ(find(v, "p12-bad-password")->message.find("guess"), std::string::npos);
}

TEST_F(Pkcs12Test, PasswordProtectedFileWithoutPasswordFile) {
  const Verdict v = check(p12_sources(pkcs12(pki.leaf(), {pki.intermediate(), pki.root()}, kP12Password), nullptr));
  EXPECT_TRUE(Rejected(v));
  EXPECT_TRUE(HasFinding(v, "p12-bad-password", Severity::error));
}

TEST_F(Pkcs12Test, GarbageP12IsUnreadable) {
  const Sources s = p12_sources("certainly not DER: 0x30 0x82 ...", kP12Password);
  const Verdict v = check(s);
  EXPECT_TRUE(Rejected(v));
  ASSERT_TRUE(HasFinding(v, "unreadable", Severity::error));
  EXPECT_EQ(find(v, "unreadable")->subject, s.p12_file);
}

// --key is refused beside --p12, so the hint for a PKCS#12 file without its
// key must not be "give the key with --key".
TEST_F(Pkcs12Test, AFileWithoutItsKeyGetsAHintThatWorksWithP12) {
  const Sources s = p12_sources(pkcs12_without_key(pki.leaf(), {pki.intermediate(), pki.root()}, kP12Password), kP12Password);
  const Verdict v = check(s);
  EXPECT_TRUE(Rejected(v));
  ASSERT_TRUE(HasFinding(v, "key-missing", Severity::error));
  const std::string& message = find(v, "key-missing")->message;
  EXPECT_EQ(find(v, "key-missing")->subject, s.p12_file);
  EXPECT_EQ(message.find("give the key with --key"), std::string::npos) << message;
  EXPECT_NE(message.find("openssl pkcs12 -export"), std::string::npos) << message;

  Policy p = policy();
  p.require_key = false;
  const Verdict checked = check(s, p);
  ASSERT_TRUE(HasFinding(checked, "key-unchecked", Severity::info));
  EXPECT_EQ(find(checked, "key-unchecked")->message.find("pass --key"), std::string::npos)
      << find(checked, "key-unchecked")->message;
}

}  // namespace
}  // namespace certkeeper::testing
