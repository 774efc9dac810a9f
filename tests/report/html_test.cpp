// The HTML report as text: self-contained, escaped, with the summary, the
// timeline, the table and the history. (tests/cli renders it in Chromium.)
#include <gtest/gtest.h>

#include <regex>

#include "certkeeper/report/report.h"
#include "support/fixed_time.h"

namespace certkeeper::report {
namespace {

using testing::kNow;
using testing::kDay;


store::ReportRow html_row(const std::string& name, std::optional<std::int64_t> days) {
  store::ReportRow r;
  r.name = name;
  r.source = "manual";
  if (days) {
    r.version = 1;
    r.not_after = kNow + *days * kDay + kDay / 2;
    r.not_before = *r.not_after - 398 * kDay;
    r.names = {name + ".example.test"};
    r.issuer_cn = "Test CA";
  }
  return r;
}

std::vector<store::ReportRow> sample() {
  return {html_row("gone", -2), html_row("week", 3), html_row("month", 20), html_row("quarter", 60), html_row("year", 200),
          html_row("undefined", std::nullopt)};
}

std::size_t count(const std::string& text, const std::string& what) {
  std::size_t n = 0;
  for (auto at = text.find(what); at != std::string::npos; at = text.find(what, at + 1)) ++n;
  return n;
}

std::string summary_count(const std::string& html, const std::string& id) {
  std::smatch m;
  std::regex re("id=\"" + id + "\">([0-9]+)<");
  return std::regex_search(html, m, re) ? m[1].str() : "missing";
}

TEST(Html, SummaryCountsAreCumulativeWindows) {
  auto html = render_report(sample(), Format::html, {kNow, std::nullopt, false});
  EXPECT_EQ(summary_count(html, "count-expired"), "1");
  EXPECT_EQ(summary_count(html, "count-within-7"), "1");
  EXPECT_EQ(summary_count(html, "count-within-30"), "2");
  EXPECT_EQ(summary_count(html, "count-within-90"), "3");
  EXPECT_EQ(summary_count(html, "count-no-certificate"), "1");
  EXPECT_EQ(summary_count(html, "count-total"), "6");
}

TEST(Html, IsSelfContained) {
  auto html = render_report(sample(), Format::html, {kNow, std::nullopt, false});
  EXPECT_EQ(html.rfind("<!DOCTYPE html>", 0), 0u);
  for (const char* external : {"<script", "<link", "src=", "url(", "@import", "http:", "https:", "<img", "<iframe"}) {
    EXPECT_EQ(html.find(external), std::string::npos) << external;
  }
  EXPECT_NE(html.find("<style>"), std::string::npos);
}

TEST(Html, TimelineHasABarPerCertificateAndToday) {
  auto html = render_report(sample(), Format::html, {kNow, std::nullopt, false});
  EXPECT_EQ(count(html, "<svg"), 1u);
  EXPECT_EQ(count(html, "<rect"), 5u) << "no bar without a certificate";
  EXPECT_NE(html.find("today 2027-01-15"), std::string::npos);
  EXPECT_NE(html.find("class=\"today\""), std::string::npos);
  // Bars are coloured by urgency, a group per colour: red for the expired one.
  auto red = html.find("<g fill=\"#c62828\">\n");
  ASSERT_NE(red, std::string::npos) << html;
  auto gone = html.find("<title>gone: ", red);
  EXPECT_LT(gone, html.find("</g>", red)) << html;
  EXPECT_EQ(count(html, "<g fill="), 3u) << "expired, expiring, valid";
}

TEST(Html, EveryStringFromTheDatabaseIsEscaped) {
  auto evil = html_row("m\"a'i<l>", 10);
  evil.issuer_cn = "<img src=x onerror=alert(1)> & \"Co\"";
  evil.last_error = "</td><script>alert('x')</script>";
  evil.names = {"<b>bold</b>.example.test"};
  Histories history;
  store::EventRecord e;
  e.kind = "issue-failed<i>";
  e.actor = "cli:<root>";
  e.detail_json = R"({"error":"<script>boom</script>"})";
  history[evil.name].events.push_back(e);
  history[evil.name].events_total = 1;
  auto html = render_report({evil}, Format::html, {kNow, std::nullopt, false, &history});
  for (const char* raw : {"<img", "<script", "<b>", "<i>", "<root>"}) {
    EXPECT_EQ(html.find(raw), std::string::npos) << raw;
  }
  // Element content needs & < > replaced; attribute values also the quotes.
  EXPECT_NE(html.find("<td>&lt;img src=x onerror=alert(1)&gt; &amp; \"Co\"</td>"), std::string::npos);
  EXPECT_NE(html.find("<td>&lt;/td&gt;&lt;script&gt;alert('x')&lt;/script&gt;</td>"), std::string::npos);
  EXPECT_NE(html.find("<code>{\"error\":\"&lt;script&gt;boom&lt;/script&gt;\"}</code>"), std::string::npos);
  EXPECT_NE(html.find("href=\"#h-m&quot;a&#39;i&lt;l&gt;\">m\"a'i&lt;l&gt;</a>"), std::string::npos) << html;
  EXPECT_NE(html.find("<details id=\"h-m&quot;a&#39;i&lt;l&gt;\">"), std::string::npos);
  EXPECT_EQ(html.find("=\"#h-m\"a"), std::string::npos) << "no raw quote inside an attribute";
}

TEST(Html, HistoryShowsVersionsAndRecentEvents) {
  Histories history;
  auto& h = history["week"];
  store::VersionRecord v;
  v.version = 7;
  v.not_before = kNow - 90 * kDay;
  v.not_after = kNow + 3 * kDay;
  v.fingerprint_sha256 = std::string(64, 'a');
  v.origin = "acme";
  v.revoked_at = kNow - kDay;
  v.revoke_reason = "superseded";
  h.versions = {v};
  h.versions_total = 7;
  store::EventRecord e;
  e.at = kNow - 100;
  e.kind = "installed";
  e.actor = "scheduler";
  e.detail_json = "{\"probes\":[" + std::string(500, ' ') + "]}";
  h.events = {e};
  h.events_total = 12;
  auto html = render_report(sample(), Format::html, {kNow, std::nullopt, false, &history});
  EXPECT_EQ(count(html, "<details"), 6u) << "one per certificate";
  EXPECT_NE(html.find("<details id=\"h-week\"><summary>week: 1 of 7 versions, 1 of 12 events"), std::string::npos)
      << html;
  EXPECT_NE(html.find("superseded"), std::string::npos);
  EXPECT_NE(html.find("<td>installed</td>"), std::string::npos);
  EXPECT_NE(html.find("\u2026</code>"), std::string::npos) << "long details are shortened";
  EXPECT_NE(html.find("href=\"#h-week\""), std::string::npos) << "the table links to the history";

  auto without = render_report(sample(), Format::html, {kNow, std::nullopt, false});
  EXPECT_EQ(without.find("<details"), std::string::npos);
}

TEST(Html, RevokedIsItsOwnStatusColourAndCount) {
  auto revoked = html_row("pulled", 60);
  revoked.revoked_at = kNow - kDay;
  revoked.revoke_reason = "keyCompromise";
  auto soon_and_revoked = html_row("soon", 3);
  soon_and_revoked.revoked_at = kNow - kDay;
  auto gone_and_revoked = html_row("gone", -3);
  gone_and_revoked.revoked_at = kNow - 10 * kDay;
  auto html = render_report({gone_and_revoked, soon_and_revoked, revoked}, Format::html, {kNow, std::nullopt, false});
  EXPECT_EQ(count(html, "<tr class=\"revoked\">"), 2u) << html;
  EXPECT_EQ(count(html, "<td class=\"status\">revoked</td>"), 2u);
  EXPECT_NE(html.find("<tr class=\"expired\">"), std::string::npos) << "expired stays expired";
  EXPECT_EQ(summary_count(html, "count-revoked"), "2");
  EXPECT_EQ(summary_count(html, "count-expired"), "1");
  EXPECT_EQ(summary_count(html, "count-within-7"), "0") << "a revoked certificate is not counted as expiring";
  EXPECT_EQ(summary_count(html, "count-within-90"), "0");
  auto group = html.find("<g fill=\"#880e4f\">");
  ASSERT_NE(group, std::string::npos);
  EXPECT_LT(html.find("<title>pulled: ", group), html.find("</g>", group));
  EXPECT_NE(html.find("(revoked)</title>"), std::string::npos);
}

TEST(Html, UnreachableRemoteIsNotExpired) {
  auto remote = html_row("edge", -5);
  remote.source = "remote";
  remote.failures = 2;
  remote.last_error = "connection refused";
  auto html = render_report({remote}, Format::html, {kNow, std::nullopt, false});
  EXPECT_NE(html.find("<tr class=\"unreachable\">"), std::string::npos) << html;
  EXPECT_EQ(summary_count(html, "count-expired"), "0");
  EXPECT_EQ(summary_count(html, "count-unreachable"), "1");
}

// Fleet views (issue 12): the fleet as a table, node x certificate, each
// cell the version, the probe and a colour for drift or down; escaped.
TEST(Html, FleetIsATableOfNodesByCertificate) {
  auto mail = html_row("mail", 60);
  mail.fleet = true;
  mail.version = 8;
  mail.version_stored_at = kNow - 5000;
  // node, installed version, probe, installed at, last seen
  store::ReportNode mx1{"mx1", 8, true, kNow - 4000, kNow - 10};
  store::ReportNode mx2 = mx1;
  mx2.node = "mx2";
  mx2.installed_version = 7;  // lagging for 4000 s: drift
  store::ReportNode evil = mx1;
  evil.node = "<script>alert(1)</script>\x1b";
  evil.probe_ok = false;
  evil.last_seen = kNow - 5000;  // down
  mail.nodes = {evil, mx1, mx2};
  auto web = html_row("web", 200);
  web.fleet = true;
  web.nodes = {mx1};
  web.nodes[0].installed_version = 1;
  web.version = 1;
  auto html = render_report({mail, web, html_row("lonely", 100)}, Format::html, {kNow, std::nullopt, false});
  const auto at = html.find("<section id=\"fleet\">");
  ASSERT_NE(at, std::string::npos) << html;
  const auto fleet = html.substr(at, html.find("</section>", at) - at);
  EXPECT_EQ(html.find("<script"), std::string::npos);
  EXPECT_EQ(html.find('\x1b'), std::string::npos);
  EXPECT_NE(fleet.find("<th>&lt;script&gt;alert(1)&lt;/script&gt;\\x1B<br>"), std::string::npos) << fleet;
  EXPECT_EQ(count(fleet, "<tr class="), 2u) << "one row per certificate with nodes";
  EXPECT_NE(fleet.find(">v8 fail (down)</td>"), std::string::npos) << fleet;
  EXPECT_NE(fleet.find("class=\"fleet-down\""), std::string::npos);
  EXPECT_NE(fleet.find("class=\"fleet-drift\""), std::string::npos) << fleet;
  EXPECT_NE(fleet.find(">v7 ok</td>"), std::string::npos);
  EXPECT_NE(fleet.find(">v8 ok</td>"), std::string::npos);
  EXPECT_EQ(count(fleet, "<td class=\"fleet-none\">-</td>"), 2u) << "web has no target on two nodes";
  EXPECT_EQ(summary_count(html, "count-node-down"), "1");
  // Without nodes there is no fleet section.
  auto plain = render_report({html_row("lonely", 100)}, Format::html, {kNow, std::nullopt, false});
  EXPECT_EQ(plain.find("id=\"fleet\""), std::string::npos);
}

}  // namespace
}  // namespace certkeeper::report
