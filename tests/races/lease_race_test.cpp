// Leases (issue 12, "One node talks to the CA"): real certkeeper processes
// of different nodes against one inventory and Debian's pebble. The order is
// held at a dns-01 hook that waits at a gate (the challenge presented, not
// yet answered); the holder is then stopped (SIGSTOP) or killed (SIGKILL)
// past its lease (init --lease-seconds 6), and another node takes over.
#include <signal.h>

#include <memory>

#include "races/race_fixture.h"

namespace certkeeper::testing {
namespace {

constexpr const char* kLeaseSecondsForTests = "6";

class LeaseRaceTest : public PebbleRaceTest {
 protected:
  void SetUp() override {
    PebbleRaceTest::SetUp();
    auto r = ck({"init", "--lease-seconds", kLeaseSecondsForTests});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    gate_ = std::make_unique<Gate>(pki_.dir().path(), "present");
    const std::string hook = gated_dns01_hook(pki_, *pebble_, *gate_);
    r = ck({"add", "web", "--domain", "web.example.test", "--challenge", "dns-01", "--dns-hook", hook,
            "--dns-propagation", "0"});
    ASSERT_EQ(r.exit_code, 0) << r.err;
  }

  std::vector<std::string> on_node(const std::string& node, std::vector<std::string> args) const {
    args.insert(args.begin(), {"--json", "--node", node});
    return with_db(std::move(args));
  }

  // The order URLs of the certificate's orders, as opened and as attempted.
  std::vector<std::string> order_urls(const std::string& kind) {
    std::vector<std::string> urls;
    for (const auto& e : events_of_kind("web", kind)) urls.push_back(e["detail"]["order_url"]);
    return urls;
  }

  std::unique_ptr<Gate> gate_;
};

// A holder killed in the middle of its order: once its lease expires,
// another node takes it over and completes that same order; one
// certificate is issued.
TEST_F(LeaseRaceTest, AHolderKilledMidOrderIsReplacedAndItsOrderCompleted) {
  Running a(on_node("node-a", {"issue", "web"}));
  ASSERT_TRUE(gate_->wait_reached(1)) << "node-a's order is open, its challenge presented";
  ::kill(a.pid(), SIGKILL);
  EXPECT_EQ(a.result().signal, SIGKILL) << a.result().describe();
  Running b(on_node("node-b", {"issue", "web"}));
  EXPECT_TRUE(b.wait_for_stderr("held by node node-a")) << "node-b waits for the lease to expire";
  ASSERT_TRUE(gate_->wait_reached(2)) << "node-b took the lease over and presents the same challenge";
  gate_->open(2);  // node-b's hook, and the dead holder's orphan
  ASSERT_TRUE(b.result().exited(0)) << b.result().describe() << b.result().out;
  EXPECT_NE(b.result().err.find("took over the lease to talk to the CA from node node-a (generation 1"),
            std::string::npos)
      << b.result().err;
  auto issued = nlohmann::json::parse(b.result().out)["certificates"][0];
  EXPECT_EQ(issued["version"], 1) << issued.dump();
  EXPECT_TRUE(issued["resumed"]) << "the dead holder's order, resumed: " << issued.dump();
  const auto opened = order_urls("order-opened");
  ASSERT_EQ(opened.size(), 1u) << "one order at the CA";
  for (const auto& url : order_urls("issue-attempt")) EXPECT_EQ(url, opened[0]) << "the same order";
  auto taken = events_of_kind("web", "lease-taken-over");
  ASSERT_EQ(taken.size(), 1u);
  EXPECT_EQ(taken[0]["detail"]["previous_node"], "node-a");
  EXPECT_EQ(taken[0]["detail"]["previous_generation"], 1);
  EXPECT_EQ(taken[0]["detail"]["node"], "node-b");
  EXPECT_EQ(taken[0]["detail"]["generation"], 2);
  EXPECT_EQ(expect_consistent("web"), 1u);
  EXPECT_TRUE(events_of_kind("web", "issue-failed").empty());
}

// A holder stopped past its lease and continued after another node stored
// the certificate cannot commit: it stops with the lease-lost error and
// stores nothing; one version in all.
TEST_F(LeaseRaceTest, AHolderStoppedPastItsLeaseCannotCommitWhenContinued) {
  Running a(on_node("node-a", {"issue", "web"}));
  ASSERT_TRUE(gate_->wait_reached(1)) << "node-a's order is open, its challenge presented";
  ::kill(a.pid(), SIGSTOP);
  Running b(on_node("node-b", {"issue", "web"}));
  ASSERT_TRUE(gate_->wait_reached(2)) << "node-b took the stopped holder's lease over once it expired";
  gate_->open(2);  // node-b's hook, and node-a's (its process stays stopped)
  ASSERT_TRUE(b.result().exited(0)) << b.result().describe() << b.result().out;
  EXPECT_EQ(nlohmann::json::parse(b.result().out)["certificates"][0]["version"], 1);
  ::kill(a.pid(), SIGCONT);
  const auto& ra = a.result();
  EXPECT_TRUE(ra.exited(1)) << ra.describe() << ra.out;
  EXPECT_NE(ra.err.find("web: the lease to talk to the CA passed to node node-b (generation 2); this node's order "
                        "is abandoned; nothing stored"),
            std::string::npos)
      << ra.err;
  auto doc = nlohmann::json::parse(ra.out);
  EXPECT_EQ(doc["certificates"][0]["stored"], false) << doc.dump();
  EXPECT_EQ(expect_consistent("web"), 1u) << "one version: the stopped holder stored nothing";
  EXPECT_EQ(order_urls("order-opened").size(), 1u) << "node-b completed node-a's order";
  EXPECT_TRUE(events_of_kind("web", "issue-failed").empty()) << "a lost lease is not the certificate's failure";
  EXPECT_EQ(events_of_kind("web", "lease-taken-over").size(), 1u);
}

// Two nodes forced to renew at once: the one that holds the lease orders,
// the other skips the certificate; exactly one new order and one new
// version. (On SQLite both are one node: the pass lock keeps the second
// pass out at once.)
TEST_F(LeaseRaceTest, TwoNodesForcedToRenewAtOnceMakeOneOrder) {
  Running a(on_node("node-a", {"renew", "--force", "web"}));
  ASSERT_TRUE(gate_->wait_reached(1)) << "node-a's pass holds the lease and its order is open";
  auto b = run_certkeeper(on_node("node-b", {"renew", "--force", "web"}));
  if (on_postgresql()) {
    ASSERT_EQ(b.exit_code, 0) << b.out << b.err;
    auto item = nlohmann::json::parse(b.out)["certificates"][0];
    EXPECT_FALSE(item.value("renewed", false)) << item.dump();
    EXPECT_NE(item.dump().find("held by node node-a"), std::string::npos) << item.dump();
  } else {
    EXPECT_EQ(b.exit_code, 1) << b.out << b.err;
    EXPECT_NE(b.err.find("another renew pass is running"), std::string::npos) << b.err;
  }
  EXPECT_EQ(gate_->reached(), 1) << "node-b presented nothing";
  gate_->open(1);
  ASSERT_TRUE(a.result().exited(0)) << a.result().describe() << a.result().out;
  EXPECT_EQ(order_urls("order-opened").size(), 1u) << "exactly one order at the CA";
  EXPECT_EQ(expect_consistent("web"), 1u);
}

}  // namespace
}  // namespace certkeeper::testing
