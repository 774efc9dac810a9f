// Where the inventory is (README "Where it is"): --db and CERTKEEPER_DB take
// a path or sqlite:PATH (the same file); any other scheme:// is refused
// (exit 2, one line naming it) before anything is opened, and a value with
// a password is refused without printing the password.
#include "cli/cli_fixture.h"

namespace certkeeper::testing {
namespace {

std::size_t line_count(const std::string& text) {
  std::size_t n = 0;
  for (char c : text) n += c == '\n';
  return n;
}

class InventoryLocationTest : public CliTest {};

TEST_F(InventoryLocationTest, SqlitePrefixOpensTheSameFile) {
  auto r = run_certkeeper({"--db", "sqlite:" + db(), "init", "--external-url", "https://www.example.test/"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_TRUE(exists(db()));
  EXPECT_FALSE(exists("sqlite:" + db()));
  const Files f = write_set(pki_.leaf());
  r = ck({"import", "web", "--cert", f.cert, "--key", f.key, "--chain", f.chain});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  r = run_certkeeper({"--db", "sqlite:" + db(), "--json", "list"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("\"web\""), std::string::npos) << r.out;
  r = run_certkeeper({"--json", "list"}, {{"CERTKEEPER_DB", "sqlite:" + db()}});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("\"web\""), std::string::npos) << r.out;
}

TEST_F(InventoryLocationTest, AnotherSchemeIsRefusedWithExit2) {
  const std::string uri = "mysql://ck@db.example.test/certkeeper";
  for (const auto& args : std::vector<std::vector<std::string>>{
           {"--db", uri, "init"}, {"--db", uri, "list"}, {"--db", uri, "report"}}) {
    auto r = run_certkeeper(args);
    EXPECT_EQ(r.exit_code, 2) << r.err;
    EXPECT_EQ(line_count(r.err), 1u) << r.err;
    EXPECT_NE(r.err.find(uri), std::string::npos) << r.err;
    EXPECT_NE(r.err.find("postgresql://"), std::string::npos) << r.err;
    EXPECT_EQ(r.err.find("issue 11"), std::string::npos) << r.err;
  }
  auto r = run_certkeeper({"list"}, {{"CERTKEEPER_DB", "mysql://db.example.test/ck"}});
  EXPECT_EQ(r.exit_code, 2) << r.err;
  EXPECT_NE(r.err.find("mysql://db.example.test/ck"), std::string::npos) << r.err;
  r = run_certkeeper({"--db", "sqlite:///var/lib/x.db", "list"});
  EXPECT_EQ(r.exit_code, 2) << r.err;
  EXPECT_NE(r.err.find("sqlite:PATH"), std::string::npos) << r.err;
  r = run_certkeeper({"--db", "sqlite:", "list"});
  EXPECT_EQ(r.exit_code, 2) << r.err;
}

TEST_F(InventoryLocationTest, APasswordIsRefusedAndNeverPrinted) {
  const std::string secret = "s3cr3t-pw-915";
  for (const std::string& uri : {"postgresql://ck:" + secret + "@db.example.test/certkeeper",
                                 "postgresql://db.example.test/certkeeper?sslmode=verify-full&password=" + secret,
                                 "sqlite://u:" + secret + "@x/y.db"}) {
    auto r = run_certkeeper({"--db", uri, "--json", "init"});
    EXPECT_EQ(r.exit_code, 2) << r.err;
    EXPECT_EQ(line_count(r.err), 1u) << r.err;
    EXPECT_NE(r.err.find("password"), std::string::npos) << r.err;
    EXPECT_NE(r.err.find("***"), std::string::npos) << r.err;
    EXPECT_EQ(r.err.find(secret), std::string::npos) << r.err;
    EXPECT_EQ(r.out.find(secret), std::string::npos) << r.out;
    EXPECT_EQ(json(r)["exit_code"], 2) << r.out;
    r = run_certkeeper({"list"}, {{"CERTKEEPER_DB", uri}});
    EXPECT_EQ(r.exit_code, 2) << r.err;
    EXPECT_EQ(r.err.find(secret), std::string::npos) << r.err;
  }
  EXPECT_FALSE(exists(db()));
}

}  // namespace
}  // namespace certkeeper::testing
