// Fleet views on the command line (issue 12): `list` and `report` in every
// format show, per node, the installed version, the probe result and the
// last heartbeat, and the statuses node-down and drift. PostgresqlFleetViews
// runs only on PostgreSQL (tests/CMakeLists.txt), with two nodes on one
// inventory; FleetViewsSqliteTest only on SQLite, where there is one node.
#include <filesystem>

#include "cli/cli_fixture.h"
#include "support/program.h"
#include "support/temp_dir.h"

namespace certkeeper::testing {
namespace {

// Debian's promtool, as report_formats_test.cpp uses it.
std::string fleet_promtool() {
  auto path = which("promtool");
  if (!path) ADD_FAILURE() << "promtool not found: install the Debian package prometheus";
  return path.value_or("");
}

// Two nodes, mx1 and mx2, each with a target of `web`, both converged on
// version 1 by their own pass.
class PostgresqlFleetViewsTest : public CliTest {
 protected:
  PostgresqlFleetViewsTest() : CliTest(&shared_postgres()) {}

  void SetUp() override {
    init();
    auto leaf = pki_.leaf();
    auto f = write_set(leaf);
    ASSERT_EQ(ck({"import", "web", "--cert", f.cert, "--key", f.key, "--chain", f.chain}).exit_code, 0);
    for (const char* node : {"mx1", "mx2"}) {
      const std::string dir = hosts_.file(std::string(node) + "/live");
      std::filesystem::create_directories(dir);
      ASSERT_EQ(ck({"--node", node, "target", "add", "web", "--dir", dir}).exit_code, 0);
      auto pass = ck({"--node", node, "renew"});
      ASSERT_EQ(pass.exit_code, 0) << pass.err;
    }
  }

  nlohmann::json row(const std::vector<std::string>& view = {"report", "--format", "json"}) {
    std::vector<std::string> args = {"--node", "mx1"};
    args.insert(args.end(), view.begin(), view.end());
    auto r = ck(args);
    EXPECT_EQ(r.exit_code, 0) << r.err;
    auto doc = json(r);
    EXPECT_EQ(doc["certificates"].size(), 1u) << doc;
    return doc["certificates"][0];
  }

  std::string text(const std::vector<std::string>& view) {
    std::vector<std::string> args = {"--node", "mx1"};
    args.insert(args.end(), view.begin(), view.end());
    auto r = ck(args);
    EXPECT_EQ(r.exit_code, 0) << r.err;
    return r.out;
  }

  TempDir hosts_;
};

TEST_F(PostgresqlFleetViewsTest, EveryViewShowsEachNodeAndANodeDown) {
  for (const auto& web : {row(), row({"--json", "list"})}) {
    EXPECT_EQ(web["status"], "valid") << web;
    ASSERT_EQ(web["nodes"].size(), 2u) << web;
    for (int i = 0; i < 2; ++i) {
      const auto& n = web["nodes"][i];
      EXPECT_EQ(n["node"], i == 0 ? "mx1" : "mx2");
      EXPECT_EQ(n["installed_version"], 1);
      EXPECT_EQ(n["probe_ok"], true) << "a pass with no probe to run passed";
      EXPECT_FALSE(n["installed_at"].is_null());
      EXPECT_FALSE(n["last_seen"].is_null());
      EXPECT_EQ(n["status"], "up");
    }
  }
  // mx2 was last seen an hour ago.
  raw_sql("UPDATE nodes SET last_seen = last_seen - 3600 WHERE name = 'mx2'");
  auto web = row();
  EXPECT_EQ(web["status"], "node-down") << web;
  EXPECT_EQ(web["nodes"][1]["status"], "down");
  EXPECT_EQ(web["nodes"][0]["status"], "up");

  auto table = text({"report"});
  EXPECT_NE(table.find("node-down"), std::string::npos) << table;
  EXPECT_NE(table.find("mx1 v1 ok (seen "), std::string::npos) << table;
  EXPECT_NE(table.find("mx2 v1 ok (down, seen 60 min ago)"), std::string::npos) << table;
  EXPECT_NE(table.find("1 with a node down"), std::string::npos) << table;
  auto list = text({"list"});
  EXPECT_NE(list.find("mx2 v1 ok (down, seen 60 min ago)"), std::string::npos) << list;

  auto csv = text({"report", "--format", "csv"});
  EXPECT_NE(csv.find(",nodes\r\n"), std::string::npos) << csv;
  EXPECT_NE(csv.find(",mx1=1:ok:up;mx2=1:ok:down\r\n"), std::string::npos) << csv;

  const std::string prom_path = hosts_.file("certkeeper.prom");
  ASSERT_EQ(ck({"--node", "mx1", "report", "--format", "prometheus", "--output", prom_path}).exit_code, 0);
  auto prom = read_file(prom_path);
  EXPECT_NE(prom.find("certkeeper_certificate_node_installed_version{name=\"web\",cn=\"www.example.test\","),
            std::string::npos)
      << prom;
  EXPECT_NE(prom.find(",node=\"mx2\"} 1\n"), std::string::npos) << prom;
  EXPECT_NE(prom.find("certkeeper_certificate_node_up{"), std::string::npos);
  EXPECT_NE(prom.find("\ncertkeeper_node_last_seen_timestamp_seconds{node=\"mx1\"} "), std::string::npos) << prom;
  EXPECT_NE(prom.find("\ncertkeeper_node_last_seen_timestamp_seconds{node=\"mx2\"} "), std::string::npos) << prom;
  auto promtool = fleet_promtool();
  if (!promtool.empty()) {
    auto check = run_program({promtool, "check", "metrics"}, hosts_.path(), prom_path);
    EXPECT_EQ(check.exit_code, 0) << check.out << check.err;
    EXPECT_EQ(check.out + check.err, "") << "promtool's lint found something";
  }

  auto html = text({"report", "--format", "html"});
  const auto fleet = html.find("<section id=\"fleet\">");
  ASSERT_NE(fleet, std::string::npos) << html;
  EXPECT_NE(html.find("<td class=\"fleet-down\"", fleet), std::string::npos);
  EXPECT_NE(html.find(">v1 ok (down)</td>", fleet), std::string::npos) << html.substr(fleet, 2000);

  // --within reads the fleet of the certificates it shows.
  auto within = json(ck({"--node", "mx1", "--json", "report", "--within", "3650"}));
  ASSERT_EQ(within["certificates"].size(), 1u);
  EXPECT_EQ(within["certificates"][0]["nodes"].size(), 2u);

  // A node removed is still reported: its targets have no heartbeat.
  ASSERT_EQ(ck({"--node", "mx1", "node", "remove", "mx2"}).exit_code, 0);
  web = row();
  EXPECT_EQ(web["status"], "node-down");
  EXPECT_EQ(web["nodes"][1]["status"], "unknown");
  EXPECT_TRUE(web["nodes"][1]["last_seen"].is_null());
  // It beats again: up, and the certificate is valid again.
  ASSERT_EQ(ck({"--node", "mx2", "renew"}).exit_code, 0);
  EXPECT_EQ(row()["status"], "valid");
}

TEST_F(PostgresqlFleetViewsTest, DriftWhenOneNodeLagsPastDriftAfter) {
  // Version 2 stored and installed by mx1's pass; mx2 has not run since.
  auto v2 = pki_.leaf();
  auto f = write_set(v2, "v2-");
  ASSERT_EQ(ck({"import", "web", "--cert", f.cert, "--key", f.key, "--chain", f.chain}).exit_code, 0);
  ASSERT_EQ(ck({"--node", "mx1", "renew"}).exit_code, 0);
  auto web = row();
  EXPECT_EQ(web["version"], 2);
  EXPECT_EQ(web["nodes"][0]["installed_version"], 2);
  EXPECT_EQ(web["nodes"][1]["installed_version"], 1);
  EXPECT_EQ(web["status"], "valid") << "within drift_after (900 s): a fleet converging";

  // An hour later (the version and the installs moved back in time; the
  // heartbeats stay recent, so no node is down). Versions are append-only:
  // their trigger is set aside for this one change.
  raw_sql("ALTER TABLE cert_versions DISABLE TRIGGER USER; "
          "UPDATE cert_versions SET created_at = created_at - 3600; "
          "ALTER TABLE cert_versions ENABLE TRIGGER USER; "
          "UPDATE targets SET installed_at = installed_at - 3600");
  web = row();
  EXPECT_EQ(web["status"], "drift") << web;
  auto table = text({"report"});
  EXPECT_NE(table.find("drift"), std::string::npos) << table;
  EXPECT_NE(table.find("1 drifting"), std::string::npos) << table;
  EXPECT_NE(text({"list"}).find("mx1 v2 ok (seen"), std::string::npos);
  auto csv = text({"report", "--format", "csv"});
  EXPECT_NE(csv.find("mx1=2:ok:up;mx2=1:ok:up"), std::string::npos) << csv;
  auto prom = text({"report", "--format", "prometheus"});
  EXPECT_NE(prom.find("certkeeper_certificate_drift{name=\"web\""), std::string::npos) << prom;
  auto html = text({"report", "--format", "html"});
  EXPECT_NE(html.find("<td class=\"fleet-drift\""), std::string::npos) << html;
  EXPECT_NE(html.find("<tr class=\"drift\">"), std::string::npos);

  // The bound is a setting.
  ASSERT_EQ(ck({"init", "--drift-after", "7200"}).exit_code, 0);
  EXPECT_EQ(row()["status"], "valid");
  ASSERT_EQ(ck({"init", "--drift-after", "600"}).exit_code, 0);
  EXPECT_EQ(row()["status"], "drift");
  EXPECT_EQ(ck({"init", "--drift-after", "59"}).exit_code, 2);

  // mx2 converges: no drift.
  ASSERT_EQ(ck({"--node", "mx2", "renew"}).exit_code, 0);
  web = row();
  EXPECT_EQ(web["status"], "valid") << web;
  EXPECT_EQ(web["nodes"][1]["installed_version"], 2);
}

// On SQLite there is one node: it is shown, but the statuses node-down and
// drift never apply (a pass from cron once a day is no node down).
class FleetViewsSqliteTest : public CliTest {};

TEST_F(FleetViewsSqliteTest, OneNodeIsShownWithoutFleetStatuses) {
  if (on_postgresql()) GTEST_SKIP() << "SQLite only: PostgresqlFleetViewsTest covers PostgreSQL";
  init();
  auto leaf = pki_.leaf();
  auto f = write_set(leaf);
  ASSERT_EQ(ck({"import", "web", "--cert", f.cert, "--key", f.key, "--chain", f.chain}).exit_code, 0);
  TempDir dir;
  ASSERT_EQ(ck({"--node", "mx1", "target", "add", "web", "--dir", dir.file("live")}).exit_code, 0);
  ASSERT_EQ(ck({"--node", "mx1", "renew"}).exit_code, 0);
  raw_sql("UPDATE nodes SET last_seen = last_seen - 86400");
  auto doc = json(ck({"--json", "report"}));
  const auto& web = doc["certificates"][0];
  EXPECT_EQ(web["status"], "valid") << web;
  ASSERT_EQ(web["nodes"].size(), 1u) << web;
  EXPECT_EQ(web["nodes"][0]["node"], "mx1");
  EXPECT_EQ(web["nodes"][0]["installed_version"], 1);
  auto table = ck({"report"});
  EXPECT_NE(table.out.find("mx1 v1"), std::string::npos) << table.out;
  EXPECT_EQ(table.out.find("node-down"), std::string::npos) << table.out;
}

}  // namespace
}  // namespace certkeeper::testing
