// The finding-code table that the gate names its findings from and the
// reference documentation prints (finding_codes.h).
#include <gtest/gtest.h>

#include <regex>
#include <set>
#include <string>

#include "certkeeper/crypto/finding_codes.h"
#include "certkeeper/crypto/validation.h"

namespace certkeeper::crypto {
namespace {

TEST(FindingCodes, EveryRowHasAStableNameSeveritiesAndText) {
  std::set<std::string> names;
  const std::regex kebab("[a-z][a-z0-9]*(-[a-z0-9]+)*");
  for (const auto& row : finding_codes()) {
    EXPECT_TRUE(std::regex_match(row.name, kebab)) << row.name;
    EXPECT_TRUE(names.insert(row.name).second) << "duplicate " << row.name;
    EXPECT_NE(row.severities, 0u) << row.name;
    EXPECT_GT(std::string(row.when).size(), 10u) << row.name;
    EXPECT_GT(std::string(row.what_to_do).size(), 5u) << row.name;
    EXPECT_EQ(&finding_code_info(row.code), &row) << row.name;
  }
  EXPECT_EQ(names.size(), 24u);  // name-invalid joined with the hostile-input work
}

TEST(FindingCodes, SeveritiesReadAsTheReferenceShowsThem) {
  EXPECT_EQ(severities_text(finding_code_info(FindingCode::key_mismatch)), "error");
  EXPECT_EQ(severities_text(finding_code_info(FindingCode::not_yet_valid)), "error / warning");
  EXPECT_EQ(severities_text(finding_code_info(FindingCode::root_missing)), "warning / info");
}

TEST(FindingCodes, AFindingCarriesItsCodesName) {
  Finding f = make_finding(Severity::warning, FindingCode::chain_extra, "ca.pem", "dropped");
  EXPECT_EQ(f.code, "chain-extra");
  EXPECT_EQ(f.subject, "ca.pem");
  EXPECT_EQ(f.severity, Severity::warning);
}

}  // namespace
}  // namespace certkeeper::crypto
