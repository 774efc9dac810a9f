// install, rollback, target and import --install against a real nginx
// (tests/support/nginx.h): the probe is the judge, so every test checks what
// nginx actually serves, not only what certkeeper says.
#include <grp.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>

#include "cli/cli_fixture.h"
#include "support/nginx.h"
#include "support/temp_dir.h"
#include "support/tls_endpoint.h"

namespace certkeeper::testing {
namespace {

class InstallTest : public CliTest {
 protected:
  void SetUp() override {
    init();
    v1_ = pki_.leaf();
    v2_ = pki_.leaf();
    auto f1 = write_set(*v1_, "v1-");
    auto f2 = write_set(*v2_, "v2-");
    ASSERT_EQ(ck({"import", "web", "--cert", f1.cert, "--key", f1.key, "--chain", f1.chain}).exit_code, 0);
    ASSERT_EQ(ck({"import", "web", "--cert", f2.cert, "--key", f2.key, "--chain", f2.chain}).exit_code, 0);
    target_ = work_.file("live/web");
    std::filesystem::create_directories(target_);
    // The operator's files from before certkeeper: version 1, as regular files.
    write_file(target_ + "/fullchain.pem", pem_concat({v1_->pem(), pki_.intermediate().pem()}));
    write_file(target_ + "/privkey.pem", v1_->key().pem());
    ::chmod((target_ + "/privkey.pem").c_str(), 0600);
    nginx_dir_ = work_.file("nginx");
    std::filesystem::create_directories(nginx_dir_);
    nginx_ = std::make_unique<Nginx>(nginx_dir_, std::vector<NginxServer>{
                                                     {target_ + "/fullchain.pem", target_ + "/privkey.pem"}});
    nginx_->start();
    ASSERT_TRUE(wait_for_leaf(nginx_->port(), v1_->der()));
  }

  std::string reload() const { return nginx_->reload_command(); }
  std::string probe() const { return nginx_->address() + ",servername=www.example.test"; }

  void add_target(std::vector<std::string> extra = {}) {
    std::vector<std::string> args = {"target", "add", "web", "--dir", target_, "--reload", reload(), "--probe", probe()};
    args.insert(args.end(), extra.begin(), extra.end());
    auto r = ck(args);
    ASSERT_EQ(r.exit_code, 0) << r.err;
  }

  nlohmann::json target_json() {
    auto r = ck({"--json", "target", "list", "web"});
    EXPECT_EQ(r.exit_code, 0) << r.err;
    return json(r)["targets"][0];
  }

  // The kind of the newest event in the certificate's history.
  std::string last_event() {
    auto r = ck({"--json", "history", "web"});
    EXPECT_EQ(r.exit_code, 0) << r.err;
    auto events = json(r)["events"];
    return events.empty() ? std::string() : events.back()["kind"].get<std::string>();
  }

  TempDir work_;
  std::optional<Cert> v1_, v2_;
  std::string target_, nginx_dir_;
  std::unique_ptr<Nginx> nginx_;
};

TEST_F(InstallTest, InstallReloadsNginxAndTheProbeSeesTheNewCertificate) {
  add_target();
  auto r = ck({"--json", "install", "web"});
  ASSERT_EQ(r.exit_code, 0) << r.err << r.out;
  auto doc = json(r);
  EXPECT_EQ(doc["version"], 2);
  EXPECT_EQ(doc["sha256"], v2_->facts().fingerprint_sha256);
  ASSERT_EQ(doc["probes"].size(), 1u);
  EXPECT_TRUE(doc["probes"][0]["ok"]);
  EXPECT_EQ(doc["probes"][0]["served_sha256"], v2_->facts().fingerprint_sha256);
  EXPECT_EQ(doc["reloads"][0]["ok"], true);
  EXPECT_TRUE(wait_for_leaf(nginx_->port(), v2_->der())) << "nginx serves version 2";
  // The operator's old files were kept as version 0, for a rollback.
  EXPECT_EQ(doc["targets"][0]["adopted"].size(), 1u);
  EXPECT_EQ(read_file(target_ + "/cert.pem"), v2_->pem());
  EXPECT_EQ(std::filesystem::read_symlink(target_ + "/privkey.pem"), ".certkeeper/live/privkey.pem");
  EXPECT_EQ(file_mode(target_ + "/.certkeeper/live/privkey.pem"), 0600);
  EXPECT_EQ(file_mode(target_ + "/.certkeeper/live/fullchain.pem"), 0644);
  EXPECT_EQ(target_json()["installed_version"], 2);
  EXPECT_EQ(last_event(), "installed");
}

TEST_F(InstallTest, AFailingReloadIsRolledBackAndTheOldCertificateServed) {
  add_target();
  ASSERT_EQ(ck({"install", "web", "--version", "1"}).exit_code, 0);
  // A second reload command that fails after nginx already loaded version 2.
  add_target({"--reload", "sh -c 'echo config test failed >&2; exit 1'"});
  auto r = ck({"install", "web", "--version", "2"});
  EXPECT_EQ(r.exit_code, 5) << r.out << r.err;
  EXPECT_NE(r.err.find("install of version 2 failed: reload"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("config test failed"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("switched back to version 1"), std::string::npos) << r.err;
  EXPECT_TRUE(wait_for_leaf(nginx_->port(), v1_->der())) << "nginx was reloaded with version 1 again";
  EXPECT_EQ(read_file(target_ + "/cert.pem"), v1_->pem());
  EXPECT_EQ(read_file(target_ + "/privkey.pem"), v1_->key().pem());
  auto t = target_json();
  EXPECT_EQ(t["installed_version"], 1);
  EXPECT_TRUE(t["pending_version"].is_null());
  EXPECT_EQ(last_event(), "install-rolled-back");
}

TEST_F(InstallTest, AProbeThatSeesAnotherCertificateIsRolledBack) {
  add_target();
  ASSERT_EQ(ck({"install", "web", "--version", "1"}).exit_code, 0);
  // Another endpoint that keeps serving an unrelated certificate.
  auto other = pki_.leaf();
  TlsEndpoint stale({pem_concat({other.pem(), pki_.intermediate().pem()}), other.key().pem()});
  add_target({"--probe", "127.0.0.1:" + std::to_string(stale.port()) + ",servername=www.example.test"});
  auto r = ck({"install", "web", "--version", "2", "--probe-wait", "2"});
  EXPECT_EQ(r.exit_code, 5) << r.out << r.err;
  EXPECT_NE(r.err.find("serves another certificate"), std::string::npos) << r.err;
  EXPECT_TRUE(wait_for_leaf(nginx_->port(), v1_->der())) << "nginx serves version 1 again";
  EXPECT_EQ(read_file(target_ + "/fullchain.pem").rfind(v1_->pem(), 0), 0u);
  EXPECT_EQ(target_json()["installed_version"], 1);
}

TEST_F(InstallTest, RollbackReinstallsThePreviousVersion) {
  add_target();
  ASSERT_EQ(ck({"install", "web"}).exit_code, 0);
  ASSERT_TRUE(wait_for_leaf(nginx_->port(), v2_->der()));
  auto plan = ck({"rollback", "web", "--dry-run"});
  ASSERT_EQ(plan.exit_code, 0) << plan.err;
  EXPECT_NE(plan.out.find("would rollback version 1"), std::string::npos) << plan.out;
  EXPECT_TRUE(wait_for_leaf(nginx_->port(), v2_->der(), std::chrono::milliseconds(300))) << "a dry run changes nothing";
  auto r = ck({"rollback", "web"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("rolled back to version 1"), std::string::npos) << r.out;
  EXPECT_TRUE(wait_for_leaf(nginx_->port(), v1_->der()));
  EXPECT_EQ(last_event(), "rolled-back");
  auto none = ck({"rollback", "web"});
  EXPECT_EQ(none.exit_code, 1) << "nothing older than version 1";
  EXPECT_NE(none.err.find("no version older"), std::string::npos) << none.err;
}

// A pass converges this node's targets to the desired version (issue 12):
// what an import stored without --install (or another node renewed) goes
// live at the next pass, through the same transaction.
using ConvergeTest = InstallTest;

TEST_F(ConvergeTest, APassInstallsTheNewestVersionIntoATargetThatLacksIt) {
  add_target();
  auto plan = ck({"--json", "renew", "--dry-run"});
  ASSERT_EQ(plan.exit_code, 0) << plan.err;
  ASSERT_EQ(json(plan)["installs"].size(), 1u) << plan.out;
  EXPECT_TRUE(json(plan)["installs"][0]["install"].is_null()) << "a dry run installs nothing";
  EXPECT_TRUE(wait_for_leaf(nginx_->port(), v1_->der(), std::chrono::milliseconds(300)));
  auto r = ck({"--json", "renew"});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  auto installs = json(r)["installs"];
  ASSERT_EQ(installs.size(), 1u) << r.out;
  EXPECT_EQ(installs[0]["name"], "web");
  EXPECT_EQ(installs[0]["version"], 2);
  EXPECT_EQ(installs[0]["install"]["rolled_back"], false);
  EXPECT_TRUE(wait_for_leaf(nginx_->port(), v2_->der()));
  auto t = target_json();
  EXPECT_EQ(t["installed_version"], 2);
  EXPECT_EQ(t["probe_ok"], true);
  EXPECT_FALSE(t["installed_at"].is_null());
  EXPECT_EQ(last_event(), "installed");
  auto again = ck({"--json", "renew"});
  ASSERT_EQ(again.exit_code, 0) << again.err;
  EXPECT_TRUE(json(again)["installs"].empty()) << again.out;
}

// An install inside a pass does not say the node is idle: the heartbeat
// says "renew pass" until the pass ends (bench/fleet.sh waits for idle).
// The second certificate's reload, run while the pass installs it after
// the first, reads what `nodes` says.
TEST_F(ConvergeTest, ThePassesInstallsLeaveTheHeartbeatAtRenewPassUntilItEnds) {
  add_target();
  auto f = write_set(*v1_, "zz-");
  ASSERT_EQ(ck({"import", "zz", "--cert", f.cert, "--key", f.key, "--chain", f.chain}).exit_code, 0);
  const std::string dir = work_.file("live/zz"), seen = work_.file("nodes-during-pass.json");
  std::filesystem::create_directories(dir);
  std::vector<std::string> nodes = backend_args({"--json", "nodes"});
  nodes.insert(nodes.begin(), {certkeeper_binary(), "--db", db()});
  std::string line;
  for (const auto& w : nodes) line += (line.empty() ? "\"" : " \"") + w + "\"";  // a URI's '&' stays a word
  ASSERT_EQ(ck({"target", "add", "zz", "--dir", dir, "--reload", "sh -c '" + line + " > " + seen + "'"}).exit_code, 0);
  auto r = ck({"--json", "renew"});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  ASSERT_EQ(json(r)["installs"].size(), 2u) << r.out;
  auto during = nlohmann::json::parse(read_file(seen));
  ASSERT_EQ(during["nodes"].size(), 1u) << during;
  EXPECT_EQ(during["nodes"][0]["doing"], "renew pass") << "web's install, earlier in the pass, said nothing";
  auto after = json(ck({"--json", "nodes"}));
  EXPECT_EQ(after["nodes"][0]["doing"], "idle") << "the pass beat at its end";
}

TEST_F(ConvergeTest, AVersionThatRolledBackIsNotRetriedByAPassButByInstall) {
  // The operator's own files (version 1) are live; the newest is 2.
  add_target({"--reload", "sh -c 'echo config test failed >&2; exit 1'"});
  auto r = ck({"--json", "renew"});
  EXPECT_EQ(r.exit_code, 5) << r.out << r.err;
  auto installs = json(r)["installs"];
  ASSERT_EQ(installs.size(), 1u) << r.out;
  EXPECT_EQ(installs[0]["install"]["rolled_back"], true);
  EXPECT_TRUE(wait_for_leaf(nginx_->port(), v1_->der()));
  auto t = target_json();
  EXPECT_TRUE(t["installed_version"].is_null()) << "the operator's files are back";
  EXPECT_EQ(t["probe_ok"], false);
  EXPECT_EQ(t["failed_version"], 2);
  EXPECT_NE(t["probe_detail"].get<std::string>().find("config test failed"), std::string::npos) << t;
  auto text = ck({"target", "list", "web"});
  EXPECT_NE(text.out.find("last install of version 2 rolled back"), std::string::npos) << text.out;
  // The next pass leaves it: the operator fixes the reload and installs.
  auto next = ck({"--json", "renew"});
  EXPECT_EQ(next.exit_code, 0) << next.out << next.err;
  EXPECT_TRUE(json(next)["installs"].empty()) << next.out;
  EXPECT_EQ(ck({"install", "web"}).exit_code, 5) << "install tries it again";
}

TEST_F(InstallTest, DryRunPrintsThePlanAndChangesNothing) {
  add_target({"--mode", "0640"});
  auto before_db = db_snapshot();
  auto before_fullchain = read_file(target_ + "/fullchain.pem");
  auto r = ck({"install", "web", "--dry-run"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find(target_ + "/privkey.pem mode 0640"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find(target_ + "/cert.pem mode 0644"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find(v2_->facts().fingerprint_sha256.substr(0, 16)), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("run " + nginx_->reload_argv()[0]), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("keep the existing"), std::string::npos) << "the adoption is part of the plan: " << r.out;
  auto j = json(ck({"--json", "install", "web", "--dry-run"}));
  EXPECT_EQ(j["dry_run"], true);
  EXPECT_EQ(j["targets"][0]["files"].size(), 4u);
  EXPECT_EQ(db_snapshot(), before_db);
  EXPECT_EQ(read_file(target_ + "/fullchain.pem"), before_fullchain);
  EXPECT_FALSE(std::filesystem::exists(target_ + "/.certkeeper"));
}

TEST_F(InstallTest, ImportWithInstallGoesLiveInOneCommand) {
  add_target();
  auto v3 = pki_.leaf();
  auto f = write_set(v3, "v3-");
  auto r = ck({"--json", "import", "web", "--cert", f.cert, "--key", f.key, "--chain", f.chain, "--install"});
  ASSERT_EQ(r.exit_code, 0) << r.err << r.out;
  EXPECT_EQ(json(r)["install"]["version"], 3);
  EXPECT_TRUE(wait_for_leaf(nginx_->port(), v3.der()));
  EXPECT_EQ(r.out.find("PRIVATE KEY"), std::string::npos);
}

TEST_F(InstallTest, KeysNeverAppearInOutputOrEvents) {
  add_target();
  std::vector<ProcessResult> runs = {ck({"install", "web", "--dry-run"}), ck({"--json", "install", "web", "--dry-run"}),
                                     ck({"install", "web"}), ck({"--json", "rollback", "web"}),
                                     ck({"--json", "history", "web"}), ck({"-v", "install", "web"}),
                                     ck({"--json", "target", "list", "web"})};
  for (const auto& r : runs) {
    EXPECT_EQ(r.out.find("PRIVATE KEY"), std::string::npos) << r.out;
    EXPECT_EQ(r.err.find("PRIVATE KEY"), std::string::npos) << r.err;
  }
}

class InstallNoServiceTest : public CliTest {
 protected:
  void SetUp() override {
    init();
    auto f = write_set(pki_.leaf());
    ASSERT_EQ(ck({"import", "web", "--cert", f.cert, "--key", f.key, "--chain", f.chain}).exit_code, 0);
    target_ = work_.file("t");
  }
  TempDir work_;
  std::string target_;
};

TEST_F(InstallNoServiceTest, AWorldWritableTargetIsRefusedBeforeAnythingIsWritten) {
  std::filesystem::create_directories(target_);
  ::chmod(target_.c_str(), 0777);
  auto add = ck({"target", "add", "web", "--dir", target_});
  EXPECT_EQ(add.exit_code, 3) << "refused when defined: " << add.err;
  EXPECT_NE(add.err.find("world-writable"), std::string::npos) << add.err;
  // Made unsafe after it was defined: install checks again.
  ::chmod(target_.c_str(), 0755);
  ASSERT_EQ(ck({"target", "add", "web", "--dir", target_}).exit_code, 0);
  ::chmod(target_.c_str(), 0777);
  auto r = ck({"install", "web"});
  EXPECT_EQ(r.exit_code, 3) << r.err;
  EXPECT_NE(r.err.find(target_ + ": is world-writable"), std::string::npos) << r.err;
  EXPECT_TRUE(std::filesystem::is_empty(target_));
}

TEST_F(InstallNoServiceTest, ASymlinkOutOfTheTargetIsRefused) {
  std::filesystem::create_directories(target_);
  ASSERT_EQ(ck({"target", "add", "web", "--dir", target_}).exit_code, 0);
  std::filesystem::create_symlink("/etc/hostname", target_ + "/cert.pem");
  auto r = ck({"install", "web"});
  EXPECT_EQ(r.exit_code, 3) << r.err;
  EXPECT_NE(r.err.find("outside this target"), std::string::npos) << r.err;
  EXPECT_EQ(std::filesystem::read_symlink(target_ + "/cert.pem"), "/etc/hostname");
  EXPECT_FALSE(std::filesystem::exists(target_ + "/.certkeeper"));
}

TEST_F(InstallNoServiceTest, OwnerGroupAndModeAreAppliedOnEveryInstall) {
  if (::geteuid() != 0) GTEST_SKIP() << "changing a file's group to another group needs root";
  struct group* g = ::getgrnam("nogroup");
  ASSERT_NE(g, nullptr);
  ASSERT_EQ(ck({"target", "add", "web", "--dir", target_, "--group", "nogroup", "--mode", "0640", "--layout",
                "combined", "--include-root"})
                .exit_code,
            0);
  ASSERT_EQ(ck({"install", "web"}).exit_code, 0);
  struct stat st {};
  ASSERT_EQ(::stat((target_ + "/combined.pem").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 07777, 0640u);
  EXPECT_EQ(st.st_gid, g->gr_gid);
  auto combined = read_file(target_ + "/combined.pem");
  EXPECT_EQ(combined.find("-----BEGIN PRIVATE KEY-----"), 0u) << "key first";
  EXPECT_NE(combined.find(pki_.root().pem()), std::string::npos) << "--include-root";
  // Changed mode, reinstalled: the new set carries it.
  ASSERT_EQ(ck({"target", "add", "web", "--dir", target_, "--mode", "0600", "--layout", "combined"}).exit_code, 0);
  ASSERT_EQ(ck({"install", "web"}).exit_code, 0);
  ASSERT_EQ(::stat((target_ + "/combined.pem").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 07777, 0600u);
  EXPECT_EQ(st.st_gid, ::getegid());
}

TEST_F(InstallNoServiceTest, OldSetsArePrunedPerTheRetentionSetting) {
  ASSERT_EQ(ck({"init", "--keep-versions", "2"}).exit_code, 0);
  ASSERT_EQ(ck({"target", "add", "web", "--dir", target_}).exit_code, 0);
  for (int i = 0; i < 4; ++i) ASSERT_EQ(ck({"install", "web"}).exit_code, 0);
  int sets = 0;
  for (const auto& e : std::filesystem::directory_iterator(target_ + "/.certkeeper")) {
    if (e.is_directory() && !e.is_symlink()) ++sets;
  }
  EXPECT_EQ(sets, 2);
  EXPECT_EQ(json(ck({"--json", "history", "web"}))["versions"].size(), 1u) << "the database keeps every version";
}

TEST_F(InstallNoServiceTest, TargetAddRejectsBadInput) {
  EXPECT_EQ(ck({"target", "add", "web", "--dir", "relative/dir"}).exit_code, 2);
  EXPECT_EQ(ck({"target", "add", "web", "--dir", target_, "--mode", "0644"}).exit_code, 2);
  EXPECT_EQ(ck({"target", "add", "web", "--dir", target_, "--layout", "bundle"}).exit_code, 2);
  EXPECT_EQ(ck({"target", "add", "web", "--dir", target_, "--reload", "sh -c 'unterminated"}).exit_code, 2);
  EXPECT_EQ(ck({"target", "add", "web", "--dir", target_, "--probe", "host-without-port"}).exit_code, 2);
  EXPECT_EQ(ck({"target", "add", "web", "--dir", target_, "--probe", "h:25,starttls=ftp"}).exit_code, 2);
  EXPECT_EQ(ck({"target", "add", "nosuch", "--dir", target_}).exit_code, 1);
  EXPECT_EQ(json(ck({"--json", "target", "list", "web"}))["targets"].size(), 0u) << "nothing was stored";
  auto r = ck({"install", "web"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("has no install targets"), std::string::npos) << r.err;
  auto imp = ck({"import", "web", "--cert", pki_.path("cert.pem"), "--key", pki_.path("key.pem"), "--install"});
  EXPECT_EQ(imp.exit_code, 2) << imp.err;
}

TEST_F(InstallNoServiceTest, AStarttlsProbeJudgesTheInstall) {
  auto v = json(ck({"--json", "show", "web"}));
  // An SMTP endpoint that serves the certificate just imported.
  auto leaf = pki_.leaf();
  auto f = write_set(leaf, "smtp-");
  ASSERT_EQ(ck({"import", "web", "--cert", f.cert, "--key", f.key, "--chain", f.chain}).exit_code, 0);
  TlsEndpoint smtp({pem_concat({leaf.pem(), pki_.intermediate().pem()}), leaf.key().pem(), Dialogue::smtp});
  ASSERT_EQ(ck({"target", "add", "web", "--dir", target_, "--probe",
                "127.0.0.1:" + std::to_string(smtp.port()) + ",starttls=smtp,servername=www.example.test"})
                .exit_code,
            0);
  auto r = ck({"--json", "install", "web"});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_TRUE(json(r)["probes"][0]["ok"]);
  auto cmds = smtp.commands();
  EXPECT_NE(std::find(cmds.begin(), cmds.end(), "STARTTLS"), cmds.end());
  // Version 1 is not what the SMTP endpoint serves: installing it is undone.
  auto back = ck({"install", "web", "--version", "1", "--probe-wait", "1"});
  EXPECT_EQ(back.exit_code, 5) << back.err;
  EXPECT_EQ(read_file(target_ + "/cert.pem"), leaf.pem());
  (void)v;
}

// After a graceful reload, workers from before it still answer for a
// moment: the new certificate must be served three times in a row, and an
// old one in between starts the count again.
TEST_F(InstallNoServiceTest, AnOldCertificateBetweenNewOnesStartsTheProbeCountAgain) {
  auto leaf = pki_.leaf();
  auto f = write_set(leaf, "new-");
  ASSERT_EQ(ck({"import", "web", "--cert", f.cert, "--key", f.key, "--chain", f.chain}).exit_code, 0);
  auto old = pki_.leaf();
  TlsEndpointOptions o{pem_concat({leaf.pem(), pki_.intermediate().pem()}), leaf.key().pem()};
  o.stale_chain_pem = pem_concat({old.pem(), pki_.intermediate().pem()});
  o.stale_key_pem = old.key().pem();
  o.stale_connections = {0, 2};  // old, new, old, then new from there on
  TlsEndpoint reloaded(o);
  ASSERT_EQ(ck({"target", "add", "web", "--dir", target_, "--probe",
                "127.0.0.1:" + std::to_string(reloaded.port()) + ",servername=www.example.test"})
                .exit_code,
            0);
  auto r = ck({"--json", "install", "web"});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  const auto probe = json(r)["probes"][0];
  EXPECT_TRUE(probe["ok"]);
  EXPECT_EQ(probe["attempts"], 6) << probe.dump();
  EXPECT_EQ(reloaded.hellos().size(), 6u);
}

}  // namespace
}  // namespace certkeeper::testing
