#include "certkeeper/report/report.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <algorithm>

#include "certkeeper/report/views.h"
#include "support/fixed_time.h"

namespace certkeeper::report {
namespace {

using testing::kNow;
using testing::kDay;


store::ReportRow report_row(const std::string& name, std::optional<std::int64_t> days, std::int64_t lifetime_days = 90) {
  store::ReportRow r;
  r.name = name;
  r.source = "manual";
  r.status = "active";
  if (days) {
    r.version = 1;
    r.not_after = kNow + *days * kDay;
    r.not_before = *r.not_after - lifetime_days * kDay;
    r.names = {name + ".example.test", "www." + name + ".example.test"};
    r.issuer_cn = "Test CA";
    r.serial = "0A";
    r.fingerprint_sha256 = std::string(64, 'f');
    r.key_type = "ec-p256";
  }
  return r;
}

TEST(Report, StatusFollowsTheSharedExpiryRule) {
  EXPECT_EQ(expiry_status(report_row("a", -1), kNow), "expired");
  EXPECT_EQ(expiry_status(report_row("a", 0), kNow), "expired");
  EXPECT_EQ(expiry_status(report_row("a", 10), kNow), "expiring");
  EXPECT_EQ(expiry_status(report_row("a", 45), kNow), "valid");
  EXPECT_EQ(expiry_status(report_row("a", 3, 6), kNow), "valid") << "6-day certificates warn 2 days ahead";
  EXPECT_EQ(expiry_status(report_row("a", std::nullopt), kNow), "no-certificate");
}

TEST(Report, RevokedOutranksExpiringButNotExpired) {
  auto r = report_row("a", 45);
  r.revoked_at = kNow - kDay;
  EXPECT_EQ(expiry_status(r, kNow), "revoked");
  auto soon = report_row("b", 10);
  soon.revoked_at = kNow - kDay;
  EXPECT_EQ(expiry_status(soon, kNow), "revoked") << "revoked even if also expiring";
  auto gone = report_row("c", -1);
  gone.revoked_at = kNow - 2 * kDay;
  EXPECT_EQ(expiry_status(gone, kNow), "expired");

  auto table = render_report({gone, soon, r}, Format::table, {kNow, std::nullopt, true});
  EXPECT_NE(table.find("\x1b[1;31m"), std::string::npos) << "revoked rows are bold red";
  EXPECT_NE(table.find("3 certificates: 1 expired, 0 expiring soon, 2 revoked\n"), std::string::npos) << table;
  auto doc = nlohmann::json::parse(render_report({gone, soon, r}, Format::json, {kNow, std::nullopt, false}));
  EXPECT_EQ(doc["certificates"][0]["status"], "expired");
  EXPECT_EQ(doc["certificates"][1]["status"], "revoked");
  EXPECT_EQ(doc["certificates"][1]["revoked"], true);
  auto csv = render_report({soon}, Format::csv, {kNow, std::nullopt, false});
  EXPECT_NE(csv.find(",manual,revoked,"), std::string::npos) << csv;
  auto list = render_list({soon}, kNow, false);
  EXPECT_NE(list.find(" revoked "), std::string::npos) << list;
}

// The JSON report is written row by row, laid out exactly as nlohmann's
// dump(2) lays out the same document (sorted keys, two-space indent, the
// same escapes), so re-printing the parsed document gives the same bytes.
TEST(Report, JsonIsLaidOutAsDumpWithEveryEscape) {
  auto odd = report_row("odd", 10);
  odd.names = {"caf\u00e9.example.test", "\xe2\x9c\x93.test", "\xf0\x9f\x98\x80", ""};
  odd.last_error = "quote \" back \\ slash / tab \t nl \n cr \r bs \b ff \f ctl \x01 \x1f del \x7f";
  odd.issuer_cn = "";
  odd.issuer = "CN=Test CA, O=\"Quoted\"";
  odd.revoked_at = kNow - 5;
  odd.revoke_reason = "keyCompromise";
  odd.probe_ok = false;
  odd.installed_version = 1;
  odd.targets = 2;
  odd.ari_start = kNow;
  odd.ari_end = kNow + kDay;
  auto none = report_row("none", std::nullopt);
  none.names = {};
  for (std::optional<int> within : {std::optional<int>(), std::optional<int>(30)}) {
    auto text = render_report({report_row("mail", 10), odd, none}, Format::json, {kNow, within, false});
    auto doc = nlohmann::json::parse(text);
    EXPECT_EQ(doc.dump(2) + "\n", text);
    EXPECT_EQ(doc["certificates"][1]["last_error"].get<std::string>(), odd.last_error);
    EXPECT_EQ(doc["certificates"][1]["names"][2].get<std::string>(), odd.names[2]);
  }
  auto empty = render_report({}, Format::json, {kNow, std::nullopt, false});
  EXPECT_EQ(nlohmann::json::parse(empty).dump(2) + "\n", empty);
  auto list = render_list({odd, none}, kNow, true);
  EXPECT_EQ(nlohmann::json::parse(list).dump(2) + "\n", list);
}

TEST(Report, JsonReplacesInvalidUtf8) {
  auto r = report_row("bad", 10);
  r.last_error = "a\xff\xc3(b\xed\xa0\x80" "c";  // a stray byte, a cut sequence, a surrogate
  auto doc = nlohmann::json::parse(render_report({r}, Format::json, {kNow, std::nullopt, false}));
  EXPECT_EQ(doc["certificates"][0]["last_error"], "a\ufffd\ufffd(b\ufffd\ufffd\ufffdc");
}

TEST(Report, JsonHasTheStableFields) {
  auto text = render_report({report_row("mail", 10), report_row("new", std::nullopt)}, Format::json, {kNow, 30, false});
  auto doc = nlohmann::json::parse(text);
  EXPECT_EQ(doc["generated_at"], "2027-01-15T08:00:00Z");
  EXPECT_EQ(doc["within_days"], 30);
  ASSERT_EQ(doc["certificates"].size(), 2u);
  const auto& c = doc["certificates"][0];
  for (const char* field : {"name", "names", "issuer", "not_before", "not_after", "days_left", "source",
                            "status", "version", "serial", "fingerprint_sha256", "key_type",
                            "failures", "last_error", "last_attempt", "last_success", "targets",
                            "installed_version", "probe_ok", "revoked", "revoked_at", "revoke_reason", "ari_start",
                            "ari_end", "next_check", "pinned_version", "newest_version", "nodes"}) {
    EXPECT_TRUE(c.contains(field)) << field;
  }
  EXPECT_EQ(c.size(), 28u);
  EXPECT_EQ(c["days_left"], 10);
  EXPECT_EQ(c["status"], "expiring");
  EXPECT_EQ(c["not_after"], "2027-01-25T08:00:00Z");
  EXPECT_EQ(c["issuer"], "Test CA");
  EXPECT_TRUE(doc["certificates"][1]["not_after"].is_null());
  EXPECT_TRUE(doc["certificates"][1]["days_left"].is_null());
  // Unknown facts are null, never an invented 0 or false.
  for (const char* field : {"last_attempt", "last_success", "installed_version", "probe_ok", "revoked_at",
                            "ari_start", "ari_end", "next_check"}) {
    EXPECT_TRUE(c[field].is_null()) << field;
  }
  EXPECT_EQ(c["revoked"], false);
  EXPECT_TRUE(doc["certificates"][1]["revoked"].is_null()) << "no version, nothing to revoke";
  EXPECT_EQ(c["targets"], 0);
}

TEST(Report, JsonCarriesRenewalInstallProbeRevocationAndAri) {
  auto r = report_row("mail", 10);
  r.last_attempt = kNow - 60;
  r.last_success = kNow - 120;
  r.targets = 3;
  r.installed_version = 1;
  r.probe_ok = true;
  r.revoked_at = kNow - 30;
  r.revoke_reason = "keyCompromise";
  r.ari_start = kNow + kDay;
  r.ari_end = kNow + 2 * kDay;
  r.next_check = kNow + 3 * kDay;
  auto c = nlohmann::json::parse(render_report({r}, Format::json, {kNow, std::nullopt, false}))["certificates"][0];
  EXPECT_EQ(c["last_attempt"], "2027-01-15T07:59:00Z");
  EXPECT_EQ(c["last_success"], "2027-01-15T07:58:00Z");
  EXPECT_EQ(c["targets"], 3);
  EXPECT_EQ(c["installed_version"], 1);
  EXPECT_EQ(c["probe_ok"], true);
  EXPECT_EQ(c["revoked"], true);
  EXPECT_EQ(c["revoked_at"], "2027-01-15T07:59:30Z");
  EXPECT_EQ(c["revoke_reason"], "keyCompromise");
  EXPECT_EQ(c["ari_start"], "2027-01-16T08:00:00Z");
  EXPECT_EQ(c["ari_end"], "2027-01-17T08:00:00Z");
  EXPECT_EQ(c["next_check"], "2027-01-18T08:00:00Z");
  auto csv = render_report({r}, Format::csv, {kNow, std::nullopt, false});
  EXPECT_NE(csv.find(",2027-01-15T07:59:00Z,2027-01-15T07:58:00Z,3,1,true,true,2027-01-15T07:59:30Z,keyCompromise,"
                     "2027-01-16T08:00:00Z,2027-01-17T08:00:00Z,2027-01-18T08:00:00Z,,,\r\n"),
            std::string::npos)
      << csv;
}

// Issue 12: a row whose desired version is pinned says so in every format.
TEST(Report, APinnedRowShowsItsPinInEveryFormat) {
  auto r = report_row("mail", 10);
  r.version = 1;
  r.pinned_version = 1;
  r.newest_version = 2;
  auto doc = nlohmann::json::parse(render_report({r}, Format::json, {kNow, std::nullopt, false}));
  EXPECT_EQ(doc["certificates"][0]["version"], 1);
  EXPECT_EQ(doc["certificates"][0]["pinned_version"], 1);
  EXPECT_EQ(doc["certificates"][0]["newest_version"], 2);
  EXPECT_EQ(doc["certificates"][0]["status"], "expiring") << "judged on the row's (the desired) dates";
  EXPECT_NE(render_report({r}, Format::csv, {kNow, std::nullopt, false}).find(",1,2,\r\n"), std::string::npos);
  EXPECT_NE(render_report({r}, Format::table, {kNow, std::nullopt, false}).find("1 (pinned; newest 2)"),
            std::string::npos);
  EXPECT_NE(render_report({r}, Format::html, {kNow, std::nullopt, false}).find("1 (pinned; newest 2)"),
            std::string::npos);
  const auto prom = render_report({r}, Format::prometheus, {kNow, std::nullopt, false});
  EXPECT_NE(prom.find("certkeeper_certificate_pinned{name=\"mail\""), std::string::npos) << prom;
  EXPECT_NE(prom.find("certkeeper_certificate_desired_version{name=\"mail\""), std::string::npos) << prom;
  auto unpinned = report_row("web", 10);
  unpinned.newest_version = unpinned.version;
  EXPECT_EQ(render_report({unpinned}, Format::table, {kNow, std::nullopt, false}).find("pinned"), std::string::npos);
}

TEST(Report, AnUnreachableRemoteIsNotExpired) {
  auto remote = report_row("edge", -3);
  remote.source = "remote";
  EXPECT_EQ(expiry_status(remote, kNow), "expired") << "reachable: its dates count";
  remote.failures = 1;
  EXPECT_EQ(expiry_status(remote, kNow), "unreachable");
  remote.not_after.reset();
  EXPECT_EQ(expiry_status(remote, kNow), "unreachable");
  auto managed = report_row("mail", -3);
  managed.failures = 4;
  EXPECT_EQ(expiry_status(managed, kNow), "expired") << "renewal failures do not hide an expiry";
  auto table = render_report({remote}, Format::table, {kNow, std::nullopt, true});
  EXPECT_NE(table.find("\x1b[35m"), std::string::npos) << table;
  EXPECT_NE(table.find("0 expired, 0 expiring soon, 1 unreachable"), std::string::npos) << table;
}

TEST(Report, CsvHasAHeaderAndQuotesPerRfc4180) {
  auto r = report_row("mail", 100);
  r.last_error = "CA said \"no\", twice";
  auto text = render_report({r}, Format::csv, {kNow, std::nullopt, false});
  auto header_end = text.find("\r\n");
  EXPECT_EQ(text.substr(0, header_end),
            "name,names,issuer,not_before,not_after,days_left,source,status,version,serial,"
            "fingerprint_sha256,key_type,failures,last_error,last_attempt,last_success,targets,installed_version,"
            "probe_ok,revoked,revoked_at,revoke_reason,ari_start,ari_end,next_check,pinned_version,newest_version,nodes");
  EXPECT_NE(text.find(",\"CA said \"\"no\"\", twice\",,,0,,,false,,,,,,,,\r\n"), std::string::npos) << text;
  EXPECT_NE(text.find("mail,mail.example.test www.mail.example.test,Test CA,"), std::string::npos) << text;
}

// OWASP "CSV Injection": a cell a spreadsheet would read as a formula
// (= + - @, or a tab or CR first) gets a leading apostrophe; numbers stay
// numbers, negative ones included.
TEST(Report, CsvNeutralisesFormulasAndKeepsNumbers) {
  auto r = report_row("mail", -3);
  r.issuer_cn = "=HYPERLINK(\"http://evil.test/\",\"open\")";
  r.names = {"+cmd|' /C calc'!A0", "ok.example.test"};
  r.last_error = "@SUM(1+1)*cmd|' /C calc'!A0";
  r.revoke_reason = "-2+3+cmd|' /C calc'!A0";
  r.serial = "\t=1+1";
  r.key_type = "\r=1+1";
  auto text = render_report({r}, Format::csv, {kNow, std::nullopt, false});
  const std::string line = text.substr(text.find("\r\n") + 2);
  EXPECT_NE(line.find(",\"'=HYPERLINK(\"\"http://evil.test/\"\",\"\"open\"\")\","), std::string::npos) << line;
  EXPECT_NE(line.find("mail,'+cmd|' /C calc'!A0 ok.example.test,"), std::string::npos) << line;
  EXPECT_NE(line.find(",'@SUM(1+1)*cmd|' /C calc'!A0,"), std::string::npos) << line;
  EXPECT_NE(line.find(",'-2+3+cmd|' /C calc'!A0,"), std::string::npos) << line;
  EXPECT_NE(line.find(",'\\x09=1+1,"), std::string::npos) << "a tab first, escaped and neutralised: " << line;
  EXPECT_NE(line.find(",'\\x0D=1+1,"), std::string::npos) << line;
  EXPECT_NE(line.find(",-3,manual,expired,"), std::string::npos) << "days_left stays a number: " << line;

  auto numbers = report_row("n", 10);
  numbers.serial = "-12";  // a text field that holds a plain number is no formula
  numbers.last_error = "+7";
  auto plain = render_report({numbers}, Format::csv, {kNow, std::nullopt, false});
  EXPECT_NE(plain.find(",10,manual,expiring,1,-12,"), std::string::npos) << plain;
  EXPECT_NE(plain.find(",0,+7,"), std::string::npos) << plain;
}

TEST(Report, TableIsAlignedAndColouredOnlyWhenAsked) {
  std::vector<store::ReportRow> rows = {report_row("a", -2), report_row("longer-name", 200)};
  auto plain = render_report(rows, Format::table, {kNow, std::nullopt, false});
  EXPECT_EQ(plain.find("\x1b["), std::string::npos);
  auto first = plain.substr(0, plain.find('\n'));
  auto second_start = plain.find('\n') + 1;
  auto second = plain.substr(second_start, plain.find('\n', second_start) - second_start);
  EXPECT_EQ(first.find("DAYS"), second.find("-2")) << plain;
  EXPECT_NE(plain.find("2 certificates: 1 expired, 0 expiring soon"), std::string::npos) << plain;
  EXPECT_EQ(plain.find("LAST ERROR"), std::string::npos) << "empty columns are dropped";
  auto coloured = render_report(rows, Format::table, {kNow, std::nullopt, true});
  EXPECT_NE(coloured.find("\x1b[31m"), std::string::npos);
}

TEST(Views, ListJsonUsesTheReportFields) {
  auto doc = nlohmann::json::parse(render_list({report_row("mail", 10)}, kNow, true));
  EXPECT_EQ(doc["certificates"][0]["name"], "mail");
  EXPECT_EQ(doc["certificates"][0]["days_left"], 10);
}

TEST(Views, ShowAndHistory) {
  store::CertificateRecord c;
  c.name = "mail";
  c.current_version = 2;
  store::VersionRecord v1, v2;
  v1.version = 1;
  v2.version = 2;
  v2.not_before = kNow - kDay;
  v2.not_after = kNow + 80 * kDay;
  v2.names = {"mail.example.test"};
  v2.findings_json = R"([{"severity":"warning","code":"root-missing","subject":"ca.pem","message":"append the root"}])";
  v1.findings_json = "[]";
  auto text = render_show(c, {v1, v2}, kNow, false);
  EXPECT_NE(text.find("version:      2 of 2"), std::string::npos) << text;
  EXPECT_NE(text.find("warning root-missing: append the root"), std::string::npos) << text;
  auto doc = nlohmann::json::parse(render_show(c, {v1, v2}, kNow, true));
  EXPECT_EQ(doc["current"]["version"], 2);
  EXPECT_EQ(doc["current"]["findings"][0]["code"], "root-missing");
  EXPECT_FALSE(doc["current"].contains("key_pem"));

  store::EventRecord e;
  e.kind = "imported";
  e.actor = "cli:root";
  e.detail_json = R"({"version":2})";
  auto hist = nlohmann::json::parse(render_history("mail", {v1, v2}, {e}, true));
  EXPECT_EQ(hist["versions"].size(), 2u);
  EXPECT_EQ(hist["events"][0]["detail"]["version"], 2);
}

TEST(Views, ShowTellsHowAnAcmeCertificateRenews) {
  store::CertificateRecord c;
  c.name = "web";
  c.source = "acme";
  c.domains = {"www.example.test"};
  c.key_type = "rsa-3072";
  c.challenge = "http-01";
  c.challenge_config = R"({"webroot":"/var/www/html"})";
  c.acme_server = "https://ca.example.test/dir";
  c.renew_before_days = 20;
  auto doc = nlohmann::json::parse(render_show(c, {}, kNow, true));
  EXPECT_EQ(doc["certificate"]["key_type"], "rsa-3072");
  EXPECT_EQ(doc["certificate"]["challenge"], "http-01");
  EXPECT_EQ(doc["certificate"]["challenge_config"]["webroot"], "/var/www/html");
  EXPECT_EQ(doc["certificate"]["acme_server"], "https://ca.example.test/dir");
  EXPECT_EQ(doc["certificate"]["renew_before_days"], 20);
  auto text = render_show(c, {}, kNow, false);
  EXPECT_NE(text.find("renews with:  http-01 {\"webroot\":\"/var/www/html\"}, rsa-3072, https://ca.example.test/dir"),
            std::string::npos)
      << text;
}

// Fleet views (issue 12): a certificate of 45 days served by two nodes.
store::ReportNode fleet_node(const std::string& name, std::optional<int> installed, std::optional<bool> probe,
                             std::optional<UnixTime> last_seen, UnixTime installed_at = kNow - 3600) {
  store::ReportNode n;
  n.node = name;
  n.installed_version = installed;
  n.probe_ok = probe;
  n.installed_at = installed ? std::optional<UnixTime>(installed_at) : std::nullopt;
  n.last_seen = last_seen;
  return n;
}

store::ReportRow fleet_row(bool fleet = true) {
  auto r = report_row("mail", 45);
  r.version = 7;
  r.newest_version = 7;
  r.version_stored_at = kNow - 7200;
  r.fleet = fleet;
  r.targets = 2;
  r.nodes = {fleet_node("mx1", 7, true, kNow - 12), fleet_node("mx2", 7, true, kNow - 30)};
  return r;
}

TEST(ReportFleet, NodeDownWhenANodeIsNotSeenOrHasNoHeartbeat) {
  auto r = fleet_row();
  EXPECT_EQ(expiry_status(r, kNow), "valid");
  EXPECT_EQ(node_status(r, r.nodes[0], kNow), "up");
  r.nodes[1].last_seen = kNow - 601;  // node_down_after 600 by default
  EXPECT_EQ(node_status(r, r.nodes[1], kNow), "down");
  EXPECT_EQ(expiry_status(r, kNow), "node-down");
  r.nodes[1].last_seen = kNow - 600;
  EXPECT_EQ(expiry_status(r, kNow), "valid") << "600 s is still up";
  r.node_down_after = 300;
  EXPECT_EQ(expiry_status(r, kNow), "node-down") << "the setting decides";
  r.nodes[1].last_seen.reset();  // removed, or never beat
  EXPECT_EQ(node_status(r, r.nodes[1], kNow), "unknown");
  EXPECT_EQ(expiry_status(r, kNow), "node-down");
  // The certificate's own statuses come first.
  auto soon = fleet_row();
  soon.not_after = kNow + 5 * kDay;
  soon.nodes[1].last_seen = kNow - 10000;
  EXPECT_EQ(expiry_status(soon, kNow), "expiring");
  soon.revoked_at = kNow - 1;
  EXPECT_EQ(expiry_status(soon, kNow), "revoked");
}

TEST(ReportFleet, DriftWhenANodeLagsLongerThanTheBound) {
  auto r = fleet_row();
  r.version = 8;
  r.newest_version = 8;
  r.version_stored_at = kNow - 1000;
  r.nodes[0] = fleet_node("mx1", 8, true, kNow - 12, kNow - 800);  // converged 800 s ago
  // mx2 still serves 7: 800 s since the fleet last moved, under 900.
  EXPECT_FALSE(drifting(r, kNow));
  EXPECT_EQ(expiry_status(r, kNow), "valid");
  EXPECT_TRUE(drifting(r, kNow + 101));
  EXPECT_EQ(expiry_status(r, kNow + 101), "drift");
  r.drift_after = 3600;
  EXPECT_EQ(expiry_status(r, kNow + 101), "valid") << "the setting decides";
  r.drift_after = 900;
  // Every node on the same older version: not the desired one, drift too.
  r.nodes[0] = fleet_node("mx1", 7, true, kNow - 12);
  EXPECT_EQ(expiry_status(r, kNow), "drift");
  // A node with nothing installed lags as well.
  r.nodes[0] = fleet_node("mx1", std::nullopt, false, kNow - 12);
  EXPECT_EQ(expiry_status(r, kNow), "drift");
  // Node-down outranks drift.
  r.nodes[1].last_seen = kNow - 5000;
  EXPECT_EQ(expiry_status(r, kNow), "node-down");
  // One node: never drift.
  auto one = fleet_row();
  one.version = 8;
  one.nodes.pop_back();
  EXPECT_FALSE(drifting(one, kNow));
  EXPECT_EQ(expiry_status(one, kNow), "valid");
}

TEST(ReportFleet, SqliteIsOneNodeWithoutFleetStatuses) {
  auto r = fleet_row(false);
  r.nodes.pop_back();
  r.nodes[0].last_seen = kNow - 86400;  // cron ran a pass yesterday
  r.nodes[0].installed_version = 6;
  EXPECT_EQ(expiry_status(r, kNow), "valid");
  EXPECT_FALSE(drifting(r, kNow));
  // The node is shown all the same.
  auto doc = nlohmann::json::parse(render_report({r}, Format::json, {kNow, std::nullopt, false}));
  ASSERT_EQ(doc["certificates"][0]["nodes"].size(), 1u);
  EXPECT_EQ(doc["certificates"][0]["nodes"][0]["status"], "down");
}

TEST(ReportFleet, JsonRowsHaveNodesWithEveryFact) {
  auto r = fleet_row();
  r.nodes[1] = fleet_node("mx2", 6, false, std::nullopt);
  auto bare = report_row("new", std::nullopt);
  for (const auto& text : {render_report({r, bare}, Format::json, {kNow, std::nullopt, false}),
                           render_list({r, bare}, kNow, true)}) {
    auto doc = nlohmann::json::parse(text);
    const auto& nodes = doc["certificates"][0]["nodes"];
    ASSERT_EQ(nodes.size(), 2u) << text;
    EXPECT_EQ(nodes[0], (nlohmann::json{{"node", "mx1"},
                                        {"installed_version", 7},
                                        {"probe_ok", true},
                                        {"installed_at", format_utc(kNow - 3600)},
                                        {"last_seen", format_utc(kNow - 12)},
                                        {"status", "up"}}));
    EXPECT_EQ(nodes[1]["installed_version"], 6);
    EXPECT_EQ(nodes[1]["probe_ok"], false);
    EXPECT_TRUE(nodes[1]["last_seen"].is_null());
    EXPECT_EQ(nodes[1]["status"], "unknown");
    EXPECT_EQ(doc["certificates"][0]["status"], "node-down");
    EXPECT_EQ(doc["certificates"][1]["nodes"], nlohmann::json::array());
  }
}

TEST(ReportFleet, TablesShowEachNodeCompactly) {
  auto r = fleet_row();
  r.nodes[1] = fleet_node("mx2", 6, false, kNow - 7200);
  auto table = render_report({r}, Format::table, {kNow, std::nullopt, false});
  EXPECT_NE(table.find("NODES"), std::string::npos) << table;
  EXPECT_NE(table.find("mx1 v7 ok (seen 12 s ago), mx2 v6 FAIL (down, seen 2 h ago)"), std::string::npos) << table;
  EXPECT_NE(table.find("1 certificate: 0 expired, 0 expiring soon, 1 with a node down\n"), std::string::npos) << table;
  auto list = render_list({r}, kNow, false);
  EXPECT_NE(list.find("mx1 v7 ok (seen 12 s ago), mx2 v6 FAIL (down, seen 2 h ago)"), std::string::npos) << list;
  // Without nodes, no NODES column: the tables are as before.
  auto plain = render_list({report_row("a", 45)}, kNow, false);
  EXPECT_EQ(plain.find("NODES"), std::string::npos) << plain;
  // A hostile node name cannot reach the terminal.
  r.nodes[0].node = "mx\x1b[31m1\nforged";
  table = render_report({r}, Format::table, {kNow, std::nullopt, false});
  EXPECT_EQ(table.find('\x1b'), std::string::npos) << table;
  EXPECT_EQ(table.find("\nforged"), std::string::npos) << table;
}

TEST(ReportFleet, CsvHasOneNodesColumnEscaped) {
  auto r = fleet_row();
  r.nodes[1] = fleet_node("mx2", std::nullopt, std::nullopt, std::nullopt);
  auto csv = render_report({r}, Format::csv, {kNow, std::nullopt, false});
  const auto header = csv.substr(0, csv.find("\r\n"));
  EXPECT_EQ(header.substr(header.rfind(',') + 1), "nodes") << "the last column";
  EXPECT_NE(csv.find(",mx1=7:ok:up;mx2=-:-:unknown\r\n"), std::string::npos) << csv;
  // Hostile names: the separators, control bytes and quotes are %XX; a
  // formula start gets the apostrophe as every text cell.
  const std::pair<const char*, const char*> cases[] = {
      {"=cmd|' /C calc'!A0", ",%3Dcmd|'%20/C%20calc'!A0=7:ok:up;"},
      {"+1", ",'+1=7:ok:up;"},
      {"@SUM(A1)", ",'@SUM(A1)=7:ok:up;"},
      {"-x", ",'-x=7:ok:up;"},
      {"a=b;c:d,e\"f", ",a%3Db%3Bc%3Ad%2Ce%22f=7:ok:up;"},
      {"mx\x1b[31m\r\n1", ",mx%1B[31m%0D%0A1=7:ok:up;"},
      {"m%41", ",m%2541=7:ok:up;"},
  };
  for (const auto& [name, cell] : cases) {
    r.nodes[0].node = name;
    csv = render_report({r}, Format::csv, {kNow, std::nullopt, false});
    EXPECT_NE(csv.find(cell), std::string::npos) << name << "\n" << csv;
    EXPECT_EQ(csv.find('\x1b'), std::string::npos);
    EXPECT_EQ(std::count(csv.begin(), csv.end(), '\n'), 2) << "no forged line";
  }
}

}  // namespace
}  // namespace certkeeper::report

namespace certkeeper::report {
namespace {

// Issue 14 point 12: "expiring within 1 days" in the mailed summary.
TEST(Report, OneDayIsSingular) {
  auto table = render_report({report_row("a", 1)}, Format::table, {kNow, 1, false});
  EXPECT_NE(table.find("1 certificate expiring within 1 day:"), std::string::npos) << table;
  EXPECT_NE(render_report({report_row("a", 1)}, Format::table, {kNow, 2, false}).find("within 2 days:"), std::string::npos);
  auto html = render_report({report_row("a", 1)}, Format::html, {kNow, 1, false});
  EXPECT_NE(html.find("those expiring within 1 day."), std::string::npos);
  store::CertificateRecord c;
  c.name = "a";
  store::VersionRecord v;
  v.version = 1;
  v.not_before = kNow - 89 * kDay;
  v.not_after = kNow + kDay + 60;
  c.current_version = 1;
  EXPECT_NE(render_show(c, {v}, kNow, false).find("(1 day left)"), std::string::npos);
}

// Issue 14 point 8: the next check in every format.
TEST(Report, TheNextCheckIsInEveryFormat) {
  auto r = report_row("a", 40);
  r.source = "acme";
  r.next_check = kNow + 120;
  const std::string at = format_utc(kNow + 120);
  for (Format f : {Format::table, Format::json, Format::csv, Format::html}) {
    EXPECT_NE(render_report({r}, f, {kNow, std::nullopt, false}).find(at), std::string::npos) << int(f);
  }
  EXPECT_NE(render_report({r}, Format::prometheus, {kNow, std::nullopt, false})
                .find("certkeeper_certificate_next_check_timestamp_seconds{name=\"a\""),
            std::string::npos);
  auto doc = nlohmann::json::parse(render_report({r}, Format::json, {kNow, std::nullopt, false}));
  EXPECT_EQ(doc["certificates"][0]["next_check"], at);
  EXPECT_NE(render_list({r}, kNow, false).find(at), std::string::npos);
  EXPECT_EQ(nlohmann::json::parse(render_list({r}, kNow, true))["certificates"][0]["next_check"], at);
  // Never scheduled: null, and no column in a table nobody fills.
  r.next_check.reset();
  EXPECT_TRUE(nlohmann::json::parse(render_report({r}, Format::json, {kNow, std::nullopt, false}))["certificates"][0]
                  ["next_check"]
                      .is_null());
  EXPECT_EQ(render_report({r}, Format::table, {kNow, std::nullopt, false}).find("NEXT CHECK"), std::string::npos);
}

// Issue 14 point 5: an attempt without an outcome is not shown as all well.
TEST(Report, AnAttemptWithoutOutcomeIsSaidInTheTable) {
  auto r = report_row("a", 40);
  r.source = "acme";
  r.last_success = kNow - 2 * kDay;
  r.last_attempt = kNow - 60;
  auto table = render_report({r}, Format::table, {kNow, std::nullopt, false});
  EXPECT_NE(table.find("has no outcome yet (still running, or stopped)"), std::string::npos) << table;
  r.last_success = r.last_attempt;
  EXPECT_EQ(render_report({r}, Format::table, {kNow, std::nullopt, false}).find("no outcome"), std::string::npos);
}

}  // namespace
}  // namespace certkeeper::report
