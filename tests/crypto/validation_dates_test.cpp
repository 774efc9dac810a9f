// The validation gate and time: every date is judged at Policy::now (the
// PKI's fixed now, far from the wall clock), never at the system time.
#include "crypto/gate_fixture.h"

namespace certkeeper::testing {
namespace {

class DatesTest : public GateTest {
 protected:
  Cert leaf_valid(UnixTime not_before, UnixTime not_after) const {
    CertOptions o;
    o.not_before = not_before;
    o.not_after = not_after;
    return pki.leaf(o);
  }
  // An intermediate under the root with these dates, and a normal leaf under it.
  std::pair<Cert, Cert> intermediate_valid(UnixTime not_before, UnixTime not_after) const {
    CertOptions ca = CertOptions::authority("Certkeeper Test Dated Intermediate");
    ca.not_before = not_before;
    ca.not_after = not_after;
    Cert intermediate = pki.issue(ca, pki.root());
    Cert leaf = pki.issue(CertOptions{}, intermediate);
    return {intermediate, leaf};
  }
};

TEST_F(DatesTest, ExpiredLeaf) {
  const UnixTime now = pki.now();
  const Verdict v = check(files(leaf_valid(now - days(91), now - days(1))));
  EXPECT_TRUE(Rejected(v));
  EXPECT_TRUE(HasFinding(v, "expired", Severity::error));
  EXPECT_TRUE(LacksFinding(v, "expires-soon"));
  ASSERT_TRUE(v.bundle.has_value()) << "an expired leaf keeps its facts for display";
}

TEST_F(DatesTest, ExpiredIntermediate) {
  const UnixTime now = pki.now();
  const auto [intermediate, leaf] = intermediate_valid(now - days(400), now - days(1));
  const Verdict v = check(files(leaf, {intermediate, pki.root()}));
  EXPECT_TRUE(Rejected(v));
  EXPECT_TRUE(HasFinding(v, "expired", Severity::error));
}

TEST_F(DatesTest, NotValidForAnotherDay) {
  const UnixTime now = pki.now();
  const Verdict v = check(files(leaf_valid(now + days(1), now + days(91))));
  EXPECT_TRUE(Rejected(v));
  EXPECT_TRUE(HasFinding(v, "not-yet-valid", Severity::error));
}

TEST_F(DatesTest, NotValidForTwoMinutesIsOnlyAWarning) {
  const UnixTime now = pki.now();
  const Verdict v = check(files(leaf_valid(now + minutes(2), now + days(90))));
  ASSERT_TRUE(Accepted(v));
  EXPECT_TRUE(HasFinding(v, "not-yet-valid", Severity::warning));
}

TEST_F(DatesTest, IntermediateExpiringBeforeTheLeaf) {
  const UnixTime now = pki.now();
  const auto [intermediate, leaf] = intermediate_valid(now - days(365), now + days(40));
  ASSERT_LT(intermediate.facts().not_after, leaf.facts().not_after);
  const Verdict v = check(files(leaf, {intermediate, pki.root()}));
  ASSERT_TRUE(Accepted(v));
  EXPECT_TRUE(HasFinding(v, "chain-expires-first", Severity::warning));
}

TEST_F(DatesTest, IntermediateOutlivingTheLeafIsFine) {
  const Verdict v = check(files(pki.leaf()));
  ASSERT_TRUE(Accepted(v));
  EXPECT_TRUE(LacksFinding(v, "chain-expires-first"));
}

TEST_F(DatesTest, NinetyDayCertWithTenDaysLeftExpiresSoon) {
  const UnixTime now = pki.now();
  const Verdict v = check(files(leaf_valid(now - days(80), now + days(10))));
  ASSERT_TRUE(Accepted(v));
  EXPECT_TRUE(HasFinding(v, "expires-soon", Severity::warning));
}

TEST_F(DatesTest, NinetyDayCertWithSixtyDaysLeftDoesNot) {
  const UnixTime now = pki.now();
  const Verdict v = check(files(leaf_valid(now - days(30), now + days(60))));
  ASSERT_TRUE(Accepted(v));
  EXPECT_TRUE(LacksFinding(v, "expires-soon"));
}

// A third of the lifetime: a 6-day certificate warns 2 days ahead.
TEST_F(DatesTest, SixDayCertWithOneDayLeftExpiresSoon) {
  const UnixTime now = pki.now();
  const Verdict v = check(files(leaf_valid(now - days(5), now + days(1))));
  ASSERT_TRUE(Accepted(v));
  EXPECT_TRUE(HasFinding(v, "expires-soon", Severity::warning));
}

TEST_F(DatesTest, SixDayCertWithThreeDaysLeftDoesNot) {
  const UnixTime now = pki.now();
  const Verdict v = check(files(leaf_valid(now - days(3), now + days(3))));
  ASSERT_TRUE(Accepted(v));
  EXPECT_TRUE(LacksFinding(v, "expires-soon"));
}

TEST_F(DatesTest, NowComesFromThePolicy) {
  // The same certificate, judged a year later, has expired.
  const Cert leaf = pki.leaf();
  Policy later = policy();
  later.now = pki.now() + days(365);
  const Verdict v = check(files(leaf), later);
  EXPECT_TRUE(HasFinding(v, "expired", Severity::error));
  EXPECT_TRUE(Accepted(check(files(leaf))));
}

}  // namespace
}  // namespace certkeeper::testing
