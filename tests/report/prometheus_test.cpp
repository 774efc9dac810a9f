// The Prometheus renderer, read back by a small parser of the text exposition
// format written from its specification, not from the renderer.
#include <gtest/gtest.h>

#include <map>
#include <set>
#include <sstream>

#include "certkeeper/report/report.h"
#include "support/fixed_time.h"

namespace certkeeper::report {
namespace {

using testing::kNow;
using testing::kDay;


struct Sample {
  std::string family;
  std::map<std::string, std::string> labels;
  std::string value;
};

struct Exposition {
  std::map<std::string, std::string> help, type;
  std::vector<Sample> samples;
  std::vector<std::string> errors;

  // The samples of `family` by their label `name` ("" for unlabelled ones).
  std::map<std::string, std::string> values(const std::string& family) const {
    std::map<std::string, std::string> out;
    for (const auto& s : samples) {
      if (s.family != family) continue;
      auto it = s.labels.find("name");
      out[it == s.labels.end() ? "" : it->second] = s.value;
    }
    return out;
  }
};

bool valid_metric_name(const std::string& n) {
  if (n.empty() || std::isdigit(static_cast<unsigned char>(n[0]))) return false;
  for (char c : n) {
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == ':')) return false;
  }
  return true;
}

// Text format 0.0.4: "# HELP name text", "# TYPE name type", and
// name{label="value",...} value. Label values escape \\, \" and \n.
Exposition parse(const std::string& text) {
  Exposition e;
  std::set<std::string> finished;  // families whose samples ended
  std::string current;
  std::istringstream in(text);
  std::string line;
  auto error = [&](const std::string& what) { e.errors.push_back(what + ": " + line); };
  if (text.empty() || text.back() != '\n') e.errors.push_back("no final line feed");
  while (std::getline(in, line)) {
    if (line.rfind("# HELP ", 0) == 0 || line.rfind("# TYPE ", 0) == 0) {
      auto rest = line.substr(7);
      auto sp = rest.find(' ');
      auto name = rest.substr(0, sp);
      auto& table = line[2] == 'H' ? e.help : e.type;
      if (table.count(name)) error("repeated comment");
      table[name] = sp == std::string::npos ? "" : rest.substr(sp + 1);
      if (name != current) {
        if (!current.empty()) finished.insert(current);
        if (finished.count(name)) error("family split");
        current = name;
      }
      continue;
    }
    if (line.empty() || line[0] == '#') {
      error("unexpected line");
      continue;
    }
    Sample s;
    std::size_t i = 0;
    while (i < line.size() && line[i] != '{' && line[i] != ' ') s.family += line[i++];
    if (!valid_metric_name(s.family)) error("bad metric name");
    if (s.family != current) error("sample outside its family");
    if (i < line.size() && line[i] == '{') {
      ++i;
      while (i < line.size() && line[i] != '}') {
        std::string label;
        while (i < line.size() && line[i] != '=') label += line[i++];
        if (!valid_metric_name(label) || i + 1 >= line.size() || line[i + 1] != '"') {
          error("bad label");
          break;
        }
        i += 2;
        std::string value;
        for (; i < line.size() && line[i] != '"'; ++i) {
          if (line[i] == '\\' && i + 1 < line.size()) {
            char n = line[++i];
            value += n == 'n' ? '\n' : n;
            if (n != 'n' && n != '\\' && n != '"') error("bad escape");
          } else {
            value += line[i];
          }
        }
        ++i;  // closing quote
        if (s.labels.count(label)) error("repeated label");
        s.labels[label] = value;
        if (i < line.size() && line[i] == ',') ++i;
      }
      ++i;  // closing brace
    }
    if (i >= line.size() || line[i] != ' ') {
      error("no value");
      continue;
    }
    s.value = line.substr(i + 1);
    try {
      std::size_t used = 0;
      (void)std::stod(s.value, &used);
      if (used != s.value.size()) error("bad value");
    } catch (...) {
      error("bad value");
    }
    e.samples.push_back(std::move(s));
  }
  return e;
}

store::ReportRow full_row() {
  store::ReportRow r;
  r.name = "mail";
  r.source = "acme";
  r.version = 3;
  r.names = {"mail.example.test", "smtp.example.test"};
  r.issuer_cn = "Test CA";
  r.not_before = kNow - 60 * kDay;
  r.not_after = kNow + 30 * kDay;
  r.last_attempt = kNow - 3600;
  r.last_success = kNow - 7200;
  r.failures = 2;
  r.targets = 2;
  r.installed_version = 2;
  r.probe_ok = false;
  r.revoked_at = kNow - 10;
  r.ari_start = kNow + kDay;
  r.ari_end = kNow + 2 * kDay;
  return r;
}

store::ReportRow bare_row() {
  store::ReportRow r;
  r.name = "new";
  r.source = "manual";
  return r;
}

TEST(Prometheus, EveryFamilyHasHelpAndTypeAndParses) {
  auto text = render_report({full_row(), bare_row()}, Format::prometheus, {kNow, std::nullopt, false});
  auto e = parse(text);
  ASSERT_TRUE(e.errors.empty()) << ::testing::PrintToString(e.errors) << "\n" << text;
  for (const char* family :
       {"certkeeper_certificate_not_after_timestamp_seconds", "certkeeper_certificate_not_before_timestamp_seconds",
        "certkeeper_certificate_last_renewal_attempt_timestamp_seconds",
        "certkeeper_certificate_last_renewal_success_timestamp_seconds", "certkeeper_certificate_renewal_failures",
        "certkeeper_certificate_installed_version", "certkeeper_certificate_probe_ok",
        "certkeeper_certificate_revoked", "certkeeper_report_generated_timestamp_seconds"}) {
    EXPECT_EQ(e.type[family], "gauge") << family;
    EXPECT_FALSE(e.help[family].empty()) << family;
  }
  for (const auto& s : e.samples) {
    if (s.family.rfind("certkeeper_report_", 0) == 0) {
      EXPECT_TRUE(s.labels.empty()) << s.family;
      continue;
    }
    std::set<std::string> keys;
    for (const auto& [k, v] : s.labels) keys.insert(k);
    EXPECT_EQ(keys, (std::set<std::string>{"name", "cn", "issuer", "source"})) << s.family;
  }
}

TEST(Prometheus, ValuesAndLabels) {
  auto e = parse(render_report({full_row()}, Format::prometheus, {kNow, std::nullopt, false}));
  ASSERT_TRUE(e.errors.empty()) << ::testing::PrintToString(e.errors);
  auto one = [&](const std::string& family) { return e.values(family)["mail"]; };
  EXPECT_EQ(one("certkeeper_certificate_not_after_timestamp_seconds"), std::to_string(kNow + 30 * kDay));
  EXPECT_EQ(one("certkeeper_certificate_not_before_timestamp_seconds"), std::to_string(kNow - 60 * kDay));
  EXPECT_EQ(one("certkeeper_certificate_last_renewal_attempt_timestamp_seconds"), std::to_string(kNow - 3600));
  EXPECT_EQ(one("certkeeper_certificate_last_renewal_success_timestamp_seconds"), std::to_string(kNow - 7200));
  EXPECT_EQ(one("certkeeper_certificate_renewal_failures"), "2");
  EXPECT_EQ(one("certkeeper_certificate_installed_version"), "2");
  EXPECT_EQ(one("certkeeper_certificate_targets"), "2");
  EXPECT_EQ(one("certkeeper_certificate_probe_ok"), "0");
  EXPECT_EQ(one("certkeeper_certificate_revoked"), "1");
  EXPECT_EQ(one("certkeeper_certificate_ari_window_start_timestamp_seconds"), std::to_string(kNow + kDay));
  EXPECT_EQ(e.values("certkeeper_report_generated_timestamp_seconds")[""], std::to_string(kNow));
  EXPECT_EQ(e.values("certkeeper_report_certificates")[""], "1");
  const auto& s = e.samples.front();
  EXPECT_EQ(s.labels.at("cn"), "mail.example.test") << "the first name";
  EXPECT_EQ(s.labels.at("issuer"), "Test CA");
  EXPECT_EQ(s.labels.at("source"), "acme");
}

TEST(Prometheus, UnknownFactsHaveNoSample) {
  auto fresh = full_row();
  fresh.last_attempt.reset();
  fresh.last_success.reset();
  fresh.installed_version.reset();
  fresh.probe_ok.reset();
  fresh.revoked_at.reset();
  fresh.failures = 0;
  auto e = parse(render_report({fresh, bare_row()}, Format::prometheus, {kNow, std::nullopt, false}));
  ASSERT_TRUE(e.errors.empty()) << ::testing::PrintToString(e.errors);
  for (const char* family : {"certkeeper_certificate_last_renewal_attempt_timestamp_seconds",
                             "certkeeper_certificate_last_renewal_success_timestamp_seconds",
                             "certkeeper_certificate_installed_version", "certkeeper_certificate_probe_ok"}) {
    EXPECT_TRUE(e.values(family).empty()) << family;
  }
  EXPECT_EQ(e.values("certkeeper_certificate_revoked")["mail"], "0") << "a version that is not revoked";
  EXPECT_EQ(e.values("certkeeper_certificate_revoked").count("new"), 0u) << "no version: unknown";
  EXPECT_EQ(e.values("certkeeper_certificate_not_after_timestamp_seconds").count("new"), 0u);
  EXPECT_EQ(e.values("certkeeper_certificate_renewal_failures")["new"], "0") << "no failures is a fact";
}

// The Prometheus conventions: times are Unix timestamps in base units
// (seconds); "days left" is a query over not_after, never a stored count of
// days that goes stale in a textfile.
TEST(Prometheus, ExpiryIsATimestampNotACountOfDays) {
  auto r = full_row();
  r.not_after = kNow - 3 * kDay;
  auto e = parse(render_report({r}, Format::prometheus, {kNow, std::nullopt, false}));
  ASSERT_TRUE(e.errors.empty()) << ::testing::PrintToString(e.errors);
  EXPECT_EQ(e.values("certkeeper_certificate_not_after_timestamp_seconds")["mail"], std::to_string(kNow - 3 * kDay));
  for (const auto& [family, type] : e.type) {
    EXPECT_EQ(family.find("days"), std::string::npos) << family << " is not in a base unit";
  }
}

TEST(Prometheus, LabelValuesAreEscaped) {
  auto r = full_row();
  r.issuer_cn = "Evil \"CA\" \\ with\na line break";
  auto text = render_report({r}, Format::prometheus, {kNow, std::nullopt, false});
  EXPECT_NE(text.find(R"(issuer="Evil \"CA\" \\ with\na line break")"), std::string::npos) << text;
  auto e = parse(text);
  ASSERT_TRUE(e.errors.empty()) << ::testing::PrintToString(e.errors);
  EXPECT_EQ(e.samples.front().labels.at("issuer"), r.issuer_cn);
}

TEST(Prometheus, ParserRejectsBrokenText) {
  // The parser above must be able to fail, or the tests that use it prove nothing.
  EXPECT_FALSE(parse("# HELP a x\n# TYPE a gauge\na{name=\"x} 1\n").errors.empty());
  EXPECT_FALSE(parse("# TYPE a gauge\na 1\n# TYPE b gauge\nb 1\na 2\n").errors.empty());
  EXPECT_FALSE(parse("# TYPE a gauge\na{name=\"x\"} one\n").errors.empty());
  EXPECT_FALSE(parse("# TYPE a gauge\na{name=\"x\\t\"} 1\n").errors.empty());
}

// Fleet views (issue 12): per-node samples carry a `node` label, and every
// node of the report has its heartbeat.
TEST(Prometheus, FleetSamplesHaveANodeLabelAndEachNodeItsLastSeen) {
  auto r = full_row();
  r.fleet = true;
  r.version = 3;
  // node, installed version, probe, installed at, last seen
  store::ReportNode mx1{"mx1", 3, true, kNow - 100, kNow - 10};
  store::ReportNode odd;
  odd.node = "m\"x\\2\n\x1b";  // a hostile name from another host
  odd.installed_version = 2;
  odd.probe_ok = false;
  r.nodes = {mx1, odd};
  auto other = full_row();
  other.name = "web";
  other.nodes = {mx1};
  auto text = render_report({r, other, bare_row()}, Format::prometheus, {kNow, std::nullopt, false});
  auto e = parse(text);
  ASSERT_TRUE(e.errors.empty()) << ::testing::PrintToString(e.errors) << "\n" << text;
  EXPECT_EQ(text.find('\x1b'), std::string::npos);
  std::map<std::pair<std::string, std::string>, std::string> by;  // (family, name/node) -> value
  for (const auto& s : e.samples) {
    if (s.family.find("_node_") == std::string::npos && s.family != "certkeeper_certificate_drift") continue;
    auto name = s.labels.count("name") ? s.labels.at("name") : "";
    auto node = s.labels.count("node") ? s.labels.at("node") : "";
    by[{s.family, name + "/" + node}] = s.value;
    if (s.family == "certkeeper_certificate_drift") {
      EXPECT_EQ(s.labels.size(), 4u);
    } else if (s.family != "certkeeper_node_last_seen_timestamp_seconds") {
      EXPECT_EQ(s.labels.size(), 5u) << s.family << " has the certificate's labels and node";
    } else {
      EXPECT_EQ(s.labels.size(), 1u);
    }
  }
  const std::string odd_shown = "m\"x\\2\n\\x1B";  // as the parser reads the escaped value back
  EXPECT_EQ((by[{"certkeeper_certificate_node_installed_version", "mail/mx1"}]), "3");
  EXPECT_EQ((by[{"certkeeper_certificate_node_installed_version", "mail/" + odd_shown}]), "2") << text;
  EXPECT_EQ((by[{"certkeeper_certificate_node_probe_ok", "mail/" + odd_shown}]), "0");
  EXPECT_EQ((by[{"certkeeper_certificate_node_installed_timestamp_seconds", "mail/mx1"}]), std::to_string(kNow - 100));
  EXPECT_EQ((by[{"certkeeper_certificate_node_up", "mail/mx1"}]), "1");
  EXPECT_EQ((by[{"certkeeper_certificate_node_up", "mail/" + odd_shown}]), "0");
  EXPECT_EQ((by[{"certkeeper_certificate_node_installed_version", "web/mx1"}]), "3");
  // One heartbeat sample per node, whatever the number of its certificates;
  // none for a node without a heartbeat.
  EXPECT_EQ((by[{"certkeeper_node_last_seen_timestamp_seconds", "/mx1"}]), std::to_string(kNow - 10));
  EXPECT_EQ(by.count({"certkeeper_node_last_seen_timestamp_seconds", "/" + odd_shown}), 0u);
  std::size_t last_seen = 0;
  for (const auto& s : e.samples) last_seen += s.family == "certkeeper_node_last_seen_timestamp_seconds";
  EXPECT_EQ(last_seen, 1u);
  EXPECT_EQ(e.type["certkeeper_node_last_seen_timestamp_seconds"], "gauge");
  EXPECT_EQ((by[{"certkeeper_certificate_drift", "mail/"}]), "0") << "one sample per certificate, no node label";
}

}  // namespace
}  // namespace certkeeper::report
