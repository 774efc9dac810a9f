// Challenges in a fleet (issue 12, lifecycle/fleet_challenges.h), for real:
// PostgreSQL, pebble with pebble-challtestsrv, and three node daemons on
// loopback, each with its own address (127.0.0.2, .3, .4) for its built-in
// responders on pebble's validation ports, its own target directory and its
// own nginx. The name points (challtestsrv's /add-a) at a node that does not
// hold the lease, so the CA really validates against another host.
// PostgreSQL only (tests/CMakeLists.txt: PostgresqlFleet*).
#include <arpa/inet.h>
#include <netinet/in.h>
#include <openssl/evp.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <memory>
#include <thread>

#include "cli/pebble_cli_fixture.h"
#include "support/nginx.h"
#include "support/race.h"
#include "support/temp_dir.h"

namespace certkeeper::testing {
namespace {

struct Node {
  std::string name;
  std::string address;  // its --challenge-address
};

const Node kNodes[] = {{"n1", "127.0.0.2"}, {"n2", "127.0.0.3"}, {"n3", "127.0.0.4"}};

// Lower-case hex SHA-256 of DER bytes, as `history` shows fingerprints.
std::string sha256_hex(const std::string& der) {
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int n = 0;
  EVP_Digest(der.data(), der.size(), md, &n, EVP_sha256(), nullptr);
  static const char* hex = "0123456789abcdef";
  std::string out;
  for (unsigned int i = 0; i < n; ++i) {
    out += hex[md[i] >> 4];
    out += hex[md[i] & 15];
  }
  return out;
}

// The pids of a process's children (the daemon's answerer).
std::vector<pid_t> children_of(pid_t pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/task/" + std::to_string(pid) + "/children");
  std::vector<pid_t> out;
  for (pid_t c; in >> c;) out.push_back(c);
  return out;
}

class PostgresqlFleetChallengeTest : public PebbleCliTest<> {
 protected:
  PostgresqlFleetChallengeTest() : PebbleCliTest<>(&shared_postgres()) {}

  std::vector<std::string> on(const Node& node, std::vector<std::string> args) const {
    args.insert(args.begin(), {"--node", node.name, "--challenge-address", node.address});
    args = backend_args(std::move(args));
    args.insert(args.begin(), {"--db", db()});
    return args;
  }

  // The node's daemon (a pass at start, then only when woken).
  void start_daemon(const Node& node) {
    daemons_.push_back(std::make_unique<Running>(on(node, {"run", "--poll", "600"})));
  }

  void stop_daemons() {
    for (auto& d : daemons_) ::kill(d->pid(), SIGTERM);
    for (auto& d : daemons_) EXPECT_TRUE(d->result().exited(0)) << d->result().describe() << d->result().err;
    daemons_.clear();
  }

  void TearDown() override {
    for (auto& d : daemons_) {
      for (pid_t c : children_of(d->pid())) ::kill(c, SIGCONT);
      ::kill(d->pid(), SIGTERM);
    }
    daemons_.clear();
  }

  nlohmann::json nodes() {
    auto r = ck({"--node", "n1", "--json", "nodes"});
    EXPECT_EQ(r.exit_code, 0) << r.err;
    return r.exit_code == 0 ? json(r)["nodes"] : nlohmann::json::array();
  }

  // Until `count` nodes say their daemon answers challenges (at most 20 s).
  bool wait_answering(std::size_t count) {
    for (int i = 0; i < 200; ++i) {
      std::size_t answering = 0;
      const auto listed = nodes();
      for (const auto& n : listed) answering += n.value("answering", false) ? 1 : 0;
      if (answering == count) return true;
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    return false;
  }

  nlohmann::json targets(const std::string& name) {
    auto r = ck({"--json", "target", "list", name});
    EXPECT_EQ(r.exit_code, 0) << r.err;
    return r.exit_code == 0 ? json(r)["targets"] : nlohmann::json::array();
  }

  // Until every target of `name` serves `version` with a passing probe (at
  // most 30 s).
  bool wait_converged(const std::string& name, int version) {
    for (int i = 0; i < 300; ++i) {
      auto all = targets(name);
      bool done = !all.empty();
      for (const auto& t : all) {
        done = done && t["installed_version"] == version && t["probe_ok"] == true;
      }
      if (done) return true;
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    return false;
  }

  std::string fingerprint(const std::string& name, int version) {
    auto r = ck({"--json", "history", name});
    EXPECT_EQ(r.exit_code, 0) << r.err;
    const auto doc = json(r);
    for (const auto& v : doc["versions"]) {
      if (v["version"] == version) return v["fingerprint_sha256"];
    }
    return "";
  }

  std::vector<std::unique_ptr<Running>> daemons_;
  TempDir hosts_;
};

// One renewal, one order at pebble: the holder publishes its answers, every
// node's daemon serves them on its own address, the CA validates against a
// node that does not hold the lease, and all three nodes install the new
// version, reload their nginx and pass their probes.
TEST_F(PostgresqlFleetChallengeTest, OneRenewalIsOneOrderAndEveryNodeInstallsAndPassesItsProbe) {
  for (const auto& n : kNodes) start_daemon(n);
  ASSERT_TRUE(wait_answering(3)) << nodes().dump();
  // The name is served by n2; n1 and n3 talk to the CA.
  pebble_->add_a("www.example.test", "127.0.0.3");
  pebble_->add_a("alpn.example.test", "127.0.0.3");
  ASSERT_EQ(ck({"add", "web", "--domain", "www.example.test", "--challenge", "http-01", "--listen", http_listen()})
                .exit_code,
            0);
  ASSERT_EQ(ck({"add", "alpn", "--domain", "alpn.example.test", "--challenge", "tls-alpn-01", "--listen",
                tls_listen()})
                .exit_code,
            0);
  const int orders_before = pebble_->orders_in_log();
  auto first = run_certkeeper(on(kNodes[0], {"--json", "issue", "web", "alpn"}));
  ASSERT_EQ(first.exit_code, 0) << first.out << first.err;
  EXPECT_EQ(pebble_->orders_in_log(), orders_before + 2) << "one order each";

  // Each node's target, installed by its own daemon; then each node's nginx
  // serves it, reloaded and probed at every install.
  std::vector<std::string> dirs;
  for (const auto& n : kNodes) {
    dirs.push_back(hosts_.file(n.name + "/live"));
    std::filesystem::create_directories(dirs.back());
    ASSERT_EQ(ck({"--node", "n1", "target", "add", "web", "--dir", dirs.back(), "--node", n.name}).exit_code, 0);
  }
  ASSERT_TRUE(wait_converged("web", 1)) << targets("web").dump();
  std::vector<std::unique_ptr<Nginx>> nginx;
  for (std::size_t i = 0; i < 3; ++i) {
    const std::string work = hosts_.file(kNodes[i].name + "/nginx");
    std::filesystem::create_directories(work);
    nginx.push_back(std::make_unique<Nginx>(
        work, std::vector<NginxServer>{{dirs[i] + "/fullchain.pem", dirs[i] + "/privkey.pem"}}));
    nginx.back()->start();
    auto changed = ck({"--node", "n1", "target", "add", "web", "--dir", dirs[i], "--node", kNodes[i].name, "--reload",
                       nginx.back()->reload_command(), "--probe",
                       nginx.back()->address() + ",servername=www.example.test"});
    ASSERT_EQ(changed.exit_code, 0) << changed.err;
  }

  // The renewal, from n3: n2 answers the CA.
  const int orders_at_renewal = pebble_->orders_in_log();
  auto renewal = run_certkeeper(on(kNodes[2], {"--json", "renew", "--force", "web"}));
  ASSERT_EQ(renewal.exit_code, 0) << renewal.out << renewal.err;
  ASSERT_TRUE(wait_converged("web", 2)) << targets("web").dump();
  EXPECT_EQ(pebble_->orders_in_log(), orders_at_renewal + 1) << "exactly one order for the renewal";
  const std::string v2 = fingerprint("web", 2);
  ASSERT_FALSE(v2.empty());
  for (std::size_t i = 0; i < 3; ++i) {
    auto served = served_leaf_der(nginx[i]->port(), "www.example.test");
    ASSERT_TRUE(served) << kNodes[i].name << "'s nginx answers";
    EXPECT_EQ(sha256_hex(*served), v2) << kNodes[i].name << "'s nginx serves version 2";
  }
  auto all = targets("web");
  ASSERT_EQ(all.size(), 3u);
  for (std::size_t i = 0; i < 3; ++i) EXPECT_EQ(all[i]["node"], kNodes[i].name);
  // Nothing stays published once the orders are done.
  const auto history = json(ck({"--json", "history", "web"}));
  for (const auto& e : history["events"]) EXPECT_NE(e["kind"], "issue-failed") << e.dump();
  stop_daemons();
  const auto after = nodes();
  for (const auto& n : after) EXPECT_FALSE(n["answering"]) << n.dump() << ": a stopped daemon no longer answers";
}

// A node that is live but does not acknowledge (its answerer hangs): the
// holder waits at most challenge_wait, names it, and never asks the CA to
// validate; nothing is stored.
TEST_F(PostgresqlFleetChallengeTest, ANodeThatDoesNotAcknowledgeIsNamedAndTheCaIsNotAsked) {
  ASSERT_EQ(ck({"init", "--challenge-wait", "5"}).exit_code, 0);
  start_daemon(kNodes[0]);
  start_daemon(kNodes[1]);
  ASSERT_TRUE(wait_answering(2)) << nodes().dump();
  const auto answerers = children_of(daemons_[1]->pid());
  ASSERT_EQ(answerers.size(), 1u) << "n2's daemon keeps one answerer";
  ASSERT_EQ(::kill(answerers[0], SIGSTOP), 0);
  pebble_->add_a("www.example.test", "127.0.0.2");
  ASSERT_EQ(ck({"add", "web", "--domain", "www.example.test", "--challenge", "http-01", "--listen", http_listen()})
                .exit_code,
            0);
  auto r = run_certkeeper(on(kNodes[0], {"issue", "web"}));
  EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
  EXPECT_NE(r.err.find("web: the nodes n2 did not acknowledge the http-01 answers within 5 s (setting "
                       "challenge_wait)"),
            std::string::npos)
      << r.err;
  EXPECT_NE(r.err.find("the CA was not asked to validate"), std::string::npos) << r.err;
  EXPECT_EQ(json(ck({"--json", "history", "web"}))["versions"].size(), 0u);
  ASSERT_EQ(::kill(answerers[0], SIGCONT), 0);
  stop_daemons();
}

// A node that cannot serve an answer (its port is taken) says so in its
// acknowledgement: the holder stops waiting at once and names the node and
// the reason.
TEST_F(PostgresqlFleetChallengeTest, ANodeThatCannotServeAnAnswerStopsTheWaitWithItsReason) {
  // Another program holds n2's port on n2's address.
  const int blocker = ::socket(AF_INET, SOCK_STREAM, 0);
  ASSERT_GE(blocker, 0);
  const int one = 1;  // past the connections of earlier tests in TIME_WAIT
  ::setsockopt(blocker, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  sockaddr_in sa{};
  sa.sin_family = AF_INET;
  sa.sin_port = htons(static_cast<std::uint16_t>(pebble_->http01_port()));
  ::inet_pton(AF_INET, "127.0.0.3", &sa.sin_addr);
  ASSERT_EQ(::bind(blocker, reinterpret_cast<sockaddr*>(&sa), sizeof sa), 0);
  ASSERT_EQ(::listen(blocker, 1), 0);
  start_daemon(kNodes[0]);
  start_daemon(kNodes[1]);
  ASSERT_TRUE(wait_answering(2)) << nodes().dump();
  ASSERT_EQ(ck({"add", "web", "--domain", "www.example.test", "--challenge", "http-01", "--listen", http_listen(),
                "--listen-wait", "0"})
                .exit_code,
            0);
  const auto started = std::chrono::steady_clock::now();
  auto r = run_certkeeper(on(kNodes[0], {"issue", "web"}));
  EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
  EXPECT_NE(r.err.find("web: node n2 could not serve the http-01 answer: "), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("127.0.0.3:" + std::to_string(pebble_->http01_port())), std::string::npos) << r.err;
  EXPECT_LT(std::chrono::steady_clock::now() - started, std::chrono::seconds(60))
      << "no waiting out challenge_wait (120 s)";
  EXPECT_EQ(json(ck({"--json", "history", "web"}))["versions"].size(), 0u);
  ::close(blocker);
  stop_daemons();
}

}  // namespace
}  // namespace certkeeper::testing
