// report --format prometheus and html as whole processes, judged by outside
// tools: Debian's promtool (the Prometheus project's own checker) and a
// headless Chromium that parses and renders the HTML.
#include <regex>
#include <sstream>

#include "cli/cli_fixture.h"
#include "support/program.h"

namespace certkeeper::testing {
namespace {

class ReportFormatsCliTest : public CliTest {
 protected:
  // Certificates expiring in 5, 60 and 300 days (and 12 hours), as in
  // report_test.cpp.
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

std::string program_or_fail(const std::string& name, const std::string& package) {
  auto path = which(name);
  if (!path) ADD_FAILURE() << name << " not found: install the Debian package " << package
                           << " (contrib/lib/setup.sh installs the test packages)";
  return path.value_or("");
}

TEST_F(ReportFormatsCliTest, PrometheusTextfilePassesPromtool) {
  auto path = pki_.path("certkeeper.prom");
  auto r = ck({"report", "--format", "prometheus", "--output", path});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(file_mode(path), 0644);
  auto text = read_file(path);
  EXPECT_NE(text.find("# TYPE certkeeper_certificate_not_after_timestamp_seconds gauge\n"), std::string::npos)
      << text;
  EXPECT_NE(text.find("certkeeper_certificate_not_after_timestamp_seconds{name=\"soon\",cn=\"www.example.test\","
                      "issuer=\""),
            std::string::npos)
      << text;
  EXPECT_EQ(text.find("certkeeper_certificate_probe_ok{"), std::string::npos) << "never probed: no sample";

  auto promtool = program_or_fail("promtool", "prometheus");
  if (promtool.empty()) return;
  // promtool exits 1 when it cannot parse the text, 3 when it parsed it but
  // its lint found problems: neither is allowed.
  auto check = run_program({promtool, "check", "metrics"}, pki_.path(""), path);
  EXPECT_EQ(check.exit_code, 0) << check.out << check.err;
  EXPECT_EQ(check.out + check.err, "") << "promtool's lint found something";
  // promtool must be able to fail here: a broken exposition is refused.
  auto broken = pki_.write("broken.prom", "# TYPE x gauge\nx{name=\"a} 1\n");
  EXPECT_EQ(run_program({promtool, "check", "metrics"}, pki_.path(""), broken).exit_code, 1);
  auto lint = pki_.write("lint.prom", "# HELP x_total x\n# TYPE x_total gauge\nx_total 1\n");
  auto linted = run_program({promtool, "check", "metrics"}, pki_.path(""), lint);
  EXPECT_EQ(linted.exit_code, 3);
  EXPECT_NE(linted.out + linted.err, "") << "lint problems are printed";
}

TEST_F(ReportFormatsCliTest, WithinAndFailWithinWorkWithPrometheusAndHtml) {
  auto prom = ck({"report", "--format", "prometheus", "--within", "30", "--fail-within", "10"});
  EXPECT_EQ(prom.exit_code, 6) << prom.err;
  EXPECT_NE(prom.out.find("name=\"soon\""), std::string::npos);
  EXPECT_EQ(prom.out.find("name=\"mid\""), std::string::npos) << "--within 30 leaves mid out";
  EXPECT_NE(prom.out.find("certkeeper_report_certificates 1\n"), std::string::npos) << prom.out;

  auto html = ck({"report", "--format", "html", "--within", "90"});
  EXPECT_EQ(html.exit_code, 0) << html.err;
  EXPECT_NE(html.out.find("id=\"h-mid\""), std::string::npos);
  EXPECT_EQ(html.out.find(">late<"), std::string::npos) << "--within 90 leaves late out";
}

// Headless Chromium, offline: every host name fails to resolve, a throwaway
// profile, a bounded wait, and its process group killed at the end.
ProgramResult chromium(const std::string& work_dir, std::vector<std::string> args) {
  auto browser = program_or_fail("chromium", "chromium");
  if (browser.empty()) return {};
  std::vector<std::string> argv = {browser,
                                   "--headless",
                                   "--no-sandbox",
                                   "--disable-gpu",
                                   "--disable-dev-shm-usage",
                                   "--no-first-run",
                                   "--disable-extensions",
                                   "--disable-background-networking",
                                   "--host-resolver-rules=MAP * ~NOTFOUND",
                                   "--user-data-dir=" + work_dir + "/chromium-profile"};
  argv.insert(argv.end(), args.begin(), args.end());
  return run_program(argv, work_dir, "/dev/null", std::chrono::seconds(90));
}

std::string rendered_count(const std::string& dom, const std::string& id) {
  std::smatch m;
  return std::regex_search(dom, m, std::regex("id=\"" + id + "\">([0-9]+)<")) ? m[1].str() : "missing";
}

TEST_F(ReportFormatsCliTest, HtmlRendersInHeadlessChromium) {
  auto path = pki_.path("report.html");
  auto r = ck({"report", "--format", "html", "--output", path});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(file_mode(path), 0644);

  auto run = chromium(pki_.path(""), {"--dump-dom", "file://" + path});
  if (::testing::Test::HasFailure()) return;
  ASSERT_FALSE(run.timed_out) << run.err;
  ASSERT_EQ(run.exit_code, 0) << run.err;
  const std::string& dom = run.out;
  ASSERT_NE(dom.find("Certificate report"), std::string::npos) << dom.substr(0, 2000) << run.err;
  for (const char* name : {">soon<", ">mid<", ">late<"}) EXPECT_NE(dom.find(name), std::string::npos) << name;
  EXPECT_EQ(rendered_count(dom, "count-expired"), "0");
  EXPECT_EQ(rendered_count(dom, "count-within-7"), "1");
  EXPECT_EQ(rendered_count(dom, "count-within-30"), "1");
  EXPECT_EQ(rendered_count(dom, "count-within-90"), "2");
  EXPECT_EQ(rendered_count(dom, "count-total"), "3");
  // The browser parsed the SVG as SVG: its bars and today's mark are in the DOM.
  EXPECT_NE(dom.find("<svg"), std::string::npos);
  std::size_t bars = 0;
  for (auto at = dom.find("<rect "); at != std::string::npos; at = dom.find("<rect ", at + 1)) ++bars;
  EXPECT_EQ(bars, 3u);
  EXPECT_NE(dom.find("today "), std::string::npos);
  // Each certificate's history: its import.
  EXPECT_NE(dom.find("id=\"h-soon\""), std::string::npos);
  EXPECT_NE(dom.find("<td>imported</td>"), std::string::npos);
}

}  // namespace
}  // namespace certkeeper::testing
