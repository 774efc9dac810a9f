// import --from-certbot on a tree Debian's real certbot made against pebble
// (standalone and webroot lineages, an ECDSA and an RSA key, a deploy hook,
// one lineage damaged afterwards), then renew --force of the migrated
// certificates against the same pebble with certbot's account.
#include <fcntl.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <thread>

#include "cli/pebble_cli_fixture.h"
#include "support/program.h"
#include "support/temp_dir.h"

namespace certkeeper::testing {
namespace {

using namespace std::chrono_literals;

// A web server for certbot's --webroot (python3's http.server, which
// certbot's own Python brings): serves `dir` on 127.0.0.1:`port` until it
// goes out of scope.
class StaticServer {
 public:
  StaticServer(const std::string& dir, int port) {
    const std::string python = *which("python3");
    const std::string port_text = std::to_string(port);
    const pid_t parent = ::getpid();
    pid_ = ::fork();
    if (pid_ == 0) {
      ::setpgid(0, 0);
      ::prctl(PR_SET_PDEATHSIG, SIGKILL);
      if (::getppid() != parent) ::_exit(127);
      const int null = ::open("/dev/null", O_RDWR);
      ::dup2(null, STDIN_FILENO);
      ::dup2(null, STDOUT_FILENO);
      ::dup2(null, STDERR_FILENO);
      ::execl(python.c_str(), python.c_str(), "-m", "http.server", "--bind", "127.0.0.1", "--directory", dir.c_str(),
              port_text.c_str(), static_cast<char*>(nullptr));
      ::_exit(127);
    }
    // Up once it accepts connections (bounded).
    for (int i = 0; i < 100; ++i) {
      if (run_program({*which("python3"), "-c",
                       "import socket; socket.create_connection(('127.0.0.1', " + port_text + "), 1)"},
                      dir)
              .exit_code == 0) {
        return;
      }
      std::this_thread::sleep_for(50ms);
    }
  }
  ~StaticServer() {
    ::kill(-pid_, SIGKILL);
    int status = 0;
    ::waitpid(pid_, &status, 0);
  }
  StaticServer(const StaticServer&) = delete;
  StaticServer& operator=(const StaticServer&) = delete;

 private:
  pid_t pid_ = -1;
};

class CertbotMigrationTest : public PebbleCliTest<> {
 protected:
  // certbot certonly ARGS... into the test's config dir, trusting pebble's listener.
  void certbot(const std::string& name, std::vector<std::string> args) {
    std::vector<std::string> argv = {"/usr/bin/env", "REQUESTS_CA_BUNDLE=" + pebble_->ca_file(), *which("certbot"),
                                     "certonly", "--non-interactive", "--agree-tos", "-m", "ops@example.test",
                                     "--no-eff-email", "--server", pebble_->directory_url(), "--config-dir", config(),
                                     "--work-dir", pki_.path("certbot/work"), "--logs-dir", pki_.path("certbot/logs"),
                                     "--cert-name", name};
    argv.insert(argv.end(), args.begin(), args.end());
    // certbot is the fixture here, not the subject: pebble's 5% bad nonces
    // (kept on) can beat its single retry, so a failed run is tried again.
    ProgramResult r;
    for (int attempt = 0; attempt < 3; ++attempt) {
      r = run_program(argv, pki_.path(""), "/dev/null", 120s);
      if (r.exit_code == 0) return;
    }
    const std::string log = read_file(pki_.path("certbot/logs/letsencrypt.log"));
    FAIL() << r.out << r.err << "\n--- letsencrypt.log (end):\n" << log.substr(log.size() > 4000 ? log.size() - 4000 : 0);
  }
  std::string config() const { return pki_.path("certbot/config"); }
  std::string port() const { return std::to_string(pebble_->http01_port()); }

  // The account URL certbot stored (accounts/SERVER/ID/regr.json).
  std::string certbot_account_url() const {
    for (const auto& e : std::filesystem::recursive_directory_iterator(config() + "/accounts")) {
      if (e.path().filename() == "regr.json") return nlohmann::json::parse(read_file(e.path()))["uri"];
    }
    return "";
  }

  nlohmann::json certificate(const nlohmann::json& migration, const std::string& name) {
    for (const auto& c : migration["certificates"]) {
      if (c["name"] == name) return c;
    }
    return nullptr;
  }
};

TEST_F(CertbotMigrationTest, TakesOverCertbotsLineagesAndAccountThenRenews) {
  const std::string webroot = pki_.make_dir("www");
  const std::vector<std::string> standalone = {"--standalone", "--http-01-address", "127.0.0.1", "--http-01-port",
                                               port()};
  auto with = [](std::vector<std::string> a, const std::vector<std::string>& b) {
    a.insert(a.end(), b.begin(), b.end());
    return a;
  };
  ASSERT_NO_FATAL_FAILURE(certbot("web", with(standalone, {"-d", "www.example.test", "-d", "example.test",
                                                           "--deploy-hook", "systemctl reload nginx"})));
  ASSERT_NO_FATAL_FAILURE(certbot("broken", with(standalone, {"-d", "broken.example.test"})));
  std::optional<StaticServer> server;
  server.emplace(webroot, pebble_->http01_port());
  ASSERT_NO_FATAL_FAILURE(certbot("mail", {"--webroot", "-w", webroot, "-d", "mail.example.test", "-d",
                                           "smtp.example.test", "--key-type", "rsa", "--rsa-key-size", "3072"}));
  // Damage one lineage: its current key file loses its end.
  const std::string broken_key = std::filesystem::canonical(config() + "/live/broken/privkey.pem");
  write_file(broken_key, read_file(broken_key).substr(0, 100));

  const std::string before = db_snapshot();
  auto dry = ck({"--json", "import", "--from-certbot", config(), "--dry-run"});
  EXPECT_EQ(dry.exit_code, 3) << dry.err;
  EXPECT_EQ(db_snapshot(), before) << "a dry run stores nothing";
  auto dry_doc = json(dry);
  EXPECT_EQ(certificate(dry_doc, "web")["status"], "would-import");
  EXPECT_EQ(certificate(dry_doc, "mail")["status"], "would-import");
  EXPECT_EQ(certificate(dry_doc, "broken")["status"], "rejected");

  // Two migrations at once (real processes): each lineage and the account
  // are stored by exactly one of them; the other sees them as unchanged.
  ProcessResult r, other;
  std::thread second([&] { other = ck({"--json", "import", "--from-certbot", config()}); });
  r = ck({"import", "--from-certbot", config()});
  second.join();
  EXPECT_EQ(r.exit_code, 3) << r.out << r.err;
  EXPECT_EQ(other.exit_code, 3) << other.out << other.err;
  const auto other_doc = json(other);
  for (const char* name : {"web", "mail"}) {
    SCOPED_TRACE(name);
    const bool here = r.out.find(std::string(name) + ": imported as version 1") != std::string::npos;
    const bool there = certificate(other_doc, name)["status"] == "imported";
    EXPECT_NE(here, there) << r.out << other.out;
    if (!here) {
      EXPECT_NE(r.out.find(std::string(name) + ": already imported as version 1"), std::string::npos) << r.out;
    }
    if (!there) {
      EXPECT_EQ(certificate(other_doc, name)["status"], "unchanged") << other.out;
    }
    EXPECT_EQ(json(ck({"--json", "history", name}))["versions"].size(), 1u);
  }
  EXPECT_EQ(certificate(other_doc, "broken")["status"], "rejected");
  EXPECT_NE(r.err.find("certkeeper: broken: rejected by validation"), std::string::npos) << r.err;
  EXPECT_NE(r.out.find("deploy hook 'systemctl reload nginx' (renewal/web.conf renew_hook): certkeeper target add "
                       "web --dir /etc/certkeeper/live/web --reload 'systemctl reload nginx'"),
            std::string::npos)
      << r.out;
  EXPECT_NE(r.out.find("2 of 3 certbot lineages"), std::string::npos) << r.out;
  EXPECT_EQ(r.out.find("PRIVATE KEY"), std::string::npos);

  // The definitions carry certbot's settings.
  auto web = json(ck({"--json", "show", "web"}))["certificate"];
  EXPECT_EQ(web["source"], "acme");
  auto domains = web["domains"].get<std::vector<std::string>>();
  std::sort(domains.begin(), domains.end());
  EXPECT_EQ(domains, (std::vector<std::string>{"example.test", "www.example.test"}));
  EXPECT_EQ(web["challenge_config"]["listen"], "127.0.0.1:" + port());
  EXPECT_EQ(web["key_type"], "ec-p256");
  EXPECT_EQ(web["acme_server"], pebble_->directory_url());
  auto mail = json(ck({"--json", "show", "mail"}))["certificate"];
  EXPECT_EQ(mail["challenge_config"]["webroot"], webroot);
  EXPECT_EQ(mail["key_type"], "rsa-3072");
  auto broken = ck({"--json", "show", "broken"});
  EXPECT_EQ(broken.exit_code, 1) << "the broken lineage was not imported";

  // certbot's account is the inventory's now.
  const std::string account_url = certbot_account_url();
  ASSERT_FALSE(account_url.empty());
  auto account = json(ck({"--json", "account", "show", "--offline"}))["account"];
  EXPECT_EQ(account["account_url"], account_url);

  // Again: nothing new.
  auto again = json(ck({"--json", "import", "--from-certbot", config()}));
  EXPECT_EQ(certificate(again, "web")["status"], "unchanged");
  EXPECT_EQ(certificate(again, "mail")["status"], "unchanged");

  // Renewals work with the migrated definitions and account: the webroot
  // one while the web server runs, the standalone one once the port is free.
  auto renew_mail = ck({"--json", "renew", "mail", "--force"});
  ASSERT_EQ(renew_mail.exit_code, 0) << renew_mail.out << renew_mail.err;
  server.reset();
  auto renew_web = ck({"--json", "renew", "web", "--force"});
  ASSERT_EQ(renew_web.exit_code, 0) << renew_web.out << renew_web.err;
  for (const char* name : {"web", "mail"}) {
    SCOPED_TRACE(name);
    auto history = json(ck({"--json", "history", name}));
    EXPECT_EQ(history["versions"].size(), 2u);
    EXPECT_EQ(history["events"].back()["kind"], "issued");
    EXPECT_EQ(history["events"].back()["detail"]["account_url"], account_url);
  }
  auto all_accounts = ck({"--json", "account", "show", "--offline"});
  EXPECT_EQ(json(all_accounts)["account"]["account_url"], account_url) << "no new account was registered";
}

}  // namespace
}  // namespace certkeeper::testing
