// probe and watch against a real nginx (tests/support/nginx.h): the served
// chain, the match with the inventory, a watched endpoint that changes its
// certificate, goes down and comes back, and the scheduler pass that probes
// it. Nothing here ever places an order.
#include <sys/stat.h>

#include <filesystem>

#include "cli/cli_fixture.h"
#include "support/nginx.h"
#include "support/temp_dir.h"

namespace certkeeper::testing {
namespace {

class WatchTest : public CliTest {
 protected:
  void SetUp() override {
    init();
    v1_ = pki_.leaf();
    v2_ = pki_.leaf();
    auto f1 = write_set(*v1_, "v1-");
    ASSERT_EQ(ck({"import", "web", "--cert", f1.cert, "--key", f1.key, "--chain", f1.chain}).exit_code, 0);
    root_ = pki_.write("root.pem", pki_.root().pem());
    serve(*v1_);
    nginx_ = std::make_unique<Nginx>(work_.file("nginx"), std::vector<NginxServer>{{cert_, key_}});
    std::filesystem::create_directories(work_.file("nginx"));
    nginx_->start();
    ASSERT_TRUE(wait_for_leaf(nginx_->port(), v1_->der()));
  }

  void serve(const Cert& leaf) {
    cert_ = work_.file("served.pem");
    key_ = work_.file("served.key");
    write_file(cert_, pem_concat({leaf.pem(), pki_.intermediate().pem()}));
    write_file(key_, leaf.key().pem());
    ::chmod(key_.c_str(), 0600);
  }
  void switch_to(const Cert& leaf) {
    const std::vector<pid_t> old = nginx_->workers();
    serve(leaf);
    ASSERT_EQ(run_command(nginx_->reload_argv()).exit_code, 0);
    ASSERT_TRUE(wait_for_leaf(nginx_->port(), leaf.der()));
    ASSERT_TRUE(nginx_->wait_for_workers_gone(old));
  }
  std::string endpoint() const { return nginx_->address(); }
  std::string remote_name() const { return "127.0.0.1-" + std::to_string(nginx_->port()); }
  nlohmann::json report_row(const std::string& name) {
    auto r = ck({"report", "--format", "json"});
    EXPECT_EQ(r.exit_code, 0) << r.err;
    const nlohmann::json doc = json(r);
    for (const auto& row : doc["certificates"]) {
      if (row["name"] == name) return row;
    }
    return nullptr;
  }
  std::vector<std::string> event_kinds(const std::string& name) {
    auto r = ck({"--json", "history", name});
    EXPECT_EQ(r.exit_code, 0) << r.err;
    std::vector<std::string> kinds;
    const nlohmann::json doc = json(r);
    for (const auto& e : doc["events"]) kinds.push_back(e["kind"]);
    return kinds;
  }

  TempDir work_;
  std::optional<Cert> v1_, v2_;
  std::string root_, cert_, key_;
  std::unique_ptr<Nginx> nginx_;
};

TEST_F(WatchTest, ProbeShowsTheServedChainAndTheInventoryMatch) {
  auto r = ck({"--json", "probe", endpoint(), "--servername", "www.example.test", "--ca-file", root_});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto doc = json(r);
  EXPECT_EQ(doc["endpoint"], endpoint());
  EXPECT_EQ(doc["servername"], "www.example.test");
  ASSERT_EQ(doc["chain"].size(), 2u);
  EXPECT_EQ(doc["chain"][0]["fingerprint_sha256"], v1_->facts().fingerprint_sha256);
  EXPECT_EQ(doc["chain"][0]["names"][0], "www.example.test");
  EXPECT_TRUE(doc["verifies"]);
  EXPECT_TRUE(doc["name_covered"]);
  EXPECT_EQ(doc["inventory"]["name"], "web");
  EXPECT_EQ(doc["inventory"]["version"], 1);

  auto text = ck({"probe", endpoint(), "--servername", "www.example.test", "--ca-file", root_});
  ASSERT_EQ(text.exit_code, 0) << text.err;
  EXPECT_NE(text.out.find("verifies: yes"), std::string::npos) << text.out;
  EXPECT_NE(text.out.find("inventory: web version 1"), std::string::npos) << text.out;
}

TEST_F(WatchTest, ProbeWithoutTheTestRootDoesNotVerifyAndAnUnknownLeafMatchesNothing) {
  switch_to(*v2_);  // not in the inventory
  auto r = ck({"--json", "probe", endpoint(), "--servername", "other.example.test"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto doc = json(r);
  EXPECT_FALSE(doc["verifies"]);
  EXPECT_NE(doc["verify_error"], "");
  EXPECT_FALSE(doc["name_covered"]);
  EXPECT_TRUE(doc["inventory"].is_null());
}

TEST_F(WatchTest, AnUnreachableEndpointIsSaidToBeUnreachable) {
  const std::string where = endpoint();
  nginx_->stop();
  auto r = ck({"probe", where});
  EXPECT_EQ(r.exit_code, 1) << r.err;
  EXPECT_NE(r.err.find(where), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("unreachable (tried twice)"), std::string::npos) << r.err;
  EXPECT_EQ(r.err.find("expired"), std::string::npos) << r.err;
  EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << r.err;
}

TEST_F(WatchTest, AWatchedEndpointFollowsItsCertificateAndItsOutages) {
  auto added = ck({"watch", "add", endpoint(), "--servername", "www.example.test", "--ca-file", root_});
  ASSERT_EQ(added.exit_code, 0) << added.err;
  const std::string name = remote_name();
  EXPECT_NE(added.out.find(name), std::string::npos) << added.out;
  auto row = report_row(name);
  ASSERT_FALSE(row.is_null());
  EXPECT_EQ(row["source"], "remote");
  EXPECT_EQ(row["status"], "valid");
  EXPECT_EQ(row["fingerprint_sha256"], v1_->facts().fingerprint_sha256);

  // A new certificate is served: the next check stores it as version 2.
  switch_to(*v2_);
  auto checked = ck({"--json", "watch", "check"});
  ASSERT_EQ(checked.exit_code, 0) << checked.err;
  EXPECT_EQ(json(checked)["endpoints"][0]["new_version"], 2);
  EXPECT_EQ(report_row(name)["fingerprint_sha256"], v2_->facts().fingerprint_sha256);

  // Down: unreachable (not expired), exit 1, the stored certificate kept.
  nginx_->stop();
  auto down = ck({"watch", "check", name});
  EXPECT_EQ(down.exit_code, 1) << down.err;
  EXPECT_NE(down.err.find("unreachable"), std::string::npos) << down.err;
  row = report_row(name);
  EXPECT_EQ(row["status"], "unreachable");
  EXPECT_EQ(row["fingerprint_sha256"], v2_->facts().fingerprint_sha256);

  // Back: reachable again, with both changes in the history.
  nginx_->start();
  ASSERT_TRUE(wait_for_leaf(nginx_->port(), v2_->der()));
  auto back = ck({"watch", "check", name});
  EXPECT_EQ(back.exit_code, 0) << back.err;
  EXPECT_EQ(report_row(name)["status"], "valid");
  auto kinds = event_kinds(name);
  EXPECT_NE(std::find(kinds.begin(), kinds.end(), "endpoint-unreachable"), kinds.end());
  EXPECT_NE(std::find(kinds.begin(), kinds.end(), "endpoint-reachable"), kinds.end());
  EXPECT_EQ(std::count(kinds.begin(), kinds.end(), "observed"), 2);

  auto list = ck({"--json", "watch", "list"});
  ASSERT_EQ(list.exit_code, 0) << list.err;
  ASSERT_EQ(json(list)["endpoints"].size(), 1u);
  EXPECT_EQ(json(list)["endpoints"][0]["endpoint"], endpoint() + ",servername=www.example.test");
  EXPECT_EQ(json(list)["endpoints"][0]["version"], 2);
}

TEST_F(WatchTest, ADownEndpointIsStillAddedWithAWarning) {
  const std::string where = endpoint();
  nginx_->stop();
  auto added = ck({"watch", "add", where});
  EXPECT_EQ(added.exit_code, 0) << added.err;
  EXPECT_NE(added.err.find("unreachable"), std::string::npos) << added.err;
  EXPECT_EQ(report_row(remote_name())["status"], "unreachable");
}

TEST_F(WatchTest, TheSchedulerPassProbesWatchedEndpointsAndAlerts) {
  ASSERT_EQ(ck({"watch", "add", endpoint(), "--name", "edge"}).exit_code, 0);
  const std::string hook_log = work_.file("hook.log");
  const std::string hook = pki_.write("hook.sh", "#!/bin/sh\necho \"$1 $2 $CERTKEEPER_ERROR\" >> " + hook_log + "\n");
  ::chmod(hook.c_str(), 0755);
  auto pass = ck({"renew", "edge", "--on-event", hook});
  EXPECT_EQ(pass.exit_code, 0) << pass.err;
  EXPECT_NE(pass.out.find("edge: next check"), std::string::npos) << pass.out;
  EXPECT_NE(pass.out.find("served certificate (version 1) valid until"), std::string::npos) << pass.out;
  EXPECT_EQ(read_file(hook_log), "");

  nginx_->stop();
  auto down = ck({"renew", "edge", "--on-event", hook});
  EXPECT_EQ(down.exit_code, 0) << "an endpoint being down is not a renewal failure: " << down.err;
  EXPECT_NE(read_file(hook_log).find("unreachable edge "), std::string::npos) << read_file(hook_log);
  // Said once, not at every pass while it stays down.
  ASSERT_EQ(ck({"renew", "edge", "--on-event", hook}).exit_code, 0);
  const std::string log = read_file(hook_log);
  EXPECT_EQ(std::count(log.begin(), log.end(), '\n'), 1) << log;

  auto dry = ck({"renew", "--dry-run", "edge"});
  EXPECT_EQ(dry.exit_code, 0) << dry.err;
  EXPECT_NE(dry.out.find("would probe the watched endpoint"), std::string::npos) << dry.out;
}

TEST_F(WatchTest, ARemoteCertificateHasNoKeyToInstallAndNamesDoNotClash) {
  ASSERT_EQ(ck({"watch", "add", endpoint(), "--name", "edge"}).exit_code, 0);
  auto target = ck({"target", "add", "edge", "--dir", work_.file("t")});
  EXPECT_EQ(target.exit_code, 2) << target.err;
  EXPECT_NE(target.err.find("no key to install"), std::string::npos) << target.err;
  auto clash = ck({"watch", "add", endpoint(), "--name", "web"});
  EXPECT_EQ(clash.exit_code, 1) << clash.err;
  EXPECT_NE(clash.err.find("is a manual certificate"), std::string::npos) << clash.err;
  auto two = ck({"watch", "add", endpoint(), "127.0.0.1:1", "--name", "x"});
  EXPECT_EQ(two.exit_code, 2) << two.err;
}

}  // namespace
}  // namespace certkeeper::testing
