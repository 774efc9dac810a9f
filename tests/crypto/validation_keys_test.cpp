// The validation gate and private keys: encrypted keys, keys that belong to
// another certificate, missing keys, weak keys, and every supported key type.
#include "crypto/gate_fixture.h"

namespace certkeeper::testing {

// Test names and failure output show "ec-p256", not the enum's bytes.
void PrintTo(KeyType type, std::ostream* os) { *os << key_type_name(type); }

namespace {

constexpr const char* kPassphrase = "correct horse battery staple";

class KeyTest : public GateTest {};

// ---------------------------------------------------------------- key-encrypted

struct EncryptedStyle {
  const char* name;
  std::string (Key::*write)(const std::string&) const;
};
void PrintTo(const EncryptedStyle& style, std::ostream* os) { *os << style.name; }

class EncryptedKeyTest : public GateTest, public ::testing::WithParamInterface<EncryptedStyle> {
 protected:
  Sources encrypted_files(const Cert& leaf) const {
    Sources s = files(leaf);
    s.key_file = pki.write("key.pem", (leaf.key().*GetParam().write)(kPassphrase));
    return s;
  }
};

TEST_P(EncryptedKeyTest, WithoutPassphraseFileGivesTheOpensslCommand) {
  const Sources s = encrypted_files(pki.leaf());
  const Verdict v = check(s);
  EXPECT_TRUE(Rejected(v));
  ASSERT_TRUE(HasFinding(v, "key-encrypted", Severity::error));
  const Finding* f = find(v, "key-encrypted");
  EXPECT_EQ(f->subject, s.key_file);
  EXPECT_NE(f->message.find("openssl pkey"), std::string::npos) << f->message;
  EXPECT_EQ(f->message.find(kPassphrase), std::string::npos);
}

TEST_P(EncryptedKeyTest, RightPassphraseDecryptsIt) {
  const Cert leaf = pki.leaf();
  Sources s = encrypted_files(leaf);
  s.key_passphrase_file = pki.write("passphrase.txt", kPassphrase);
  const Verdict v = check(s);
  ASSERT_TRUE(Accepted(v));
  EXPECT_TRUE(LacksFinding(v, "key-encrypted"));
  const std::string key = v.bundle->key_pem();
  EXPECT_EQ(key.rfind("-----BEGIN PRIVATE KEY-----", 0), 0u) << "stored key is not unencrypted PKCS#8";
  EXPECT_TRUE(leaf.key().same_as_pem(key));
}

TEST_P(EncryptedKeyTest, WrongPassphrase) {
  Sources s = encrypted_files(pki.leaf());
  s.key_passphrase_file = pki.write("passphrase.txt", "not the passphrase");
  const Verdict v = check(s);
  EXPECT_TRUE(Rejected(v));
  EXPECT_TRUE(HasFinding(v, "key-encrypted", Severity::error));
  EXPECT_TRUE(LacksFinding(v, "key-mismatch"));
}

INSTANTIATE_TEST_SUITE_P(Styles, EncryptedKeyTest,
                         ::testing::Values(EncryptedStyle{"pkcs8_aes256", &Key::encrypted_pkcs8_pem},
                                           EncryptedStyle{"legacy_proc_type", &Key::encrypted_legacy_pem}),
                         [](const auto& info) { return std::string(info.param.name); });

// ---------------------------------------------------------------- key-mismatch

TEST_F(KeyTest, KeyOfAnotherPair) {
  Sources s = files(pki.leaf());
  s.key_file = pki.write("key.pem", Key::generate(KeyType::ec_p256).pem());
  const Verdict v = check(s);
  EXPECT_TRUE(Rejected(v));
  EXPECT_TRUE(HasFinding(v, "key-mismatch", Severity::error));
}

TEST_F(KeyTest, KeyOfTheIntermediate) {
  Sources s = files(pki.leaf());
  s.key_file = pki.write("key.pem", pki.intermediate().key().pem());
  const Verdict v = check(s);
  EXPECT_TRUE(Rejected(v));
  EXPECT_TRUE(HasFinding(v, "key-mismatch", Severity::error));
}

TEST_F(KeyTest, SwappedCertAndKeyFilesSaySo) {
  const Cert leaf = pki.leaf();
  Sources s = files(leaf);
  // Plain file names: "swapped" in the message must come from the hint, not a path.
  s.cert_file = pki.write("cert.pem", leaf.key().pem());
  s.key_file = pki.write("key.pem", leaf.pem());
  const Verdict v = check(s);
  EXPECT_TRUE(Rejected(v));
  ASSERT_TRUE(HasFinding(v, "key-mismatch", Severity::error));
  const Finding* f = find(v, "key-mismatch");
  EXPECT_NE(f->message.find("swapped"), std::string::npos) << f->message;
}

TEST_F(KeyTest, KeyInsideTheCertFileIsUsed) {
  const Cert leaf = pki.leaf();
  Sources s = files(leaf);
  s.cert_file = pki.write("cert-and-key.pem", pem_concat({leaf.pem(), leaf.key().pem()}));
  s.key_file.clear();
  const Verdict v = check(s);
  ASSERT_TRUE(Accepted(v));
  EXPECT_TRUE(v.bundle->has_key());
  EXPECT_TRUE(leaf.key().same_as_pem(v.bundle->key_pem()));
  EXPECT_TRUE(LacksFinding(v, "key-missing"));
}

TEST_F(KeyTest, OfSeveralKeysTheMatchingOneIsUsed) {
  const Cert leaf = pki.leaf();
  Sources s = files(leaf);
  s.key_file = pki.write("keys.pem", pem_concat({Key::generate(KeyType::ec_p256).pem(), leaf.key().pem(),
                                                 Key::generate(KeyType::ec_p384).pem()}));
  const Verdict v = check(s);
  ASSERT_TRUE(Accepted(v));
  EXPECT_TRUE(leaf.key().same_as_pem(v.bundle->key_pem()));
}

// ---------------------------------------------------------------- key-missing / key-unchecked

TEST_F(KeyTest, RequiredKeyMissing) {
  Sources s = files(pki.leaf());
  s.key_file.clear();
  const Verdict v = check(s);
  EXPECT_TRUE(Rejected(v));
  EXPECT_TRUE(HasFinding(v, "key-missing", Severity::error));
  EXPECT_TRUE(LacksFinding(v, "key-unchecked"));
}

TEST_F(KeyTest, KeyFileHoldingOnlyACertificate) {
  const Cert leaf = pki.leaf();
  Sources s = files(leaf);
  s.key_file = pki.write("key.pem", leaf.pem());
  const Verdict v = check(s);
  EXPECT_TRUE(Rejected(v));
  ASSERT_TRUE(HasFinding(v, "key-missing", Severity::error));
  EXPECT_EQ(find(v, "key-missing")->subject, s.key_file);
}

TEST_F(KeyTest, OptionalKeyAbsentIsUnchecked) {
  const Cert leaf = pki.leaf();
  Sources s = files(leaf);
  s.key_file.clear();
  Policy p = policy();
  p.require_key = false;
  const Verdict v = check(s, p);
  ASSERT_TRUE(Accepted(v));
  EXPECT_TRUE(HasFinding(v, "key-unchecked", Severity::info));
  EXPECT_TRUE(LacksFinding(v, "key-missing"));
  EXPECT_FALSE(v.bundle->has_key());
  EXPECT_EQ(v.bundle->leaf().fingerprint_sha256, leaf.facts().fingerprint_sha256);
}

// ---------------------------------------------------------------- weak-key

TEST_F(KeyTest, Rsa1024LeafIsWeak) {
  CertOptions o;
  o.key_type = KeyType::rsa1024;
  const Verdict v = check(files(pki.leaf(o)));
  EXPECT_TRUE(Rejected(v));
  EXPECT_TRUE(HasFinding(v, "weak-key", Severity::error));
}

// A certificate whose subjectPublicKeyInfo cannot be decoded: an EC point
// of form 0x05, which does not exist (SEC 1 §2.3.4). The rest still
// parses, so OpenSSL reads the certificate and fails only on the key.
std::string with_undecodable_key(const Cert& cert) {
  std::string der = cert.der();
  const std::string point("\x03\x42\x00\x04", 4);  // BIT STRING, 66 bytes, uncompressed point
  const auto at = der.find(point);
  if (at == std::string::npos) return {};
  der[at + 3] = '\x05';
  return der;
}

TEST_F(KeyTest, ALeafWhosePublicKeyCannotBeReadIsUnreadableNotACrash) {
  // The keyUsage check asked the undecodable key for its type: a NULL
  // dereference in OpenSSL, SIGSEGV for `check --cert` (found by
  // tests/fuzz/validate_fuzz).
  const Cert leaf = pki.leaf();
  const std::string der = with_undecodable_key(leaf);
  ASSERT_FALSE(der.empty());
  for (bool with_key : {false, true}) {
    Sources s = files(leaf);
    s.cert_file = pki.write("broken.der", der);
    Policy p = policy();
    if (!with_key) {
      s.key_file.clear();
      p.require_key = false;
    }
    const Verdict v = check(s, p);
    EXPECT_TRUE(Rejected(v)) << describe(v);
    ASSERT_TRUE(HasFinding(v, "unreadable", Severity::error)) << describe(v);
    EXPECT_EQ(find(v, "unreadable")->subject, s.cert_file);
    EXPECT_NE(find(v, "unreadable")->message.find("public key"), std::string::npos) << describe(v);
  }
}

// ---------------------------------------------------------------- key types

class KeyTypeTest : public GateTest, public ::testing::WithParamInterface<KeyType> {};

TEST_P(KeyTypeTest, AcceptedWithItsFacts) {
  CertOptions o;
  o.key_type = GetParam();
  const Cert leaf = pki.leaf(o);
  const Verdict v = check(files(leaf));
  ASSERT_TRUE(Accepted(v));
  EXPECT_EQ(codes(v), std::vector<std::string>{"root-private:info"});
  EXPECT_EQ(v.bundle->leaf().key_type, key_type_name(GetParam()));
  EXPECT_EQ(v.bundle->leaf().fingerprint_sha256, leaf.facts().fingerprint_sha256);
  const std::string key = v.bundle->key_pem();
  EXPECT_EQ(key.rfind("-----BEGIN PRIVATE KEY-----", 0), 0u) << "not PKCS#8";
  EXPECT_TRUE(leaf.key().same_as_pem(key));
}

INSTANTIATE_TEST_SUITE_P(Supported, KeyTypeTest,
                         ::testing::Values(KeyType::ec_p256, KeyType::ec_p384, KeyType::ec_p521,
                                           KeyType::rsa2048, KeyType::rsa3072, KeyType::ed25519),
                         [](const auto& info) {
                           std::string n = key_type_name(info.param);
                           n.erase(std::remove(n.begin(), n.end(), '-'), n.end());
                           return n;
                         });

}  // namespace
}  // namespace certkeeper::testing
