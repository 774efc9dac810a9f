// A fleet's rows (issue 12, db/*/0010_nodes.sql) on both backends: the
// heartbeat, the node list with its targets' state, `node remove`, targets
// per node (one node on SQLite), and what a node still has to install.
#include <gtest/gtest.h>

#include "certkeeper/store/inventory.h"
#include "store/store_backends.h"
#include "store/store_fixtures.h"

namespace certkeeper::store {
namespace {

using testing::acme_version;
using testing::definition;
using testing::kDay;
using testing::kNow;

class NodesTest : public ::testing::TestWithParam<testing::StoreBackend> {
 protected:
  void SetUp() override {
    auto inv = testing::open_fresh(GetParam(), dir_, path_);
    ASSERT_TRUE(inv) << inv.error().what();
    inv_.emplace(std::move(*inv));
  }

  bool fleet() const { return GetParam() == testing::StoreBackend::postgresql; }

  void version(const std::string& name, const std::string& fingerprint) {
    auto stored = inv_->append_version(definition(name), acme_version(fingerprint), "imported", "{}", "t", kNow);
    ASSERT_TRUE(stored) << stored.error().what();
  }

  std::int64_t target(const std::string& name, const std::string& node, const std::string& dir) {
    TargetRecord t;
    t.certificate_name = name;
    t.node = node;
    t.dir = dir;
    auto saved = inv_->save_target(t, "t", kNow);
    EXPECT_TRUE(saved) << saved.error().what();
    return saved ? saved->id : 0;
  }

  void beat(const std::string& node, UnixTime at, const std::string& doing = "idle") {
    auto ok = inv_->heartbeat({node, "0.1.0", doing, 42}, at, "scheduler");
    ASSERT_TRUE(ok) << ok.error().what();
  }

  std::vector<NodeRecord> nodes() {
    auto listed = inv_->nodes();
    EXPECT_TRUE(listed) << listed.error().what();
    return listed ? *listed : std::vector<NodeRecord>{};
  }

  std::vector<Unconverged> lacking(const std::string& node, UnixTime now = kNow) {
    auto u = inv_->unconverged(node, now);
    EXPECT_TRUE(u) << u.error().what();
    return u ? *u : std::vector<Unconverged>{};
  }

  testing::TempDir dir_;
  std::string path_;
  std::optional<Inventory> inv_;
};

TEST_P(NodesTest, AHeartbeatCreatesTheRowThenMovesLastSeenOnly) {
  beat("mx1", kNow - 100, "renew pass");
  beat("mx1", kNow, "idle");
  auto list = nodes();
  ASSERT_EQ(list.size(), 1u);
  EXPECT_EQ(list[0].name, "mx1");
  EXPECT_EQ(list[0].first_seen, kNow - 100);
  EXPECT_EQ(list[0].last_seen, kNow);
  EXPECT_EQ(list[0].doing, "idle");
  EXPECT_EQ(list[0].version, "0.1.0");
  EXPECT_EQ(list[0].pid, 42);
  EXPECT_TRUE(list[0].known);
}

TEST_P(NodesTest, TargetsBelongToTheirNodeOnPostgresqlAndToTheOneNodeOnSqlite) {
  version("mail", "v1");
  target("mail", "mx1", "/etc/ssl/mail");
  target("mail", "mx2", "/etc/ssl/mail");
  auto all = inv_->targets("mail");
  ASSERT_TRUE(all);
  auto mine = inv_->node_targets("mail", "mx1");
  ASSERT_TRUE(mine);
  if (fleet()) {
    // The same path on two hosts: two targets, each node installs its own.
    ASSERT_EQ(all->size(), 2u);
    ASSERT_EQ(mine->size(), 1u);
    EXPECT_EQ((*mine)[0].node, "mx1");
  } else {
    // One node: the directory is one target, taken over by the last node
    // that added it.
    ASSERT_EQ(all->size(), 1u);
    EXPECT_EQ((*all)[0].node, "mx2");
    ASSERT_EQ(mine->size(), 1u);
  }
}

TEST_P(NodesTest, RemoveTargetNamesTheNodeOnPostgresql) {
  version("mail", "v1");
  target("mail", "mx1", "/etc/ssl/mail");
  target("mail", "mx2", "/etc/ssl/mail");
  ASSERT_TRUE(inv_->remove_target("mail", "mx2", "/etc/ssl/mail", "t", kNow));
  auto left = inv_->targets("mail");
  ASSERT_TRUE(left);
  EXPECT_EQ(left->size(), fleet() ? 1u : 0u);
  if (fleet()) {
    EXPECT_EQ((*left)[0].node, "mx1");
    auto missing = inv_->remove_target("mail", "mx3", "/etc/ssl/mail", "t", kNow);
    ASSERT_FALSE(missing);
    EXPECT_EQ(missing.error().code, Errc::not_found);
    EXPECT_NE(missing.error().message.find("node mx3"), std::string::npos) << missing.error().message;
  }
}

TEST_P(NodesTest, TheListCountsEachNodesTargetsAndNamesNodesWithoutAHeartbeat) {
  version("mail", "v1");
  version("web", "w1");
  auto a = target("mail", "mx1", "/srv/a");
  target("web", "mx1", "/srv/w");
  auto c = target("mail", "mx2", "/srv/c");
  beat("mx1", kNow);
  ASSERT_TRUE(inv_->finish_install("mail", {{a, 1, 1, true, ""}}, "installed", "{}", "t", kNow));
  if (fleet()) {
    ASSERT_TRUE(inv_->finish_install("mail", {{c, std::nullopt, 1, false, "probe saw another certificate"}},
                                     "install-rolled-back", "{}", "t", kNow));
    auto list = nodes();
    ASSERT_EQ(list.size(), 2u);
    EXPECT_EQ(list[0].name, "mx1");
    EXPECT_EQ(list[0].targets, 2);
    EXPECT_EQ(list[0].targets_converged, 1);
    EXPECT_EQ(list[0].targets_failing, 0);
    EXPECT_EQ(list[1].name, "mx2");
    EXPECT_FALSE(list[1].known);  // never beat: named by its target only
    EXPECT_EQ(list[1].targets, 1);
    EXPECT_EQ(list[1].targets_failing, 1);
  } else {
    // The heartbeat made every target the one node's.
    auto list = nodes();
    ASSERT_EQ(list.size(), 1u);
    EXPECT_EQ(list[0].targets, 3);
    EXPECT_EQ(list[0].targets_converged, 1);
  }
}

TEST_P(NodesTest, FinishInstallRecordsTheProbeAndTheVersionThatRolledBack) {
  version("mail", "v1");
  auto t = target("mail", "mx1", "/srv/a");
  ASSERT_TRUE(inv_->finish_install("mail", {{t, 1, 1, true, ""}}, "installed", "{}", "t", kNow - 50));
  version("mail", "v2");
  ASSERT_TRUE(inv_->finish_install("mail", {{t, 1, 2, false, "reload failed"}}, "install-rolled-back", "{}", "t",
                                   kNow));
  auto rows = inv_->targets("mail");
  ASSERT_TRUE(rows);
  const auto& r = rows->at(0);
  EXPECT_EQ(r.installed_version, 1);
  EXPECT_EQ(r.installed_at, kNow - 50);  // what is live did not change
  EXPECT_EQ(r.probe_ok, false);
  EXPECT_EQ(r.probe_detail, "reload failed");
  EXPECT_EQ(r.probed_at, kNow);
  EXPECT_EQ(r.failed_version, 2);
  // A later success clears the failure.
  ASSERT_TRUE(inv_->finish_install("mail", {{t, 2, 2, true, ""}}, "installed", "{}", "t", kNow + 10));
  rows = inv_->targets("mail");
  EXPECT_EQ(rows->at(0).installed_at, kNow + 10);
  EXPECT_EQ(rows->at(0).probe_ok, true);
  EXPECT_FALSE(rows->at(0).failed_version);
}

TEST_P(NodesTest, UnconvergedListsTheNodesTargetsThatLackTheDesiredVersion) {
  version("mail", "v1");
  version("web", "w1");
  auto a = target("mail", "mx1", "/srv/a");
  auto w = target("web", "mx1", "/srv/w");
  target("mail", "mx2", "/srv/b");
  ASSERT_TRUE(inv_->finish_install("web", {{w, 1, 1, true, ""}}, "installed", "{}", "t", kNow));
  auto u = lacking("mx1");
  ASSERT_EQ(u.size(), 1u);
  EXPECT_EQ(u[0].name, "mail");
  EXPECT_EQ(u[0].version, 1);
  // A version that rolled back here is not tried again by a pass ...
  ASSERT_TRUE(inv_->finish_install("mail", {{a, std::nullopt, 1, false, "probe"}}, "install-rolled-back", "{}", "t",
                                   kNow));
  if (fleet()) {
    EXPECT_TRUE(lacking("mx1").empty());
    // ... while another node's target is its own business.
    ASSERT_EQ(lacking("mx2").size(), 1u);
  } else {
    // (One node on SQLite: /srv/b lacks it still.)
    ASSERT_EQ(lacking("mx1").size(), 1u);
  }
  // ... but a newer one is.
  version("mail", "v2");
  auto again = lacking("mx1");
  ASSERT_EQ(again.size(), 1u);
  EXPECT_EQ(again[0].version, 2);
  // An expired desired version is not installed by a pass.
  EXPECT_TRUE(lacking("mx1", kNow + 200 * kDay).empty());
}

TEST_P(NodesTest, RemoveNodeForgetsTheRowKeepsItsTargetsAndWritesAnEvent) {
  version("mail", "v1");
  target("mail", "mx2", "/srv/b");
  beat("mx2", kNow - 3600);
  auto removed = inv_->remove_node("mx2", "cli:root", kNow);
  ASSERT_TRUE(removed) << removed.error().what();
  EXPECT_EQ(removed->last_seen, kNow - 3600);
  EXPECT_EQ(removed->targets, 1);
  auto list = nodes();
  ASSERT_EQ(list.size(), 1u);
  EXPECT_FALSE(list[0].known);  // its target still names it
  auto events = inv_->events("");
  ASSERT_TRUE(events);
  EXPECT_EQ(events->back().kind, "node-removed");
  EXPECT_NE(events->back().detail_json.find("\"mx2\""), std::string::npos);
  auto again = inv_->remove_node("mx2", "cli:root", kNow);
  ASSERT_FALSE(again);
  EXPECT_EQ(again.error().code, Errc::not_found);
}

TEST_P(NodesTest, OnPostgresqlTheFirstHeartbeatAdoptsTargetsMadeBeforeNodes) {
  version("mail", "v1");
  target("mail", "", "/srv/old");  // as migration 0010 leaves an older target
  // Before adoption every node sees it (it would install it).
  ASSERT_EQ(inv_->node_targets("mail", "mx1")->size(), 1u);
  beat("mx1", kNow);
  auto rows = inv_->targets("mail");
  ASSERT_TRUE(rows);
  EXPECT_EQ(rows->at(0).node, "mx1");
  beat("mx2", kNow);
  // Adopted once on PostgreSQL; on SQLite the one node is whoever beats.
  EXPECT_EQ(inv_->targets("mail")->at(0).node, fleet() ? "mx1" : "mx2");
  if (fleet()) {
    EXPECT_TRUE(inv_->node_targets("mail", "mx2")->empty());
    auto events = inv_->events("mail");
    ASSERT_TRUE(events);
    EXPECT_EQ(events->back().kind, "target-adopted");
  }
}

TEST_P(NodesTest, TheConvergenceMarkMovesWithEveryEvent) {
  version("mail", "v1");
  beat("mx1", kNow);
  auto first = inv_->convergence_mark("mx1");
  ASSERT_TRUE(first) << first.error().what();
  EXPECT_FALSE(first->unchanged) << "never converged";
  EXPECT_GT(first->newest_event, 0);
  ASSERT_TRUE(inv_->mark_converged("mx1", first->newest_event));
  auto idle = inv_->convergence_mark("mx1");
  EXPECT_TRUE(idle->unchanged);
  EXPECT_FALSE(inv_->convergence_mark("mx2")->unchanged) << "another node has its own mark";
  // A heartbeat is no event; a new version, a target or a pin is.
  beat("mx1", kNow + 30);
  EXPECT_TRUE(inv_->convergence_mark("mx1")->unchanged);
  target("mail", "mx1", "/srv/a");
  EXPECT_FALSE(inv_->convergence_mark("mx1")->unchanged);
}

// Fleet views (issue 12): the report rows carry, per node with targets of
// the certificate, the lowest installed version, whether every probe
// passed, the newest install and the node's heartbeat; read by one query
// for the whole report, with and without --within.
TEST_P(NodesTest, ReportRowsCarryEachNodesShareOfTheCertificate) {
  version("mail", "v1");
  version("mail", "v2");
  version("web", "w1");
  auto a = target("mail", "mx1", "/srv/a");
  auto b = target("mail", "mx1", "/srv/b");
  auto c = target("mail", "mx2", "/srv/c");
  beat("mx1", kNow - 5);
  ASSERT_TRUE(inv_->finish_install("mail", {{a, 2, 2, true, ""}}, "installed", "{}", "t", kNow - 30));
  ASSERT_TRUE(inv_->finish_install("mail", {{b, 1, 1, true, ""}}, "installed", "{}", "t", kNow - 60));
  ASSERT_TRUE(inv_->finish_install("mail", {{c, std::nullopt, 2, false, "probe"}}, "install-rolled-back", "{}", "t",
                                   kNow - 20));
  ASSERT_TRUE(inv_->set_settings({{"drift_after", "1200"}, {"node_down_after", "300"}}, "t", kNow));
  for (std::optional<UnixTime> within : {std::optional<UnixTime>(), std::optional<UnixTime>(kNow + 400 * kDay)}) {
    auto rows = inv_->report_rows(within);
    ASSERT_TRUE(rows) << rows.error().what();
    ASSERT_EQ(rows->size(), 2u);
    const ReportRow* mail = nullptr;
    const ReportRow* web = nullptr;
    for (const auto& r : *rows) (r.name == "mail" ? mail : web) = &r;
    ASSERT_TRUE(mail && web);
    EXPECT_TRUE(web->nodes.empty());
    EXPECT_EQ(mail->fleet, fleet());
    EXPECT_EQ(mail->drift_after, 1200);
    EXPECT_EQ(mail->node_down_after, 300);
    EXPECT_EQ(mail->version_stored_at, kNow);
    if (fleet()) {
      ASSERT_EQ(mail->nodes.size(), 2u);
      const auto& mx1 = mail->nodes[0];
      EXPECT_EQ(mx1.node, "mx1");
      EXPECT_EQ(mx1.installed_version, 1);  // the lowest of its two targets
      EXPECT_EQ(mx1.probe_ok, true);
      EXPECT_EQ(mx1.installed_at, kNow - 30);  // the newest install
      EXPECT_EQ(mx1.last_seen, kNow - 5);
      const auto& mx2 = mail->nodes[1];
      EXPECT_EQ(mx2.node, "mx2");
      EXPECT_FALSE(mx2.installed_version);  // nothing live there
      EXPECT_EQ(mx2.probe_ok, false);
      EXPECT_FALSE(mx2.installed_at);
      EXPECT_FALSE(mx2.last_seen);  // never beat
    } else {
      // One node: the heartbeat made every target mx1's.
      ASSERT_EQ(mail->nodes.size(), 1u);
      EXPECT_EQ(mail->nodes[0].node, "mx1");
      EXPECT_EQ(mail->nodes[0].installed_version, 1);
      EXPECT_EQ(mail->nodes[0].probe_ok, false);  // /srv/c's probe failed
      EXPECT_EQ(mail->nodes[0].last_seen, kNow - 5);
    }
  }
  // A node forgotten keeps its share, without a heartbeat.
  if (fleet()) {
    ASSERT_TRUE(inv_->remove_node("mx1", "t", kNow));
    auto rows = inv_->report_rows(std::nullopt);
    ASSERT_TRUE(rows);
    for (const auto& r : *rows) {
      if (r.name == "mail") {
        EXPECT_FALSE(r.nodes.at(0).last_seen);
      }
    }
  }
}

TEST_P(NodesTest, ReportRowsWithHistoryCarryTheFleetToo) {
  version("mail", "v1");
  auto a = target("mail", "mx1", "/srv/a");
  beat("mx1", kNow);
  ASSERT_TRUE(inv_->finish_install("mail", {{a, 1, 1, true, ""}}, "installed", "{}", "t", kNow));
  auto report = inv_->report_rows_with_history(std::nullopt, 10, 10);
  ASSERT_TRUE(report) << report.error().what();
  ASSERT_EQ(report->rows.size(), 1u);
  ASSERT_EQ(report->rows[0].nodes.size(), 1u);
  EXPECT_EQ(report->rows[0].nodes[0].installed_version, 1);
  EXPECT_EQ(report->rows[0].drift_after, kDefaultDriftAfter);
}

CK_ON_BOTH_BACKENDS(NodesTest);

}  // namespace
}  // namespace certkeeper::store
