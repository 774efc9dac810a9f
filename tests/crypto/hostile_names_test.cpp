// Certificates a hostile CA wrote (README "Every certificate field is
// outside input"): subjectAltName entries and names that hold bytes that
// are not UTF-8, NULs and control characters. The facts keep the bytes (the
// gate judges them); every message that shows them escapes them
// (util/text.h), and the gate refuses a name no client can match.
#include "crypto/gate_fixture.h"

#include "certkeeper/crypto/facts.h"
#include "certkeeper/crypto/names.h"
#include "certkeeper/util/text.h"

namespace certkeeper::testing {
namespace {

using namespace std::string_literals;

const std::string kNotUtf8 = "bad\xFF\xFE.example.test";
const std::string kEscape = "evil\x1B[31m\x07.example.test";
const std::string kNul = "www.example.test\0.evil.test"s;

class HostileNamesTest : public GateTest {
 protected:
  Verdict check_san(std::vector<std::string> dns) const {
    CertOptions o;
    o.dns = std::move(dns);
    o.raw_names = true;
    return check(files(pki.leaf(o)));
  }
};

TEST_F(HostileNamesTest, FactsKeepTheBytesAsTheCertificateHoldsThem) {
  CertOptions o;
  o.dns = {kNotUtf8, kEscape, kNul};
  o.cn = "cn\x1B]0;title\x07";
  o.raw_names = true;
  auto facts = crypto::read_facts(pki.leaf(o).pem());
  ASSERT_TRUE(facts) << facts.error().what();
  EXPECT_EQ(facts->dns_names, (std::vector<std::string>{kNotUtf8, kEscape, kNul}));
  EXPECT_EQ(facts->subject_cn, o.cn);
}

TEST_F(HostileNamesTest, ANameThatIsNotUtf8IsRefusedWithAnEscapedMessage) {
  const Verdict v = check_san({"www.example.test", kNotUtf8});
  EXPECT_TRUE(Rejected(v));
  ASSERT_TRUE(HasFinding(v, "name-invalid", Severity::error));
  const std::string& message = find(v, "name-invalid")->message;
  EXPECT_NE(message.find("bad\\xFF\\xFE.example.test"), std::string::npos) << message;
  EXPECT_TRUE(text::is_printable(message)) << message;
  EXPECT_TRUE(LacksFinding(v, "name-mismatch")) << "www.example.test is still covered";
}

TEST_F(HostileNamesTest, ControlCharactersInANameAreRefusedAndEscaped) {
  const Verdict v = check_san({"www.example.test", kEscape});
  ASSERT_TRUE(HasFinding(v, "name-invalid", Severity::error));
  const std::string& message = find(v, "name-invalid")->message;
  EXPECT_NE(message.find("evil\\x1B[31m\\x07.example.test"), std::string::npos) << message;
  EXPECT_TRUE(text::is_printable(message)) << message;
}

TEST_F(HostileNamesTest, ANulDoesNotCutTheMessageShort) {
  const Verdict v = check_san({"www.example.test", kNul});
  ASSERT_TRUE(HasFinding(v, "name-invalid", Severity::error));
  const std::string& message = find(v, "name-invalid")->message;
  EXPECT_EQ(message.find('\0'), std::string::npos);
  EXPECT_NE(message.find("www.example.test\\x00.evil.test"), std::string::npos) << message;
  EXPECT_NE(message.find("get a certificate"), std::string::npos) << "the advice after the name is there: " << message;
}

TEST_F(HostileNamesTest, AMismatchListsHostileNamesEscaped) {
  Policy p = policy();
  p.names = {"mail.example.test"};
  CertOptions o;
  o.dns = {kEscape, kNul};
  o.raw_names = true;
  const Verdict v = check(files(pki.leaf(o)), p);
  ASSERT_TRUE(HasFinding(v, "name-mismatch", Severity::error));
  for (const auto& f : v.findings) EXPECT_TRUE(text::is_printable(f.message)) << f.code << ": " << f.message;
}

TEST_F(HostileNamesTest, AHostileIssuerIsEscapedInEveryMessage) {
  CertOptions ca = CertOptions::authority("Evil\x1B[2J CA\nforged");
  ca.raw_names = true;
  const Cert evil = pki.issue(ca, pki.root());
  const Cert leaf = pki.issue(CertOptions{}, evil);
  // Without the hostile intermediate: chain-incomplete names it.
  const Verdict v = check(files(leaf, {pki.root()}));
  EXPECT_TRUE(Rejected(v));
  ASSERT_FALSE(v.findings.empty());
  for (const auto& f : v.findings) EXPECT_TRUE(text::is_printable(f.message)) << f.code << ": " << f.message;
  ASSERT_TRUE(v.bundle);
  EXPECT_TRUE(text::is_utf8(v.bundle->leaf().issuer)) << v.bundle->leaf().issuer;
}

// libidn2 reads C strings: a NUL after a non-ASCII label used to cut the
// presented name short before it was compared.
TEST(HostileNameMatch, ANulNeverMakesANameMatchItsPrefix) {
  const std::string presented = "b\xC3\xBC" "cher.example.test\0.evil.test"s;
  const auto m = crypto::match_name({presented}, {}, "", "b\xC3\xBC" "cher.example.test");
  EXPECT_EQ(m.kind, crypto::MatchKind::none) << "matched " << text::printable(m.presented);
  EXPECT_TRUE(text::is_printable(m.explanation)) << m.explanation;
}

TEST_F(HostileNamesTest, FriendlyNamesAreNotInvalid) {
  for (const char* name : {"www.example.test", "*.example.test", "_acme.example.test", "example.test.",
                                  "b\xC3\xBC" "cher.example.test", "xn--bcher-kva.example.test", "127.0.0.1",
                                  "localhost", "WWW.Example.TEST"}) {
    const Verdict v = check_san({"www.example.test", name});
    EXPECT_TRUE(LacksFinding(v, "name-invalid")) << name;
  }
}

}  // namespace
}  // namespace certkeeper::testing
