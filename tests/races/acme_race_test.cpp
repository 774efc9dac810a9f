// renew x renew, renew x issue, issue x issue and `run` x CLI against Debian's
// pebble: one built-in responder per listen address for every order in
// flight (and a wait for a port another program holds), one ACME account
// registered however many workers or processes start at once.
#include <netinet/in.h>
#include <signal.h>
#include <sqlite3.h>
#include <sys/socket.h>
#include <unistd.h>

#include <memory>

#include "races/race_fixture.h"

namespace certkeeper::testing {
namespace {

// A plain TCP listener on 127.0.0.1:PORT: "another program holds the port".
class PortHolder {
 public:
  explicit PortHolder(int port) {
    fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(static_cast<std::uint16_t>(port));
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    // As any server does: connections of an earlier test in TIME_WAIT do
    // not keep it from listening (another live listener would).
    int yes = 1;
    ::setsockopt(fd_, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof yes);
    if (fd_ < 0 || ::bind(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 || ::listen(fd_, 4) != 0) {
      ADD_FAILURE() << "cannot hold 127.0.0.1:" << port;
    }
  }
  ~PortHolder() { release(); }
  PortHolder(const PortHolder&) = delete;
  PortHolder& operator=(const PortHolder&) = delete;
  void release() {
    if (fd_ >= 0) ::close(fd_);
    fd_ = -1;
  }

 private:
  int fd_ = -1;
};

class AcmeRaceTest : public PebbleRaceTest {
 protected:
  void add(const std::string& name, const std::string& challenge = "http-01", std::vector<std::string> extra = {}) {
    std::vector<std::string> args = {"add", name, "--domain", name + ".example.test", "--challenge", challenge,
                                     "--listen", challenge == "tls-alpn-01" ? tls_listen() : http_listen()};
    args.insert(args.end(), extra.begin(), extra.end());
    auto r = ck(args);
    ASSERT_EQ(r.exit_code, 0) << r.err;
  }

  // How many events of `kind` the inventory holds (account events belong
  // to no certificate, so they are read from the file itself).
  int count_events(const std::string& kind) {
    if (on_postgresql()) {
      const std::string n =
          server_->psql(database_, "SELECT count(*) FROM certkeeper.events WHERE kind = '" + kind + "'");
      return std::stoi(n);
    }
    sqlite3* handle = nullptr;
    int n = -1;
    if (sqlite3_open_v2(db().c_str(), &handle, SQLITE_OPEN_READONLY, nullptr) == SQLITE_OK) {
      sqlite3_stmt* q = nullptr;
      if (sqlite3_prepare_v2(handle, "SELECT count(*) FROM events WHERE kind = ?", -1, &q, nullptr) == SQLITE_OK) {
        sqlite3_bind_text(q, 1, kind.c_str(), -1, SQLITE_TRANSIENT);
        if (sqlite3_step(q) == SQLITE_ROW) n = sqlite3_column_int(q, 0);
      }
      sqlite3_finalize(q);
    }
    sqlite3_close(handle);
    return n;
  }

  // One account: one key stored and registered, never replaced.
  void expect_one_account() {
    EXPECT_EQ(count_events("account-key-stored"), 1);
    EXPECT_EQ(count_events("account-registered"), 1);
    EXPECT_EQ(count_events("account-key-replaced"), 0);
  }

  void expect_renewed(const ProcessResult& r, std::size_t count) {
    ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
    auto items = json(r)["certificates"];
    ASSERT_EQ(items.size(), count) << r.out;
    for (const auto& item : items) {
      EXPECT_TRUE(item.value("renewed", false)) << item.dump();
      EXPECT_EQ(item["version"], 1) << item.dump();
    }
  }
};

TEST_F(AcmeRaceTest, OnePassOverSixCertificatesOnOneHttpAddressIssuesThemAll) {
  for (int i = 0; i < 6; ++i) add("h" + std::to_string(i));
  auto r = ck({"--json", "renew", "--parallel", "4"});
  expect_renewed(r, 6);
  expect_one_account();
  for (int i = 0; i < 6; ++i) EXPECT_EQ(expect_consistent("h" + std::to_string(i)), 1u);
}

TEST_F(AcmeRaceTest, OnePassOverFourCertificatesOnOneTlsAlpnAddressIssuesThemAll) {
  for (int i = 0; i < 4; ++i) add("t" + std::to_string(i), "tls-alpn-01");
  auto r = ck({"--json", "renew", "--parallel", "4"});
  expect_renewed(r, 4);
  expect_one_account();
}

TEST_F(AcmeRaceTest, IssueProcessesAtOnceShareTheAccountAndWaitForThePort) {
  for (const char* name : {"a", "b", "c"}) add(name);
  auto results = at_once({with_db({"--json", "issue", "a"}), with_db({"--json", "issue", "b"}),
                          with_db({"--json", "issue", "c"})});
  for (const auto& r : results) EXPECT_TRUE(r.exited(0)) << r.describe() << r.out;
  expect_one_account();
  for (const char* name : {"a", "b", "c"}) EXPECT_EQ(expect_consistent(name), 1u);
}

TEST_F(AcmeRaceTest, APortHeldByAnotherProgramIsWaitedFor) {
  add("web");
  PortHolder holder(pebble_->http01_port());
  Running issue(with_db({"--json", "issue", "web"}));
  ASSERT_TRUE(issue.wait_for_stderr(http_listen() + " is in use by another program")) << issue.result().describe();
  EXPECT_TRUE(issue.wait_for_stderr("waiting for it (at most 60 s)"));
  holder.release();
  ASSERT_TRUE(issue.result().exited(0)) << issue.result().describe() << issue.result().out;
  EXPECT_EQ(expect_consistent("web"), 1u);
}

TEST_F(AcmeRaceTest, APortHeldLongerThanTheWaitFailsNamingTheAddress) {
  add("web", "http-01", {"--listen-wait", "1"});
  PortHolder holder(pebble_->http01_port());
  auto r = ck({"issue", "web"});
  EXPECT_EQ(r.exit_code, 1) << r.err;
  EXPECT_NE(r.err.find("cannot listen on " + http_listen()), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("waited 1 s"), std::string::npos) << r.err;
  EXPECT_EQ(expect_consistent("web"), 0u);
}

TEST_F(AcmeRaceTest, TwoPassesAtOnceIssueEachCertificateOnce) {
  for (const char* name : {"a", "b", "c"}) add(name);
  auto results = at_once({with_db({"--json", "renew"}), with_db({"--json", "renew"})});
  int worked = 0;
  for (const auto& r : results) {
    if (r.exited(0)) {
      ++worked;
      continue;
    }
    EXPECT_TRUE(r.exited(1)) << r.describe();
    EXPECT_NE(r.err.find("another renew pass is running"), std::string::npos) << r.err;
  }
  EXPECT_GE(worked, 1);
  expect_one_account();
  for (const char* name : {"a", "b", "c"}) EXPECT_EQ(expect_consistent(name), 1u);
}

// The target's reload is a gate: it holds a renewal between storing the
// version and committing its install, with the certificate's lock held.
class AcmeInstallRaceTest : public AcmeRaceTest {
 protected:
  void SetUp() override {
    AcmeRaceTest::SetUp();
    add("web");
    gate_ = std::make_unique<Gate>(pki_.dir().path(), "reload");
    auto r = ck({"target", "add", "web", "--dir", pki_.path("live-web"), "--reload", gate_->program()});
    ASSERT_EQ(r.exit_code, 0) << r.err;
  }
  std::unique_ptr<Gate> gate_;
};

// dns-01 through a hook that sets pebble-challtestsrv's TXT record and then
// waits at a gate: it holds an order between present and the CA's check,
// with the order open and the certificate's lock held.
class AcmeOrderRaceTest : public AcmeRaceTest {
 protected:
  void SetUp() override {
    AcmeRaceTest::SetUp();
    gate_ = std::make_unique<Gate>(pki_.dir().path(), "present");
    const std::string hook = gated_dns01_hook(pki_, *pebble_, *gate_);
    auto r = ck({"add", "web", "--domain", "web.example.test", "--challenge", "dns-01", "--dns-hook", hook,
                 "--dns-propagation", "0"});
    ASSERT_EQ(r.exit_code, 0) << r.err;
  }
  std::unique_ptr<Gate> gate_;
};

TEST_F(AcmeOrderRaceTest, IssueDuringARenewalOfTheSameCertificateWaitsForItsOrder) {
  Running renew(with_db({"--json", "renew"}));
  ASSERT_TRUE(gate_->wait_reached(1)) << "the pass's order is open, its challenge presented";
  Running issue(with_db({"--json", "issue", "web"}));
  EXPECT_TRUE(wait_blocked(issue.pid())) << "issue waits for the certificate";
  EXPECT_EQ(gate_->reached(), 1) << "issue did not touch the pass's order";
  gate_->open(3);  // the pass's order, the issue's own (and one to spare, were it wrong)
  ASSERT_TRUE(renew.result().exited(0)) << renew.result().describe() << renew.result().out;
  ASSERT_TRUE(issue.result().exited(0)) << issue.result().describe() << issue.result().out;
  auto issued = nlohmann::json::parse(issue.result().out)["certificates"][0];
  EXPECT_EQ(issued["version"], 2) << "ordered after the pass stored version 1: " << issued.dump();
  EXPECT_FALSE(issued["resumed"]) << "a new order, not the pass's";
  EXPECT_EQ(expect_consistent("web"), 2u) << "two orders, two different certificates";
  EXPECT_TRUE(events_of_kind("web", "issue-failed").empty());
}

TEST_F(AcmeInstallRaceTest, AnInstallWhileTheDaemonInstallsTheSameCertificateWaitsForIt) {
  Running daemon(with_db({"run"}));
  ASSERT_TRUE(gate_->wait_reached(1)) << "the daemon's pass stored version 1 and installs it";
  Running install(with_db({"--json", "install", "web"}));
  EXPECT_TRUE(wait_blocked(install.pid())) << "install waits for the daemon's install";
  gate_->open(3);
  ASSERT_TRUE(install.result().exited(0)) << install.result().describe() << install.result().out;
  auto installed = nlohmann::json::parse(install.result().out);
  EXPECT_EQ(installed["reconciled"].size(), 0u) << "the daemon's install was not interrupted: " << installed.dump();
  EXPECT_EQ(installed["previous_version"], 1);
  ::kill(daemon.pid(), SIGTERM);
  EXPECT_TRUE(daemon.result().exited(0)) << daemon.result().describe();
  EXPECT_TRUE(events_of_kind("web", "install-reconciled").empty());
  EXPECT_EQ(expect_consistent("web"), 1u);
  EXPECT_EQ(targets("web")[0]["installed_version"], 1);
}

TEST_F(AcmeRaceTest, AnOrderLeftOpenByAnAccountThatIsGoneIsAbandonedAndOrderedAgain) {
  // An order left open: its responder could not listen (this host has no
  // 192.0.2.1), a failure that keeps the order for the next run.
  auto r = ck({"add", "web", "--domain", "web.example.test", "--listen", "192.0.2.1:" + std::to_string(pebble_->http01_port())});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto first = ck({"issue", "web"});
  ASSERT_NE(first.exit_code, 0) << first.out;
  ASSERT_EQ(events_of_kind("web", "order-opened").size(), 1u);
  // The account that made it goes (as a registration race or a deactivation
  // leaves it): the next run registers another one.
  r = ck({"add", "web", "--domain", "web.example.test", "--listen", http_listen()});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  r = ck({"account", "deactivate"});
  ASSERT_EQ(r.exit_code, 0) << r.err;

  auto again = ck({"--json", "issue", "web"});
  ASSERT_EQ(again.exit_code, 0) << again.out << again.err;
  EXPECT_EQ(json(again)["certificates"][0]["version"], 1);
  auto abandoned = events_of_kind("web", "order-abandoned");
  ASSERT_EQ(abandoned.size(), 1u);
  EXPECT_NE(abandoned[0]["detail"]["reason"].get<std::string>().find("whose key is no longer stored"),
            std::string::npos)
      << abandoned[0].dump();
  EXPECT_EQ(events_of_kind("web", "order-opened").size(), 2u) << "a new order in the same run";
  EXPECT_EQ(expect_consistent("web"), 1u);
}

}  // namespace
}  // namespace certkeeper::testing
