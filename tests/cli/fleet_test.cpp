// A fleet's nodes on the command line (issue 12): `--node`, the heartbeat a
// pass records, `nodes`, `node remove`, targets per node. NodesCliTest runs
// on SQLite and again on PostgreSQL (tests/CMakeLists.txt); the
// PostgresqlFleet tests only there, where several nodes share one inventory.
#include <filesystem>

#include <signal.h>

#include <chrono>
#include <thread>

#include "cli/cli_fixture.h"
#include "support/race.h"
#include "support/temp_dir.h"

namespace certkeeper::testing {
namespace {

class NodesCliTest : public CliTest {
 protected:
  void SetUp() override { init(); }

  nlohmann::json nodes(const std::string& as = "mx1") {
    auto r = ck({"--node", as, "--json", "nodes"});
    EXPECT_EQ(r.exit_code, 0) << r.err;
    return json(r);
  }
};

TEST_F(NodesCliTest, APassRecordsItsNodeWithAHeartbeat) {
  auto before = nodes();
  EXPECT_EQ(before["fleet"], on_postgresql());
  EXPECT_EQ(before["self"], "mx1");
  EXPECT_TRUE(before["nodes"].empty());
  auto pass = ck({"--node", "mx1", "--json", "renew"});
  ASSERT_EQ(pass.exit_code, 0) << pass.err;
  EXPECT_EQ(json(pass)["node"], "mx1");
  auto after = nodes();
  ASSERT_EQ(after["nodes"].size(), 1u) << after;
  const auto& n = after["nodes"][0];
  EXPECT_EQ(n["name"], "mx1");
  EXPECT_EQ(n["status"], "up");
  EXPECT_EQ(n["self"], true);
  EXPECT_EQ(n["doing"], "idle");
  EXPECT_FALSE(n["version"].get<std::string>().empty());
  EXPECT_GT(n["pid"].get<int>(), 0);
  auto text = ck({"--node", "mx1", "nodes"});
  EXPECT_NE(text.out.find("mx1 *"), std::string::npos) << text.out;
}

TEST_F(NodesCliTest, NodeRemoveRefusesANodeThatIsUpUnlessForced) {
  ASSERT_EQ(ck({"--node", "mx2", "renew"}).exit_code, 0);
  auto up = ck({"node", "remove", "mx2"});
  EXPECT_EQ(up.exit_code, 1);
  EXPECT_NE(up.err.find("mx2: is up"), std::string::npos) << up.err;
  EXPECT_NE(up.err.find("--force"), std::string::npos) << up.err;
  EXPECT_EQ(nodes()["nodes"].size(), 1u);
  auto forced = ck({"--json", "node", "remove", "mx2", "--force"});
  ASSERT_EQ(forced.exit_code, 0) << forced.err;
  EXPECT_EQ(json(forced)["node"], "mx2");
  EXPECT_TRUE(nodes()["nodes"].empty());
  auto gone = ck({"node", "remove", "mx2"});
  EXPECT_EQ(gone.exit_code, 1);
  EXPECT_NE(gone.err.find("mx2: no such node"), std::string::npos) << gone.err;
}

TEST_F(NodesCliTest, ADownNodeIsRemovedWithoutForceAndItsTargetsAreReported) {
  ASSERT_EQ(ck({"--node", "mx3", "renew"}).exit_code, 0);
  ASSERT_EQ(ck({"init", "--node-down-after", "60"}).exit_code, 0);
  // A node seen long ago: its heartbeat is moved back in time by hand.
  raw_sql("UPDATE nodes SET last_seen = last_seen - 3600 WHERE name = 'mx3'");
  auto listed = nodes();
  ASSERT_EQ(listed["nodes"].size(), 1u);
  EXPECT_EQ(listed["nodes"][0]["status"], "down");
  EXPECT_EQ(listed["node_down_after"], 60);
  auto removed = ck({"node", "remove", "mx3"});
  EXPECT_EQ(removed.exit_code, 0) << removed.err;
  EXPECT_NE(removed.out.find("mx3: removed"), std::string::npos) << removed.out;
}

TEST_F(NodesCliTest, BadNodeNamesAreUsageErrors) {
  auto bad = ck({"--node", "mx 1", "list"});
  EXPECT_EQ(bad.exit_code, 2);
  EXPECT_NE(bad.err.find("is not a valid node name"), std::string::npos) << bad.err;
  auto env = run_certkeeper({"--db", db(), "list"}, {{"CERTKEEPER_NODE", "../x"}});
  EXPECT_EQ(env.exit_code, 2);
  EXPECT_NE(env.err.find("CERTKEEPER_NODE"), std::string::npos) << env.err;
  EXPECT_EQ(ck({"node", "remove", "-x"}).exit_code, 2);
  ASSERT_EQ(ck({"init", "--node-down-after", "5"}).exit_code, 2);
}

// --challenge-address is an address of this host, never a name or a port;
// init --challenge-wait has its bounds. Nothing runs, nothing changes.
TEST_F(NodesCliTest, BadChallengeAddressesAndWaitsAreUsageErrors) {
  for (const char* bad : {"mx1.example.net", "127.0.0.1:80", "[::1]", "127.0.0.256"}) {
    auto r = ck({"--challenge-address", bad, "list"});
    EXPECT_EQ(r.exit_code, 2) << bad;
    EXPECT_NE(r.err.find("is not a numeric IPv4 or IPv6 address"), std::string::npos) << r.err;
  }
  auto env = run_certkeeper({"--db", db(), "list"}, {{"CERTKEEPER_CHALLENGE_ADDRESS", "localhost"}});
  EXPECT_EQ(env.exit_code, 2);
  EXPECT_NE(env.err.find("CERTKEEPER_CHALLENGE_ADDRESS"), std::string::npos) << env.err;
  EXPECT_EQ(ck({"--challenge-address", "::1", "list"}).exit_code, 0);
  auto settings = [&] { return json(ck({"--json", "init"}))["settings"]; };
  const auto before = settings();
  auto low = ck({"init", "--challenge-wait", "4"});
  EXPECT_EQ(low.exit_code, 2);
  EXPECT_NE(low.err.find("--challenge-wait must be 5 to 3600 seconds"), std::string::npos) << low.err;
  EXPECT_EQ(ck({"init", "--challenge-wait", "3601"}).exit_code, 2);
  EXPECT_EQ(settings(), before) << "nothing changed";
  ASSERT_EQ(ck({"init", "--challenge-wait", "30"}).exit_code, 0);
  EXPECT_EQ(settings()["challenge_wait"], "30");
}

TEST_F(NodesCliTest, OnSqliteATargetOfAnotherNodeIsRefused) {
  if (on_postgresql()) GTEST_SKIP() << "SQLite only: PostgreSQL takes targets of other nodes (PostgresqlFleetTest)";
  auto leaf = pki_.leaf();
  auto f = write_set(leaf);
  ASSERT_EQ(ck({"import", "web", "--cert", f.cert, "--key", f.key, "--chain", f.chain}).exit_code, 0);
  TempDir dir;
  auto r = ck({"--node", "mx1", "target", "add", "web", "--dir", dir.file("live"), "--node", "mx2"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("a SQLite inventory has one node"), std::string::npos) << r.err;
  auto list = ck({"--json", "target", "list", "web"});
  EXPECT_TRUE(json(list)["targets"].empty());
}

// Several nodes on one PostgreSQL inventory: each installs its own targets.
class PostgresqlFleetTest : public CliTest {
 protected:
  PostgresqlFleetTest() : CliTest(&shared_postgres()) {}

  void SetUp() override {
    init();
    leaf_ = pki_.leaf();
    auto f = write_set(*leaf_);
    ASSERT_EQ(ck({"import", "web", "--cert", f.cert, "--key", f.key, "--chain", f.chain}).exit_code, 0);
  }

  // Version `v2` stored, and a target on each of mx1 and mx2 (their
  // directories mx1/live and mx2/live), mx1's installed by its pass.
  void two_nodes_with_version_two(const Cert& v2) {
    auto f = write_set(v2, "v2-");
    ASSERT_EQ(ck({"import", "web", "--cert", f.cert, "--key", f.key, "--chain", f.chain}).exit_code, 0);
    for (const char* node : {"mx1", "mx2"}) {
      const std::string dir = hosts_.file(std::string(node) + "/live");
      std::filesystem::create_directories(dir);
      ASSERT_EQ(ck({"--node", node, "target", "add", "web", "--dir", dir}).exit_code, 0);
    }
    ASSERT_EQ(ck({"--node", "mx1", "renew"}).exit_code, 0);
  }

  // `run` of a node that passes only when woken (its poll: 600 s).
  std::vector<std::string> daemon_args(const std::string& node) const {
    std::vector<std::string> args = backend_args({"--node", node, "run", "--poll", "600"});
    args.insert(args.begin(), {"--db", db()});
    return args;
  }

  // Until the target directory `dir` holds `leaf` (at most 10 s).
  static bool holds(const std::string& dir, const Cert& leaf) {
    for (int i = 0; i < 200; ++i) {
      if (exists(dir + "/cert.pem") && read_file(dir + "/cert.pem") == leaf.pem()) return true;
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    return false;
  }

  std::optional<Cert> leaf_;
  TempDir hosts_;
};

TEST_F(PostgresqlFleetTest, EachNodesPassInstallsOnlyItsOwnTargets) {
  // The same path on two hosts; here two directories stand for them.
  const std::string a = hosts_.file("mx1/live"), b = hosts_.file("mx2/live");
  std::filesystem::create_directories(a);
  std::filesystem::create_directories(b);
  ASSERT_EQ(ck({"--node", "mx1", "target", "add", "web", "--dir", a}).exit_code, 0);
  // Added from mx1 for mx2: mx2 checks its directory when it installs.
  auto other = ck({"--node", "mx1", "--json", "target", "add", "web", "--dir", b, "--node", "mx2"});
  ASSERT_EQ(other.exit_code, 0) << other.err;
  EXPECT_EQ(json(other)["node"], "mx2");

  auto pass1 = ck({"--node", "mx1", "--json", "renew"});
  ASSERT_EQ(pass1.exit_code, 0) << pass1.err;
  auto installs = json(pass1)["installs"];
  ASSERT_EQ(installs.size(), 1u) << installs;
  EXPECT_EQ(installs[0]["name"], "web");
  EXPECT_EQ(installs[0]["version"], 1);
  EXPECT_EQ(read_file(a + "/cert.pem"), leaf_->pem());
  EXPECT_FALSE(exists(b + "/cert.pem")) << "mx1 installed mx2's target";

  auto pass2 = ck({"--node", "mx2", "--json", "renew"});
  ASSERT_EQ(pass2.exit_code, 0) << pass2.err;
  EXPECT_EQ(json(pass2)["installs"].size(), 1u);
  EXPECT_EQ(read_file(b + "/cert.pem"), leaf_->pem());
  // Converged: the next passes install nothing.
  EXPECT_TRUE(json(ck({"--node", "mx1", "--json", "renew"}))["installs"].empty());

  auto listed = json(ck({"--node", "mx1", "--json", "nodes"}));
  ASSERT_EQ(listed["nodes"].size(), 2u) << listed;
  for (const auto& n : listed["nodes"]) {
    EXPECT_EQ(n["status"], "up");
    EXPECT_EQ(n["targets"], 1);
    EXPECT_EQ(n["targets_converged"], 1);
  }
  auto targets = json(ck({"--json", "target", "list", "web"}))["targets"];
  ASSERT_EQ(targets.size(), 2u);
  EXPECT_EQ(targets[0]["node"], "mx1");
  EXPECT_EQ(targets[1]["node"], "mx2");
  EXPECT_EQ(targets[1]["probe_ok"], true);
  EXPECT_FALSE(targets[1]["installed_at"].is_null());
}

TEST_F(PostgresqlFleetTest, ARemovedNodesTargetsStayAndAreListedAsOfAnUnknownNode) {
  const std::string b = hosts_.file("mx2/live");
  std::filesystem::create_directories(b);
  ASSERT_EQ(ck({"--node", "mx2", "target", "add", "web", "--dir", b}).exit_code, 0);
  ASSERT_EQ(ck({"--node", "mx2", "renew"}).exit_code, 0);
  ASSERT_EQ(ck({"--node", "mx1", "node", "remove", "mx2", "--force"}).exit_code, 0);
  auto listed = json(ck({"--node", "mx1", "--json", "nodes"}));
  ASSERT_EQ(listed["nodes"].size(), 1u) << listed;
  EXPECT_EQ(listed["nodes"][0]["name"], "mx2");
  EXPECT_EQ(listed["nodes"][0]["status"], "unknown");
  EXPECT_EQ(listed["nodes"][0]["targets"], 1);
  // Its target is removed by naming the node.
  auto wrong = ck({"--node", "mx1", "target", "remove", "web", "--dir", b});
  EXPECT_EQ(wrong.exit_code, 1);
  EXPECT_NE(wrong.err.find("on node mx1"), std::string::npos) << wrong.err;
  EXPECT_EQ(ck({"--node", "mx1", "target", "remove", "web", "--dir", b, "--node", "mx2"}).exit_code, 0);
  EXPECT_TRUE(json(ck({"--node", "mx1", "--json", "nodes"}))["nodes"].empty());
}

// LISTEN/NOTIFY: a node's daemon hears another node's new version and
// installs it in seconds, long before its poll (600 s here) would.
TEST_F(PostgresqlFleetTest, ANewVersionReachesARunningNodeInSeconds) {
  const std::string b = hosts_.file("mx2/live");
  std::filesystem::create_directories(b);
  ASSERT_EQ(ck({"--node", "mx2", "target", "add", "web", "--dir", b}).exit_code, 0);
  Running daemon(daemon_args("mx2"));
  auto serves = [&](const Cert& leaf) { return holds(b, leaf); };
  ASSERT_TRUE(serves(*leaf_)) << "the daemon's first pass installs version 1";
  // Another node stores version 2 and installs nothing here.
  auto v2 = pki_.leaf();
  auto f = write_set(v2, "v2-");
  ASSERT_EQ(ck({"--node", "mx1", "import", "web", "--cert", f.cert, "--key", f.key, "--chain", f.chain}).exit_code, 0);
  EXPECT_TRUE(serves(v2)) << "mx2 installed the new version within 10 s, not at its poll";
  EXPECT_TRUE(daemon.wait_for_stderr("changed by another node (version web 2)", std::chrono::seconds(5)));
  ::kill(daemon.pid(), SIGTERM);
  EXPECT_TRUE(daemon.result().exited(0)) << daemon.result().describe();
}

// A rollback on one node is announced (NOTIFY "pin NAME N") like a new
// version: a running node installs the pinned version in seconds, long
// before its poll (600 s here) would.
TEST_F(PostgresqlFleetTest, ARollbackReachesARunningNodeInSeconds) {
  auto v2 = pki_.leaf();
  ASSERT_NO_FATAL_FAILURE(two_nodes_with_version_two(v2));
  const std::string b = hosts_.file("mx2/live");
  Running daemon(daemon_args("mx2"));
  auto serves = [&](const Cert& leaf) { return holds(b, leaf); };
  ASSERT_TRUE(serves(v2)) << "the daemon's first pass installs version 2";
  auto back = ck({"--node", "mx1", "rollback", "web", "--to", "1"});
  ASSERT_EQ(back.exit_code, 0) << back.err;
  EXPECT_TRUE(serves(*leaf_)) << "mx2 installed the pinned version 1 within 10 s, not at its poll";
  EXPECT_TRUE(daemon.wait_for_stderr("changed by another node (pin web 1)", std::chrono::seconds(5)));
  ::kill(daemon.pid(), SIGTERM);
  EXPECT_TRUE(daemon.result().exited(0)) << daemon.result().describe();
}

// `rollback --to N` pins N, and every node's pass installs it; a node whose
// reload fails rolls back alone and its row says so, while the other
// carries on.
TEST_F(PostgresqlFleetTest, ARollbackReachesEveryNodeAndAFailingNodeRollsBackAlone) {
  auto v2 = pki_.leaf();
  ASSERT_NO_FATAL_FAILURE(two_nodes_with_version_two(v2));
  const std::string a = hosts_.file("mx1/live"), b = hosts_.file("mx2/live");
  ASSERT_EQ(ck({"--node", "mx2", "renew"}).exit_code, 0);
  ASSERT_EQ(read_file(b + "/cert.pem"), v2.pem());
  // mx2's service now refuses any reload.
  ASSERT_EQ(ck({"--node", "mx2", "target", "add", "web", "--dir", b, "--reload", "sh -c 'echo refused >&2; exit 1'"})
                .exit_code,
            0);
  auto back = ck({"--node", "mx1", "rollback", "web", "--to", "1"});
  ASSERT_EQ(back.exit_code, 0) << back.err;
  EXPECT_EQ(read_file(a + "/cert.pem"), leaf_->pem());
  auto failing = ck({"--node", "mx2", "--json", "renew"});
  EXPECT_EQ(failing.exit_code, 5) << failing.out << failing.err;
  ASSERT_EQ(json(failing)["installs"].size(), 1u) << failing.out;
  EXPECT_EQ(json(failing)["installs"][0]["version"], 1);
  EXPECT_EQ(read_file(b + "/cert.pem"), v2.pem()) << "mx2 switched back to what it served";
  // The next passes leave both alone.
  EXPECT_EQ(ck({"--node", "mx2", "renew"}).exit_code, 0);
  EXPECT_TRUE(json(ck({"--node", "mx1", "--json", "renew"}))["installs"].empty());
  auto listed = json(ck({"--node", "mx1", "--json", "nodes"}));
  ASSERT_EQ(listed["nodes"].size(), 2u) << listed;
  EXPECT_EQ(listed["nodes"][0]["targets_converged"], 1);
  EXPECT_EQ(listed["nodes"][1]["name"], "mx2");
  EXPECT_EQ(listed["nodes"][1]["targets_failing"], 1);
  auto targets = json(ck({"--json", "target", "list", "web"}))["targets"];
  EXPECT_EQ(targets[1]["installed_version"], 2);
  EXPECT_EQ(targets[1]["failed_version"], 1);
  EXPECT_NE(targets[1]["probe_detail"].get<std::string>().find("refused"), std::string::npos) << targets[1];
}

}  // namespace
}  // namespace certkeeper::testing
