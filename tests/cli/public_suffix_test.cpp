// Wildcards over a public suffix (README "Name matching"), judged with the
// Public Suffix List through libpsl: a certificate for *.co.uk covers no
// host, as *.com never did, and `add` refuses to order one.
#include "cli/cli_fixture.h"

namespace certkeeper::testing {
namespace {

TEST_F(CliTest, AWildcardOverAPublicSuffixCoversNothing) {
  init();
  CertOptions o;
  o.cn = "";
  o.dns = {"*.co.uk", "*.example.co.uk"};
  const Files f = write_set(pki_.leaf(o));
  auto suffix = ck({"check", "--cert", f.cert, "--key", f.key, "--chain", f.chain, "--host", "foo.co.uk"});
  EXPECT_EQ(suffix.exit_code, 3) << suffix.out << suffix.err;
  EXPECT_NE(suffix.err.find("name-mismatch"), std::string::npos) << suffix.err;
  EXPECT_NE(suffix.err.find("'*.co.uk' would cover a whole public suffix"), std::string::npos) << suffix.err;
  auto below = ck({"check", "--cert", f.cert, "--key", f.key, "--chain", f.chain, "--host", "www.example.co.uk"});
  EXPECT_EQ(below.exit_code, 0) << below.err;
}

TEST_F(CliTest, AddRefusesAWildcardOverAPublicSuffix) {
  init();
  for (const char* domain : {"*.co.uk", "*.com", "*.CO.UK"}) {
    auto r = ck({"add", "w", "--domain", domain, "--challenge", "dns-01", "--dns-hook", "/usr/bin/true"});
    EXPECT_EQ(r.exit_code, 2) << domain << ": " << r.err;
    EXPECT_NE(r.err.find("public suffix"), std::string::npos) << r.err;
  }
  auto own = ck({"add", "w", "--domain", "*.example.co.uk", "--challenge", "dns-01", "--dns-hook", "/usr/bin/true"});
  EXPECT_EQ(own.exit_code, 0) << own.err;
}

}  // namespace
}  // namespace certkeeper::testing
