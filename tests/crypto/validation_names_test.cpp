// The validation gate and names (docs/manual/validation.md): the gate turns
// Policy::names into name-mismatch / name-unchecked findings. The matching
// rules themselves are unit-tested in names_test.cpp.
#include "crypto/gate_fixture.h"

namespace certkeeper::testing {
namespace {

class NamesTest : public GateTest {
 protected:
  Verdict check_names(const CertOptions& o, std::vector<std::string> names) const {
    Policy p = policy();
    p.names = std::move(names);
    return check(files(pki.leaf(o)), p);
  }
  static CertOptions dns(std::vector<std::string> names) {
    CertOptions o;
    o.dns = std::move(names);
    return o;
  }
};

TEST_F(NamesTest, OtherHostIsAMismatch) {
  const Verdict v = check_names(dns({"www.example.test"}), {"mail.example.test"});
  EXPECT_TRUE(Rejected(v));
  ASSERT_TRUE(HasFinding(v, "name-mismatch", Severity::error));
  EXPECT_NE(find(v, "name-mismatch")->message.find("mail.example.test"), std::string::npos)
      << "the message names the host that is not covered";
}

TEST_F(NamesTest, CoveredHostIsAccepted) {
  const Verdict v = check_names(dns({"www.example.test", "mail.example.test"}), {"mail.example.test"});
  ASSERT_TRUE(Accepted(v));
  EXPECT_TRUE(LacksFinding(v, "name-mismatch"));
  EXPECT_TRUE(LacksFinding(v, "name-unchecked"));
}

TEST_F(NamesTest, OneOfTwoNamesMissingIsAMismatch) {
  const Verdict v = check_names(dns({"www.example.test"}), {"www.example.test", "mail.example.test"});
  EXPECT_TRUE(Rejected(v));
  EXPECT_TRUE(HasFinding(v, "name-mismatch", Severity::error));
}

TEST_F(NamesTest, CnOnlyCertificateIsExplained) {
  CertOptions o;
  o.cn = "www.example.test";
  o.dns.clear();
  const Verdict v = check_names(o, {"www.example.test"});
  EXPECT_TRUE(Rejected(v));
  ASSERT_TRUE(HasFinding(v, "name-mismatch", Severity::error));
  EXPECT_NE(find(v, "name-mismatch")->message.find("subjectAltName"), std::string::npos)
      << find(v, "name-mismatch")->message;
}

TEST_F(NamesTest, WildcardCoversOneLabel) {
  const Verdict v = check_names(dns({"*.example.test"}), {"a.example.test"});
  ASSERT_TRUE(Accepted(v));
  EXPECT_TRUE(LacksFinding(v, "name-mismatch"));
}

TEST_F(NamesTest, WildcardDoesNotCoverTheApex) {
  const Verdict v = check_names(dns({"*.example.test"}), {"example.test"});
  EXPECT_TRUE(Rejected(v));
  EXPECT_TRUE(HasFinding(v, "name-mismatch", Severity::error));
}

TEST_F(NamesTest, IpSanCoversTheAddress) {
  CertOptions o;
  o.cn = "127.0.0.1";
  o.dns.clear();
  o.ips = {"127.0.0.1"};
  const Verdict v = check_names(o, {"127.0.0.1"});
  ASSERT_TRUE(Accepted(v));
  EXPECT_TRUE(LacksFinding(v, "name-mismatch"));
  EXPECT_EQ(v.bundle->leaf().ip_addresses, std::vector<std::string>{"127.0.0.1"});
}

TEST_F(NamesTest, IpAddressIsNotCoveredByADnsEntry) {
  const Verdict v = check_names(dns({"127.0.0.1"}), {"127.0.0.1"});
  EXPECT_TRUE(Rejected(v));
  EXPECT_TRUE(HasFinding(v, "name-mismatch", Severity::error));
}

TEST_F(NamesTest, NoNamesIsUnchecked) {
  const Verdict v = check_names(dns({"www.example.test"}), {});
  ASSERT_TRUE(Accepted(v));
  EXPECT_TRUE(HasFinding(v, "name-unchecked", Severity::info));
  EXPECT_TRUE(LacksFinding(v, "name-mismatch"));
}

}  // namespace
}  // namespace certkeeper::testing
