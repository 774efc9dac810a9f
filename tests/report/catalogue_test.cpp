// The tables that the renderers use and the reference documentation prints
// (report/catalogue.h): what the renderers write is exactly what they list.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <regex>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "certkeeper/report/catalogue.h"
#include "certkeeper/report/report.h"
#include "certkeeper/report/views.h"
#include "support/fixed_time.h"

namespace certkeeper::report {
namespace {

using testing::kNow;
using testing::kDay;


store::ReportRow catalogue_row(const std::string& name, std::optional<UnixTime> not_after) {
  store::ReportRow r;
  r.name = name;
  r.source = "acme";
  r.names = {name + ".example.test"};
  if (not_after) {
    r.version = 1;
    r.not_before = *not_after - 90 * kDay;
    r.not_after = not_after;
  }
  return r;
}

ReportOptions options() { return {kNow, std::nullopt, false, nullptr}; }

std::vector<std::string> field_names() {
  std::vector<std::string> out;
  for (const auto& f : report_fields()) out.emplace_back(f.name);
  return out;
}

TEST(Catalogue, JsonRowsHaveExactlyTheReportFields) {
  auto doc = nlohmann::json::parse(render_report({catalogue_row("web", kNow + 40 * kDay)}, Format::json, options()));
  std::set<std::string> keys;
  for (const auto& [k, v] : doc["certificates"][0].items()) keys.insert(k);
  auto names = field_names();
  EXPECT_EQ(keys, std::set<std::string>(names.begin(), names.end()));
  auto list = nlohmann::json::parse(render_list({catalogue_row("web", kNow + 40 * kDay)}, kNow, true));
  std::set<std::string> list_keys;
  for (const auto& [k, v] : list["certificates"][0].items()) list_keys.insert(k);
  EXPECT_EQ(list_keys, keys);
}

TEST(Catalogue, CsvHeaderIsTheFieldTableInOrder) {
  std::string csv = render_report({catalogue_row("web", kNow + 40 * kDay)}, Format::csv, options());
  std::string header = csv.substr(0, csv.find("\r\n"));
  std::string expected;
  for (const auto& n : field_names()) expected += (expected.empty() ? "" : ",") + n;
  EXPECT_EQ(header, expected);
  for (const auto& f : report_fields()) EXPECT_GT(std::string(f.meaning).size(), 5u) << f.name;
}

TEST(Catalogue, PrometheusWritesExactlyTheListedFamiliesInOrder) {
  std::string text = render_report({catalogue_row("web", kNow + 40 * kDay)}, Format::prometheus, options());
  std::vector<std::string> families;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) {
    if (line.rfind("# TYPE ", 0) == 0) families.push_back(line.substr(7, line.find(' ', 7) - 7));
  }
  std::vector<std::string> listed;
  for (const auto& m : metrics()) {
    listed.emplace_back(m.name);
    EXPECT_NE(text.find(std::string("# HELP ") + m.name + " " + m.help + "\n"), std::string::npos) << m.name;
  }
  EXPECT_EQ(families, listed);
  // Every per-certificate sample carries exactly the listed labels, in order.
  const auto at = text.find("\ncertkeeper_certificate_not_after_timestamp_seconds{");
  ASSERT_NE(at, std::string::npos);
  std::string sample = text.substr(at + 1);
  sample = sample.substr(0, sample.find('}'));
  std::vector<std::string> labels;
  const std::regex label(R"(([a-z_]+)=")");
  for (auto it = std::sregex_iterator(sample.begin(), sample.end(), label); it != std::sregex_iterator(); ++it) {
    labels.push_back((*it)[1]);
  }
  std::vector<std::string> listed_labels;
  for (const auto& l : metric_labels()) listed_labels.emplace_back(l.name);
  EXPECT_EQ(labels, listed_labels);
}

TEST(Catalogue, EveryStatusTheRuleGivesIsListed) {
  std::set<std::string> listed;
  for (const auto& s : statuses()) listed.insert(s.status);
  auto remote = catalogue_row("edge", kNow + 40 * kDay);
  remote.source = "remote";
  remote.failures = 1;
  auto revoked = catalogue_row("old", kNow + 80 * kDay);
  revoked.revoked_at = kNow - kDay;
  // A fleet (issue 12): a node down, and two nodes that drift.
  store::ReportNode up, lagging;
  up.node = "mx1";
  up.installed_version = 2;
  up.installed_at = kNow - 7200;
  up.last_seen = kNow;
  lagging = up;
  lagging.node = "mx2";
  lagging.installed_version = 1;
  auto drift = catalogue_row("e", kNow + 80 * kDay);
  drift.fleet = true;
  drift.version = 2;
  drift.nodes = {up, lagging};
  auto down = drift;
  down.nodes[1].installed_version = 2;
  down.nodes[1].last_seen.reset();
  for (const auto& r : {catalogue_row("a", kNow + 80 * kDay), catalogue_row("b", kNow + 5 * kDay), catalogue_row("c", kNow - kDay),
                        catalogue_row("d", std::nullopt), remote, revoked, drift, down}) {
    std::string status = expiry_status(r, kNow);
    EXPECT_TRUE(listed.count(status)) << status;
    listed.erase(status);
  }
  EXPECT_TRUE(listed.empty()) << "listed but never given: " << ::testing::PrintToString(listed);
}

TEST(Catalogue, EventKindsAreTheStoresTableWithText) {
  std::set<std::string> kinds;
  for (const auto& k : event_kinds()) {
    EXPECT_TRUE(kinds.insert(k.kind).second) << k.kind;
    EXPECT_GT(std::string(k.when).size(), 10u) << k.kind;
    EXPECT_FALSE(std::string(k.detail).empty()) << k.kind;
  }
  for (const char* k : {"installed", "rolled-back", "install-rolled-back", "imported", "issued", "revoked"}) {
    EXPECT_TRUE(kinds.count(k)) << k;
  }
}

}  // namespace
}  // namespace certkeeper::report
