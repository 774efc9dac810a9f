// The import operation with a fixed clock: the time used is the injected one,
// never the system's (the test PKI is dated 2027-03-01).
#include "certkeeper/lifecycle/check.h"

#include <gtest/gtest.h>

#include "certkeeper/lifecycle/init.h"
#include "certkeeper/store/inventory.h"
#include "support/test_pki.h"

namespace certkeeper::lifecycle {
namespace {

using namespace certkeeper::testing;

class ImportTest : public ::testing::Test {
 protected:
  ImportTest() : clock_(pki_.now()) {
    ctx_.db_path = pki_.path("ck.db");
    ctx_.clock = &clock_;
    ctx_.actor = "test";
  }

  crypto::Sources sources(const Cert& leaf, const std::string& prefix = "") {
    crypto::Sources s;
    s.cert_file = pki_.write(prefix + "cert.pem", leaf.pem());
    s.key_file = pki_.write(prefix + "key.pem", leaf.key().pem());
    s.chain_file = pki_.write(prefix + "ca.pem", pem_concat({pki_.intermediate().pem(), pki_.root().pem()}));
    return s;
  }

  TestPki pki_;
  FixedClock clock_;
  Context ctx_;
};

TEST_F(ImportTest, StoresWithTheInjectedTime) {
  ASSERT_TRUE(init(ctx_, {"https://www.example.test", {}, {}, {}, {}}));
  auto leaf = pki_.leaf();
  auto out = import_certificate(ctx_, {"web", sources(leaf), ""});
  ASSERT_TRUE(out) << out.error().what();
  ASSERT_TRUE(out->stored);
  EXPECT_TRUE(out->created);
  EXPECT_EQ(out->version, 1);
  EXPECT_EQ(out->check.names_from, "external_url setting");
  auto inv = store::Inventory::open(ctx_.db_path, store::OpenMode::read_only);
  auto versions = inv->versions("web");
  ASSERT_EQ(versions->size(), 1u);
  const auto& v = (*versions)[0];
  EXPECT_EQ(v.created_at, pki_.now());
  EXPECT_EQ(v.fingerprint_sha256, leaf.facts().fingerprint_sha256);
  EXPECT_EQ(v.not_after, leaf.facts().not_after);
  EXPECT_EQ(v.issuer_cn, "Certkeeper Test Intermediate");
  EXPECT_EQ(v.origin, "import-pem");
  EXPECT_NE(inv->version_with_key("web", 1)->key_pem.find("BEGIN PRIVATE KEY"), std::string::npos);
}

TEST_F(ImportTest, ExpiryIsJudgedAtTheInjectedTime) {
  ASSERT_TRUE(init(ctx_, {}));
  auto leaf = pki_.leaf();
  clock_.set(leaf.facts().not_after + 1);
  auto out = import_certificate(ctx_, {"web", sources(leaf), ""});
  ASSERT_TRUE(out);
  EXPECT_FALSE(out->stored);
  bool expired = false;
  for (const auto& f : out->check.verdict.findings) expired |= f.code == "expired";
  EXPECT_TRUE(expired);
}

TEST_F(ImportTest, AnOlderCertificateIsStoredWithAWarning) {
  ASSERT_TRUE(init(ctx_, {}));
  CertOptions longer;
  longer.not_after = pki_.now() + days(300);
  ASSERT_TRUE(import_certificate(ctx_, {"web", sources(pki_.leaf(longer), "a-"), ""})->stored);
  auto out = import_certificate(ctx_, {"web", sources(pki_.leaf(), "b-"), ""});
  ASSERT_TRUE(out);
  ASSERT_TRUE(out->stored);
  EXPECT_EQ(out->version, 2);
  bool warned = false;
  for (const auto& f : out->check.verdict.findings) warned |= f.code == "older-than-current";
  EXPECT_TRUE(warned);
  auto inv = store::Inventory::open(ctx_.db_path, store::OpenMode::read_only);
  EXPECT_NE((*inv->versions("web"))[1].findings_json.find("older-than-current"), std::string::npos);
}

TEST_F(ImportTest, WithoutAnExternalUrlNamesAreUnchecked) {
  ASSERT_TRUE(init(ctx_, {}));
  CertOptions elsewhere;
  elsewhere.dns = {"other.example.test"};
  auto out = import_certificate(ctx_, {"web", sources(pki_.leaf(elsewhere)), ""});
  ASSERT_TRUE(out);
  EXPECT_TRUE(out->stored);
  bool unchecked = false;
  for (const auto& f : out->check.verdict.findings) unchecked |= f.code == "name-unchecked";
  EXPECT_TRUE(unchecked);
}

TEST_F(ImportTest, CertificateNamesAreSafeDirectoryNames) {
  EXPECT_TRUE(valid_certificate_name("mail.example.com"));
  EXPECT_TRUE(valid_certificate_name("a_b-c"));
  EXPECT_FALSE(valid_certificate_name(""));
  EXPECT_FALSE(valid_certificate_name(".hidden"));
  EXPECT_FALSE(valid_certificate_name("../x"));
  EXPECT_FALSE(valid_certificate_name("a/b"));
  EXPECT_FALSE(valid_certificate_name("a b"));
  EXPECT_FALSE(valid_certificate_name(std::string(65, 'a')));
}

TEST_F(ImportTest, InitRejectsBadSettingsBeforeCreatingAnything) {
  EXPECT_EQ(init(ctx_, {"not a url", {}, {}, {}, {}}).error().code, Errc::usage);
  EXPECT_EQ(init(ctx_, {{}, "http://plain.example/dir", {}, {}, {}}).error().code, Errc::usage);
  EXPECT_EQ(init(ctx_, {{}, {}, {}, "no-at-sign", {}}).error().code, Errc::usage);
  EXPECT_EQ(init(ctx_, {{}, {}, pki_.path("missing.pem"), {}, {}}).error().code, Errc::usage);
  EXPECT_EQ(file_mode(ctx_.db_path), -1);
}

}  // namespace
}  // namespace certkeeper::lifecycle
