// install x install, install x rollback, import --install x install and
// target add x install, against a real nginx. The barrier is the target's
// reload command: a gate (support/race.h) holds the first run between
// switching the files and committing, with its journal entry pending, while
// the second run starts and waits for it.
#include <filesystem>
#include <memory>

#include "races/race_fixture.h"
#include "support/nginx.h"
#include "support/temp_dir.h"

namespace certkeeper::testing {
namespace {

class InstallRaceTest : public RaceTest {
 protected:
  void SetUp() override {
    init();
    for (int i = 0; i < 3; ++i) {
      versions_.push_back(pki_.leaf());
      auto f = write_set(versions_.back(), "v" + std::to_string(i + 1) + "-");
      ASSERT_EQ(ck({"import", "web", "--cert", f.cert, "--key", f.key, "--chain", f.chain}).exit_code, 0);
    }
    target_ = work_.file("live/web");
    std::filesystem::create_directories(target_);
    write_file(target_ + "/fullchain.pem", pem_concat({versions_[0].pem(), pki_.intermediate().pem()}));
    write_file(target_ + "/privkey.pem", versions_[0].key().pem());
    nginx_dir_ = work_.file("nginx");
    std::filesystem::create_directories(nginx_dir_);
    nginx_ = std::make_unique<Nginx>(nginx_dir_, std::vector<NginxServer>{
                                                     {target_ + "/fullchain.pem", target_ + "/privkey.pem"}});
    nginx_->start();
    gate_ = std::make_unique<Gate>(work_.path(), "reload");
    auto r = ck({"target", "add", "web", "--dir", target_, "--reload", gate_->program(), "--reload", nginx_reload(),
                 "--probe", nginx_->address() + ",servername=www.example.test"});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    // Version 1 installed, one run after the other.
    gate_->open();
    auto first = ck({"install", "web", "--version", "1"});
    ASSERT_EQ(first.exit_code, 0) << first.err;
    ASSERT_EQ(gate_->reached(), 1);
  }

  std::string nginx_reload() const {
    std::string line;
    for (const auto& w : nginx_->reload_argv()) line += (line.empty() ? "" : " ") + w;
    return line;
  }

  // Starts `first` and holds it at the gate (files switched, journal
  // pending), then starts `second` and lets `first` go once `second` waits.
  std::pair<SpawnResult, SpawnResult> overlap(const std::vector<std::string>& first,
                                              const std::vector<std::string>& second) {
    int before = gate_->reached();
    Running a(with_db(first));
    EXPECT_TRUE(gate_->wait_reached(before + 1)) << "the first run reaches its reload";
    Running b(with_db(second));
    EXPECT_TRUE(wait_blocked(b.pid())) << "the second run waits for the first";
    // The first run's reload, then the second's; one more, so that a second
    // run that wrongly undoes the first (and reloads for that) fails at once
    // instead of waiting out its gate.
    gate_->open(3);
    return {a.result(), b.result()};
  }

  bool serves(int version) { return wait_for_leaf(nginx_->port(), versions_[version - 1].der()); }

  TempDir work_;
  std::vector<Cert> versions_;
  std::string target_, nginx_dir_;
  std::unique_ptr<Nginx> nginx_;
  std::unique_ptr<Gate> gate_;
};

TEST_F(InstallRaceTest, TwoInstallsAtOnceRunOneAfterTheOtherAndRollBackNothing) {
  auto [a, b] = overlap({"--json", "install", "web", "--version", "2"}, {"--json", "install", "web", "--version", "2"});
  ASSERT_TRUE(a.exited(0)) << a.describe() << a.out;
  ASSERT_TRUE(b.exited(0)) << b.describe() << b.out;
  auto second = nlohmann::json::parse(b.out);
  EXPECT_EQ(second["reconciled"].size(), 0u) << "the first run's install was not interrupted: " << b.out;
  EXPECT_EQ(second["previous_version"], 2) << "the second run starts from what the first installed";
  EXPECT_TRUE(events_of_kind("web", "install-reconciled").empty());
  EXPECT_EQ(events_of_kind("web", "installed").size(), 3u);
  expect_consistent("web");
  EXPECT_EQ(targets("web")[0]["installed_version"], 2);
  EXPECT_TRUE(serves(2));
}

TEST_F(InstallRaceTest, ARollbackDuringAnInstallRollsBackFromWhatThatInstallCommitted) {
  auto [a, b] = overlap({"--json", "install", "web", "--version", "3"}, {"--json", "rollback", "web"});
  ASSERT_TRUE(a.exited(0)) << a.describe() << a.out;
  ASSERT_TRUE(b.exited(0)) << b.describe() << b.out;
  auto rolled = nlohmann::json::parse(b.out);
  EXPECT_EQ(rolled["reconciled"].size(), 0u) << b.out;
  EXPECT_EQ(rolled["previous_version"], 3) << "decided on what is installed once the install ended: " << b.out;
  EXPECT_EQ(rolled["version"], 2) << "the version before the installed one";
  EXPECT_TRUE(events_of_kind("web", "install-reconciled").empty());
  expect_consistent("web");
  EXPECT_EQ(targets("web")[0]["installed_version"], 2);
  EXPECT_TRUE(serves(2));
}

TEST_F(InstallRaceTest, AnImportThatInstallsDuringAnInstallWaitsForIt) {
  auto v4 = pki_.leaf();
  auto f = write_set(v4, "v4-");
  versions_.push_back(v4);
  auto [a, b] = overlap({"--json", "install", "web", "--version", "2"},
                        {"--json", "import", "web", "--cert", f.cert, "--key", f.key, "--chain", f.chain, "--install"});
  ASSERT_TRUE(a.exited(0)) << a.describe() << a.out;
  ASSERT_TRUE(b.exited(0)) << b.describe() << b.out;
  auto imported = nlohmann::json::parse(b.out);
  EXPECT_EQ(imported["version"], 4);
  EXPECT_EQ(imported["install"]["reconciled"].size(), 0u) << b.out;
  EXPECT_EQ(imported["install"]["previous_version"], 2) << b.out;
  EXPECT_TRUE(events_of_kind("web", "install-reconciled").empty());
  EXPECT_EQ(expect_consistent("web"), 4u);
  EXPECT_EQ(targets("web")[0]["installed_version"], 4);
  EXPECT_TRUE(serves(4));
}

TEST_F(InstallRaceTest, ATargetAddedDuringAnInstallIsInstalledByTheNextOne) {
  const std::string second_dir = work_.file("live/web-copy");
  int before = gate_->reached();
  Running a(with_db({"--json", "install", "web", "--version", "2"}));
  ASSERT_TRUE(gate_->wait_reached(before + 1));
  // Meanwhile: a second target, and the first one's probe dropped.
  auto added = ck({"target", "add", "web", "--dir", second_dir});
  auto changed = ck({"target", "add", "web", "--dir", target_, "--reload", gate_->program(), "--reload",
                     nginx_reload()});
  gate_->open();
  ASSERT_TRUE(a.result().exited(0)) << a.result().describe() << a.result().out;
  ASSERT_EQ(added.exit_code, 0) << added.err;
  ASSERT_EQ(changed.exit_code, 0) << changed.err;
  expect_consistent("web");
  auto ts = targets("web");
  ASSERT_EQ(ts.size(), 2u);
  EXPECT_EQ(ts[0]["installed_version"], 2);
  EXPECT_TRUE(ts[1]["installed_version"].is_null()) << "added after the install read its targets";

  gate_->open();
  auto next = ck({"--json", "install", "web", "--version", "3"});
  ASSERT_EQ(next.exit_code, 0) << next.err << next.out;
  expect_consistent("web");
  ts = targets("web");
  EXPECT_EQ(ts[0]["installed_version"], 3);
  EXPECT_EQ(ts[1]["installed_version"], 3);
  EXPECT_TRUE(serves(3));
}

}  // namespace
}  // namespace certkeeper::testing
