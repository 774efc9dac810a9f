// The validation gate reading its input: what cannot be read is one
// `unreadable` finding naming the file (never its bytes); every PEM layout
// and DER that users hand in is read; validate_pem for in-memory input.
#include <fcntl.h>
#include <unistd.h>

#include <chrono>
#include <future>

#include <openssl/pem.h>

#include "crypto/gate_fixture.h"

namespace certkeeper::testing {
namespace {

// Distinctive bytes that must never reach a message.
constexpr const char* kGarbageMarker = "ZQX-garbage-7c1f9e-not-a-certificate";

class UnreadableTest : public GateTest {
 protected:
  // An `unreadable` error about `path` that repeats none of `secret`.
  void expect_unreadable(const Verdict& v, const std::string& path, const std::string& secret) {
    EXPECT_TRUE(Rejected(v));
    const Finding* f = find(v, "unreadable");
    ASSERT_NE(f, nullptr) << describe(v);
    EXPECT_EQ(f->severity, Severity::error);
    EXPECT_EQ(f->subject, path);
    if (!secret.empty()) {
      for (const Finding& each : v.findings) {
        EXPECT_EQ(each.message.find(secret), std::string::npos) << "message echoes the file: " << each.message;
        EXPECT_EQ(each.subject.find(secret), std::string::npos) << "subject echoes the file: " << each.subject;
      }
    }
  }

  Sources with_cert_file(const std::string& path) const {
    Sources s = files(pki.leaf());
    s.cert_file = path;
    return s;
  }
};

TEST_F(UnreadableTest, MissingCertFile) {
  const std::string path = pki.path("does-not-exist.pem");
  expect_unreadable(check(with_cert_file(path)), path, "");
}

TEST_F(UnreadableTest, EmptyCertFile) {
  const std::string path = pki.write("empty.pem", "");
  expect_unreadable(check(with_cert_file(path)), path, "");
}

TEST_F(UnreadableTest, GarbageCertFileIsNotEchoed) {
  std::string garbage;
  for (int i = 0; i < 20; ++i) garbage += std::string(kGarbageMarker) + " \x01\xfe\n";
  const std::string path = pki.write("garbage.pem", garbage);
  expect_unreadable(check(with_cert_file(path)), path, "7c1f9e");
}

TEST_F(UnreadableTest, TruncatedPem) {
  const Cert leaf = pki.leaf();
  const std::string cut = truncated_pem(leaf.pem());
  const std::string path = pki.write("truncated.pem", cut);
  // A line of the base64 body that was kept must not be echoed either.
  const std::string body_line = cut.substr(cut.find('\n') + 1, 40);
  expect_unreadable(check(with_cert_file(path)), path, body_line);
}

TEST_F(UnreadableTest, Directory) {
  const std::string path = pki.make_dir("a-directory.pem");
  expect_unreadable(check(with_cert_file(path)), path, "");
}

TEST_F(UnreadableTest, FifoIsRefusedWithoutBlocking) {
  const std::string path = pki.make_fifo("fifo.pem");
  const Sources s = with_cert_file(path);
  const Policy p = policy();
  auto verdict = std::async(std::launch::async, [&] { return crypto::validate(s, p); });
  // A watchdog, not a timing assertion: a reader stuck on the FIFO is
  // released (a writer opens and closes it) so that the suite goes on.
  if (verdict.wait_for(std::chrono::seconds(30)) != std::future_status::ready) {
    ADD_FAILURE() << "validate() blocked on a FIFO";
    int fd = ::open(path.c_str(), O_WRONLY | O_NONBLOCK);
    if (fd >= 0) ::close(fd);
  }
  expect_unreadable(verdict.get(), path, "");
}

TEST_F(UnreadableTest, OverOneMebibyte) {
  // A valid certificate and key, padded past the limit: only the size is wrong.
  const Cert leaf = pki.leaf();
  std::string big = pem_concat({leaf.pem(), leaf.key().pem()});
  while (big.size() <= 1024 * 1024) big += "# padding line that is not part of any PEM block\n";
  const std::string path = pki.write("big.pem", big);
  expect_unreadable(check(with_cert_file(path)), path, "");
}

TEST_F(UnreadableTest, FileWithoutCertificate) {
  // A public key is PEM, but neither a certificate nor a private key.
  const std::string path = pki.write("pubkey.pem", Key::generate(KeyType::ec_p256).public_pem());
  expect_unreadable(check(with_cert_file(path)), path, "");
}

TEST_F(UnreadableTest, MissingKeyFile) {
  Sources s = files(pki.leaf());
  s.key_file = pki.path("no-such-key.pem");
  expect_unreadable(check(s), s.key_file, "");
}

TEST_F(UnreadableTest, GarbageChainFile) {
  Sources s = files(pki.leaf());
  s.chain_file = pki.write("chain-garbage.pem", std::string(kGarbageMarker) + "\n");
  expect_unreadable(check(s), s.chain_file, "7c1f9e");
}

// ---------------------------------------------------------------- layouts

class PemLayoutTest : public GateTest {};

TEST_F(PemLayoutTest, CrlfBomAndTextAroundBlocks) {
  const Cert leaf = pki.leaf();
  PemStyle style;
  style.crlf = true;
  style.bom = true;
  style.text_before = "subject=CN = www.example.test\nissuer=CN = Certkeeper Test Intermediate\n";
  style.text_between = "Bag Attributes\n    friendlyName: www\n";
  style.text_after = "\n-- end of upload --\n";
  Sources s;
  s.cert_file = pki.write("cert.pem", pem_concat({leaf.pem()}, style));
  s.key_file = pki.write("key.pem", pem_concat({leaf.key().pem()}, style));
  s.chain_file = pki.write("chain.pem", pem_concat({pki.intermediate().pem(), pki.root().pem()}, style));
  const Verdict v = check(s);
  ASSERT_TRUE(Accepted(v));
  EXPECT_EQ(v.bundle->leaf().fingerprint_sha256, leaf.facts().fingerprint_sha256);
  ASSERT_EQ(v.bundle->chain().size(), 1u);
  EXPECT_EQ(v.bundle->chain()[0].fingerprint_sha256, pki.intermediate().facts().fingerprint_sha256);
}

TEST_F(PemLayoutTest, FullchainInCertFile) {
  const Cert leaf = pki.leaf();
  Sources s;
  s.cert_file = pki.write("fullchain.pem", pem_concat({leaf.pem(), pki.intermediate().pem(), pki.root().pem()}));
  s.key_file = pki.write("key.pem", leaf.key().pem());
  const Verdict v = check(s);
  ASSERT_TRUE(Accepted(v));
  EXPECT_EQ(v.bundle->leaf().fingerprint_sha256, leaf.facts().fingerprint_sha256);
  ASSERT_EQ(v.bundle->chain().size(), 1u);
  EXPECT_EQ(v.bundle->chain()[0].subject_cn, "Certkeeper Test Intermediate");
}

TEST_F(PemLayoutTest, EverythingInOneFileInAnyOrder) {
  const Cert leaf = pki.leaf();
  Sources s;
  s.cert_file = pki.write("all.pem", pem_concat({pki.root().pem(), leaf.key().pem(), pki.intermediate().pem(),
                                                 leaf.pem()}));
  const Verdict v = check(s);
  ASSERT_TRUE(Accepted(v));
  EXPECT_EQ(v.bundle->leaf().fingerprint_sha256, leaf.facts().fingerprint_sha256);
  EXPECT_TRUE(v.bundle->has_key());
  ASSERT_EQ(v.bundle->chain().size(), 1u);
  EXPECT_EQ(v.bundle->chain()[0].fingerprint_sha256, pki.intermediate().facts().fingerprint_sha256);
}

TEST_F(PemLayoutTest, DerCertificateAndDerKey) {
  const Cert leaf = pki.leaf();
  Sources s = files(leaf);
  s.cert_file = pki.write("cert.der", leaf.der());
  s.key_file = pki.write("key.der", leaf.key().der());
  const Verdict v = check(s);
  ASSERT_TRUE(Accepted(v));
  EXPECT_EQ(v.origin, "import-pem");
  EXPECT_EQ(v.bundle->leaf().fingerprint_sha256, leaf.facts().fingerprint_sha256);
  EXPECT_TRUE(leaf.key().same_as_pem(v.bundle->key_pem()));
}

// The DER inside a PEM block ("BEGIN EC PRIVATE KEY" gives the traditional
// DER form), as a file from other tools holds it.
std::string der_of(const std::string& pem) {
  BIO* bio = BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size()));
  char* name = nullptr;
  char* header = nullptr;
  unsigned char* data = nullptr;
  long len = 0;
  std::string der;
  if (PEM_read_bio(bio, &name, &header, &data, &len) == 1) der.assign(reinterpret_cast<char*>(data), len);
  OPENSSL_free(name);
  OPENSSL_free(header);
  OPENSSL_free(data);
  BIO_free(bio);
  return der;
}

TEST_F(PemLayoutTest, EveryDerKeyFormIsRead) {
  // PKCS#8, the traditional RSA and EC forms, and encrypted PKCS#8: each as
  // a DER key file beside a DER certificate.
  for (KeyType type : {KeyType::ec_p256, KeyType::rsa2048}) {
    CertOptions o;
    o.key = Key::shared(type);
    const Cert leaf = pki.leaf(o);
    const std::string pkcs8 = leaf.key().der();
    const std::string traditional = der_of(leaf.key().traditional_pem());
    const std::string encrypted = der_of(leaf.key().encrypted_pkcs8_pem("sesame"));
    ASSERT_FALSE(traditional.empty());
    ASSERT_NE(traditional, pkcs8);
    for (const std::string* der : {&pkcs8, &traditional, &encrypted}) {
      Sources s = files(leaf);
      s.cert_file = pki.write("cert.der", leaf.der());
      s.key_file = pki.write("key.der", *der);
      if (der == &encrypted) s.key_passphrase_file = pki.write("passphrase", "sesame\n");
      const Verdict v = check(s);
      ASSERT_TRUE(Accepted(v)) << key_type_name(type) << " " << (der - &pkcs8) << ": " << describe(v);
      EXPECT_TRUE(leaf.key().same_as_pem(v.bundle->key_pem()));
    }
  }
}

TEST_F(PemLayoutTest, ADerSequenceThatIsNoKeyIsUnreadable) {
  // A certificate where the key should be, and DER that is only shaped
  // like a key (SEQUENCE { INTEGER, ... }).
  const Cert leaf = pki.leaf();
  for (const std::string& der : {leaf.der(), std::string("\x30\x06\x02\x01\x00\x02\x01\x07", 8)}) {
    Sources s = files(leaf);
    s.key_file = pki.write("key.der", der);
    const Verdict v = check(s);
    EXPECT_TRUE(Rejected(v)) << describe(v);
  }
}

TEST_F(PemLayoutTest, TraditionalKeyIsStoredAsPkcs8) {
  const Cert leaf = pki.leaf();
  Sources s = files(leaf);
  s.key_file = pki.write("key.pem", leaf.key().traditional_pem());  // "BEGIN EC PRIVATE KEY"
  const Verdict v = check(s);
  ASSERT_TRUE(Accepted(v));
  const std::string key = v.bundle->key_pem();
  EXPECT_EQ(key.rfind("-----BEGIN PRIVATE KEY-----", 0), 0u) << "not PKCS#8";
  EXPECT_TRUE(leaf.key().same_as_pem(key));
}

TEST_F(PemLayoutTest, BundleFactsMatchTheFixture) {
  CertOptions o;
  o.dns = {"www.example.test", "mail.example.test"};
  o.ips = {"192.0.2.7", "::1"};
  const Cert leaf = pki.leaf(o);
  const Verdict v = check(files(leaf));
  ASSERT_TRUE(Accepted(v));
  const crypto::CertificateFacts& f = v.bundle->leaf();
  EXPECT_EQ(f.serial_hex, leaf.facts().serial_hex);
  EXPECT_EQ(f.fingerprint_sha256, leaf.facts().fingerprint_sha256);
  EXPECT_EQ(f.not_before, leaf.facts().not_before);
  EXPECT_EQ(f.not_after, leaf.facts().not_after);
  EXPECT_EQ(f.subject_cn, "www.example.test");
  EXPECT_EQ(f.issuer_cn, "Certkeeper Test Intermediate");
  EXPECT_EQ(f.dns_names, leaf.facts().dns_names);
  EXPECT_EQ(f.ip_addresses, leaf.facts().ip_addresses);
  EXPECT_EQ(f.names(), (std::vector<std::string>{"www.example.test", "mail.example.test", "192.0.2.7", "::1"}));
  EXPECT_EQ(f.key_type, "ec-p256");
  EXPECT_FALSE(f.is_ca);
  EXPECT_FALSE(f.self_signed);

  ASSERT_EQ(v.bundle->chain().size(), 1u);
  EXPECT_EQ(v.bundle->chain()[0].serial_hex, pki.intermediate().facts().serial_hex);
  EXPECT_TRUE(v.bundle->chain()[0].is_ca);
  ASSERT_TRUE(v.bundle->root().has_value());
  EXPECT_EQ(v.bundle->root()->fingerprint_sha256, pki.root().facts().fingerprint_sha256);
  EXPECT_TRUE(v.bundle->root()->self_signed);
  EXPECT_TRUE(v.bundle->root_from_input());
  EXPECT_EQ(v.bundle->leaf_pem(), leaf.pem());
  EXPECT_EQ(v.bundle->chain_pem(), pki.intermediate().pem());
  EXPECT_EQ(v.bundle->root_pem(), pki.root().pem());
}

// ---------------------------------------------------------------- validate_pem

class ValidatePemTest : public GateTest {};

TEST_F(ValidatePemTest, FullchainAndKeyFromAcme) {
  const Cert leaf = pki.leaf();
  const std::string fullchain = pem_concat({leaf.pem(), pki.intermediate().pem(), pki.root().pem()});
  const Verdict v = crypto::validate_pem("www (order 7)", fullchain, leaf.key().pem(), policy());
  ASSERT_TRUE(Accepted(v));
  EXPECT_EQ(v.origin, "acme");
  EXPECT_EQ(v.bundle->leaf().fingerprint_sha256, leaf.facts().fingerprint_sha256);
  ASSERT_EQ(v.bundle->chain().size(), 1u);
  EXPECT_EQ(v.bundle->chain()[0].fingerprint_sha256, pki.intermediate().facts().fingerprint_sha256);
  EXPECT_TRUE(leaf.key().same_as_pem(v.bundle->key_pem()));
}

TEST_F(ValidatePemTest, ACaChainWithoutItsRootIsNotRootMissing) {
  // RFC 8555 §7.4.2 chains stop below the root; the root is trusted through
  // the CA file (a private ACME CA) and is not "missing" from an upload.
  const Cert leaf = pki.leaf();
  Policy p = policy();
  p.ca_file = pki.write("acme-roots.pem", pki.root().pem());
  const Verdict v = crypto::validate_pem("www", pem_concat({leaf.pem(), pki.intermediate().pem()}), leaf.key().pem(), p);
  ASSERT_TRUE(Accepted(v));
  EXPECT_TRUE(LacksFinding(v, "root-missing"));
  EXPECT_TRUE(LacksFinding(v, "root-private"));
}

TEST_F(ValidatePemTest, WildcardDeclaredNamesNeedTheWildcardEntry) {
  CertOptions o;
  o.dns = {"*.example.test", "example.test"};
  const Cert leaf = pki.leaf(o);
  Policy p = policy();
  p.names = {"*.example.test", "example.test"};
  const std::string chain = pem_concat({leaf.pem(), pki.intermediate().pem(), pki.root().pem()});
  EXPECT_TRUE(Accepted(crypto::validate_pem("wild", chain, leaf.key().pem(), p)));
  CertOptions listed;
  listed.dns = {"a.example.test", "example.test"};
  const Cert no_wildcard = pki.leaf(listed);
  const Verdict v = crypto::validate_pem(
      "wild", pem_concat({no_wildcard.pem(), pki.intermediate().pem(), pki.root().pem()}), no_wildcard.key().pem(), p);
  EXPECT_TRUE(HasFinding(v, "name-mismatch", Severity::error));
}

TEST_F(ValidatePemTest, MismatchedKey) {
  const Cert leaf = pki.leaf();
  const std::string fullchain = pem_concat({leaf.pem(), pki.intermediate().pem(), pki.root().pem()});
  const Verdict v = crypto::validate_pem("www (order 8)", fullchain, Key::generate(KeyType::ec_p256).pem(),
                                         policy());
  EXPECT_TRUE(Rejected(v));
  ASSERT_TRUE(HasFinding(v, "key-mismatch", Severity::error));
  EXPECT_EQ(find(v, "key-mismatch")->subject, "www (order 8)");
}

}  // namespace
}  // namespace certkeeper::testing
