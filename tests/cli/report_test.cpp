// report, list, show, history as whole processes.
#include "cli/cli_fixture.h"

namespace certkeeper::testing {
namespace {

class ReportCliTest : public CliTest {
 protected:
  // Three certificates: expiring in 5, 60 and 300 days and 12 hours (the
  // half day keeps days_left stable however long the test takes).
  void SetUp() override {
    init();
    for (auto [name, left] : std::vector<std::pair<std::string, int>>{{"soon", 5}, {"mid", 60}, {"late", 300}}) {
      CertOptions o;
      o.not_before = pki_.now() - days(30);
      o.not_after = pki_.now() + days(left) + days(1) / 2;
      auto f = write_set(pki_.leaf(o), name + "-");
      auto r = ck({"import", name, "--cert", f.cert, "--key", f.key, "--chain", f.chain});
      ASSERT_EQ(r.exit_code, 0) << r.err;
    }
  }
};

TEST_F(ReportCliTest, TableSortedBySoonestExpiry) {
  auto r = ck({"report"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto soon = r.out.find("\nsoon "), mid = r.out.find("\nmid "), late = r.out.find("\nlate ");
  ASSERT_NE(soon, std::string::npos) << r.out;
  EXPECT_LT(soon, mid);
  EXPECT_LT(mid, late);
  EXPECT_EQ(r.out.find("\x1b["), std::string::npos) << "no colour into a pipe";
  EXPECT_NE(r.out.find("3 certificates: 0 expired, 1 expiring soon"), std::string::npos) << r.out;
}

TEST_F(ReportCliTest, WithinFiltersEveryFormat) {
  auto j = ck({"report", "--format", "json", "--within", "30"});
  ASSERT_EQ(j.exit_code, 0) << j.err;
  auto doc = json(j);
  ASSERT_EQ(doc["certificates"].size(), 1u);
  EXPECT_EQ(doc["certificates"][0]["name"], "soon");
  EXPECT_EQ(doc["certificates"][0]["days_left"], 5);
  EXPECT_EQ(doc["within_days"], 30);

  auto csv = ck({"report", "--format", "csv", "--within", "90"});
  ASSERT_EQ(csv.exit_code, 0);
  EXPECT_EQ(std::count(csv.out.begin(), csv.out.end(), '\n'), 3) << csv.out;  // header + 2

  auto table = ck({"report", "--within", "1"});
  EXPECT_NE(table.out.find("0 certificates expiring within 1 day:"), std::string::npos) << table.out;
}

TEST_F(ReportCliTest, FailWithinExitsSix) {
  auto r = ck({"report", "--fail-within", "10"});
  EXPECT_EQ(r.exit_code, 6);
  EXPECT_NE(r.err.find("1 certificate expires within 10 days; renew or replace it"), std::string::npos) << r.err;
  EXPECT_NE(r.out.find("late"), std::string::npos) << "the report is still printed";
  EXPECT_EQ(ck({"report", "--fail-within", "3"}).exit_code, 0);
  EXPECT_EQ(ck({"--json", "report", "--fail-within", "100"}).exit_code, 6);
}

TEST_F(ReportCliTest, OutputFileIsWrittenAtomically) {
  auto path = pki_.path("report.csv");
  auto r = ck({"report", "--format", "csv", "--output", path});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto text = read_file(path);
  EXPECT_EQ(text.rfind("name,names,issuer,", 0), 0u) << text;
  EXPECT_EQ(file_mode(path), 0644);
}

TEST_F(ReportCliTest, JsonWithAnotherFormatIsAUsageErrorWithoutOutput) {
  for (const char* format : {"csv", "prometheus", "html", "table"}) {
    auto r = ck({"--json", "report", "--format", format});
    EXPECT_EQ(r.exit_code, 2) << format;
    auto doc = nlohmann::json::parse(r.out, nullptr, false);
    ASSERT_TRUE(doc.is_object()) << format << ": stdout is one JSON document: " << r.out;
    EXPECT_EQ(doc["ok"], false);
    EXPECT_EQ(doc["error"]["code"], "usage");
    EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << r.err;
    EXPECT_NE(r.err.find("use --format " + std::string(format) + " without --json"), std::string::npos) << r.err;
  }
  auto plain = ck({"--json", "report", "--format", "json"});
  EXPECT_EQ(plain.exit_code, 0) << plain.err;
  EXPECT_EQ(json(plain)["certificates"].size(), 3u);
}

TEST_F(ReportCliTest, JsonWithOutputDescribesTheFileWritten) {
  auto path = pki_.path("report.html");
  auto r = ck({"--json", "report", "--format", "html", "--output", path, "--within", "90"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto doc = json(r);
  EXPECT_EQ(doc["ok"], true);
  EXPECT_EQ(doc["path"], path);
  EXPECT_EQ(doc["format"], "html");
  EXPECT_EQ(doc["rows"], 2);
  auto html = read_file(path);
  EXPECT_EQ(doc["bytes"], html.size());
  EXPECT_EQ(html.rfind("<!DOCTYPE html>", 0), 0u);

  auto due = ck({"--json", "report", "--format", "csv", "--output", pki_.path("r.csv"), "--fail-within", "10"});
  EXPECT_EQ(due.exit_code, 6) << due.err;
  EXPECT_EQ(json(due)["ok"], false);
  EXPECT_EQ(json(due)["exit_code"], 6);
  EXPECT_EQ(json(due)["rows"], 3);
}

TEST_F(ReportCliTest, ShowAndHistory) {
  auto show = ck({"show", "mid"});
  ASSERT_EQ(show.exit_code, 0) << show.err;
  EXPECT_NE(show.out.find("version:      1 of 1"), std::string::npos) << show.out;
  auto missing = ck({"show", "nope"});
  EXPECT_EQ(missing.exit_code, 1);
  EXPECT_NE(missing.err.find("nope: no such certificate"), std::string::npos) << missing.err;
  auto history = ck({"history", "nope"});
  EXPECT_EQ(history.exit_code, 1);
}

TEST_F(CliTest, ViewsWithoutAnInventoryExplainWhatToDo) {
  for (auto cmd : {"list", "report"}) {
    auto r = ck({cmd});
    EXPECT_EQ(r.exit_code, 1);
    EXPECT_NE(r.err.find("certkeeper init"), std::string::npos) << r.err;
    EXPECT_EQ(file_mode(db()), -1) << "read-only commands never create the database";
  }
}

}  // namespace
}  // namespace certkeeper::testing
