// Writing PKCS#12 (crypto/pkcs12.h): what make_pkcs12 writes reads back
// through the validation gate with the same certificate, chain and key, and
// uses the algorithms it says (read back from the DER with OpenSSL).
#include <openssl/pkcs12.h>
#include <openssl/x509.h>

#include "certkeeper/crypto/pkcs12.h"
#include "crypto/gate_fixture.h"

namespace certkeeper::testing {
namespace {

using crypto::Pkcs12Encryption;
using crypto::Pkcs12Request;

constexpr const char* kPassword = "export-Passw0rd";

class Pkcs12ExportTest : public GateTest {
 protected:
  Pkcs12Request request(const Cert& leaf, bool with_key, const std::string& password) const {
    Pkcs12Request r;
    r.leaf_pem = leaf.pem();
    r.chain_pem = pki.intermediate().pem();
    if (with_key) r.key_pem = leaf.key().pem();
    r.password = password;
    r.friendly_name = "web";
    return r;
  }

  Verdict read_back(const std::string& der, const std::string& password) const {
    Sources s;
    s.p12_file = pki.write("export.p12", der);
    if (!password.empty()) s.p12_password_file = pki.write("export-password.txt", password);
    Policy p = policy();
    p.ca_file = pki.write("root.pem", pki.root().pem());
    p.require_key = false;
    return crypto::validate(s, p);
  }

  // The MAC's digest, as OpenSSL reads it from the DER ("" without a MAC).
  static std::string mac_digest(const std::string& der) {
    const auto* p = reinterpret_cast<const unsigned char*>(der.data());
    PKCS12* raw = d2i_PKCS12(nullptr, &p, static_cast<long>(der.size()));
    if (!raw) return "unparsable";
    std::string out;
    if (PKCS12_mac_present(raw)) {
      const X509_ALGOR* alg = nullptr;
      PKCS12_get0_mac(nullptr, &alg, nullptr, nullptr, raw);
      const ASN1_OBJECT* oid = nullptr;
      X509_ALGOR_get0(&oid, nullptr, nullptr, alg);
      out = OBJ_nid2sn(OBJ_obj2nid(oid));
    }
    PKCS12_free(raw);
    return out;
  }
};

TEST_F(Pkcs12ExportTest, ModernWithKeyReadsBackWhole) {
  const Cert leaf = pki.leaf();
  auto der = crypto::make_pkcs12(request(leaf, true, kPassword));
  ASSERT_TRUE(der) << der.error().what();
  EXPECT_EQ(mac_digest(*der), "SHA256");
  const Verdict v = read_back(*der, kPassword);
  ASSERT_TRUE(Accepted(v));
  EXPECT_EQ(v.bundle->leaf().fingerprint_sha256, leaf.facts().fingerprint_sha256);
  ASSERT_EQ(v.bundle->chain().size(), 1u);
  EXPECT_EQ(v.bundle->chain()[0].fingerprint_sha256, pki.intermediate().facts().fingerprint_sha256);
  ASSERT_TRUE(v.bundle->has_key());
  EXPECT_TRUE(leaf.key().same_as_pem(v.bundle->key_pem()));
  EXPECT_TRUE(Rejected(read_back(*der, "wrong"))) << "the password protects it";
}

TEST_F(Pkcs12ExportTest, LegacyWithKeyReadsBackWhole) {
  CertOptions o;
  o.key_type = KeyType::rsa2048;
  const Cert leaf = pki.leaf(o);
  auto r = request(leaf, true, kPassword);
  r.encryption = Pkcs12Encryption::legacy;
  auto der = crypto::make_pkcs12(r);
  ASSERT_TRUE(der) << der.error().what();
  EXPECT_EQ(mac_digest(*der), "SHA1");
  const Verdict v = read_back(*der, kPassword);
  ASSERT_TRUE(Accepted(v));
  EXPECT_EQ(v.bundle->leaf().fingerprint_sha256, leaf.facts().fingerprint_sha256);
  EXPECT_TRUE(leaf.key().same_as_pem(v.bundle->key_pem()));
}

TEST_F(Pkcs12ExportTest, CertificatesOnlyWithoutPassword) {
  const Cert leaf = pki.leaf();
  auto der = crypto::make_pkcs12(request(leaf, false, ""));
  ASSERT_TRUE(der) << der.error().what();
  const Verdict v = read_back(*der, "");
  ASSERT_TRUE(Accepted(v));
  EXPECT_FALSE(v.bundle->has_key());
  EXPECT_EQ(v.bundle->leaf().fingerprint_sha256, leaf.facts().fingerprint_sha256);
}

TEST_F(Pkcs12ExportTest, AKeyNeedsAPassword) {
  auto der = crypto::make_pkcs12(request(pki.leaf(), true, ""));
  ASSERT_FALSE(der);
  EXPECT_EQ(der.error().code, Errc::invalid_input);
}

TEST_F(Pkcs12ExportTest, AKeyOfAnotherCertificateIsRefused) {
  auto r = request(pki.leaf(), false, kPassword);
  r.key_pem = Key::generate(KeyType::ec_p256).pem();
  auto der = crypto::make_pkcs12(r);
  ASSERT_FALSE(der);
  EXPECT_EQ(der.error().code, Errc::invalid_input);
  EXPECT_EQ(der.error().message.find("PRIVATE"), std::string::npos);
}

TEST_F(Pkcs12ExportTest, DamagedPemIsRefused) {
  auto r = request(pki.leaf(), true, kPassword);
  r.leaf_pem = "-----BEGIN CERTIFICATE-----\nAAAA\n";
  auto der = crypto::make_pkcs12(r);
  ASSERT_FALSE(der);
  EXPECT_EQ(der.error().code, Errc::invalid_input);
}

}  // namespace
}  // namespace certkeeper::testing
