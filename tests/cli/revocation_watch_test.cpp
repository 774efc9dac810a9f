// The revocation watch of `renew` as a whole process: imported certificates
// name CRLs served by a cpp-httplib server on 127.0.0.1 in the test (or a
// port nobody listens on). What the operator sees: the revoked version on
// stdout and in the history, the hook fired once, and a CRL that cannot be
// used as one stderr line that names the URL and what to do, never changing
// the exit status.
#include <httplib.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <fstream>
#include <sstream>
#include <thread>

#include "cli/cli_fixture.h"

namespace certkeeper::testing {
namespace {

using namespace std::chrono_literals;

class RevocationWatchCli : public CliTest {
 protected:
  RevocationWatchCli() {
    server_.Get("/int.crl", [this](const httplib::Request&, httplib::Response& res) {
      ++requests_;
      res.set_content(crl_, "application/pkix-crl");
    });
    port_ = server_.bind_to_any_port("127.0.0.1");
    thread_ = std::thread([this] { server_.listen_after_bind(); });
    for (int i = 0; i < 200 && !server_.is_running(); ++i) std::this_thread::sleep_for(5ms);
  }
  ~RevocationWatchCli() override {
    server_.stop();
    thread_.join();
  }
  void SetUp() override { init(); }

  std::string url() const { return "http://127.0.0.1:" + std::to_string(port_) + "/int.crl"; }
  static std::string dead_url() {
    int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
    socklen_t len = sizeof addr;
    ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
    ::close(fd);
    return "http://127.0.0.1:" + std::to_string(ntohs(addr.sin_port)) + "/int.crl";
  }

  Cert import_naming(const std::string& name, const std::string& crl_url) {
    CertOptions o;
    o.crl_urls = {crl_url};
    Cert leaf = pki_.leaf(o);
    auto files = write_set(leaf, name + "-");
    auto r = ck({"import", name, "--cert", files.cert, "--key", files.key, "--chain", files.chain});
    EXPECT_EQ(r.exit_code, 0) << r.err;
    return leaf;
  }
  std::string crl_listing(const Cert& leaf, const Key* signer = nullptr) {
    CrlOptions o;
    o.revoked = {{leaf.facts().serial_hex, pki_.now() - 7200, 1}};
    return pki_.crl(o, pki_.intermediate(), signer);
  }
  std::string hook() {
    log_ = pki_.path("hook.log");
    std::string path = pki_.write("hook.sh", "#!/bin/sh\necho \"$1 $2\" >> '" + log_ + "'\n");
    ::chmod(path.c_str(), 0700);
    return path;
  }
  std::string hook_log() const { return read_file(log_); }
  static std::vector<std::string> lines(const std::string& text) {
    std::vector<std::string> out;
    std::istringstream in(text);
    for (std::string line; std::getline(in, line);) out.push_back(line);
    return out;
  }

  httplib::Server server_;
  std::thread thread_;
  int port_ = 0;
  std::string crl_;
  std::atomic<int> requests_{0};
  std::string log_;
};

TEST_F(RevocationWatchCli, ARevokedCertificateIsShownMarkedAndAnnouncedOnceWhileADeadUrlIsOneLine) {
  Cert web = import_naming("web", url());
  const std::string dead = dead_url();
  import_naming("mail", dead);
  crl_ = crl_listing(web);
  const std::string prog = hook();

  auto r = ck({"renew", "--on-event", prog});

  EXPECT_EQ(r.exit_code, 0) << "an unreachable CRL does not change the exit status\n" << r.out << r.err;
  EXPECT_NE(r.out.find("web: version 1 REVOKED (keyCompromise)"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("CRL " + url() + ": fetched (1 revoked serial listed), checked 1 certificate"), std::string::npos) << r.out;
  auto err = lines(r.err);
  ASSERT_EQ(err.size(), 1u) << r.err;
  EXPECT_EQ(err[0].rfind("certkeeper: CRL " + dead + ": cannot fetch it", 0), 0u) << err[0];
  EXPECT_NE(err[0].find("check that this host can reach it"), std::string::npos) << err[0];
  EXPECT_NE(err[0].find("revocation of mail not checked"), std::string::npos) << err[0];
  EXPECT_EQ(err[0].find("error:"), std::string::npos) << "no OpenSSL or curl stack";
  EXPECT_EQ(hook_log(), "revoked web\n");

  auto history = json(ck({"--json", "history", "web"}));
  EXPECT_EQ(history["versions"][0]["revoke_reason"], "keyCompromise") << history;
  EXPECT_FALSE(history["versions"][0]["revoked_at"].is_null());

  auto again = ck({"--json", "renew", "--on-event", prog});
  EXPECT_EQ(again.exit_code, 0) << again.err;
  EXPECT_TRUE(json(again)["revocation"]["events"].empty()) << again.out;
  EXPECT_EQ(hook_log(), "revoked web\n") << "announced once";
  EXPECT_EQ(requests_.load(), 1);
}

TEST_F(RevocationWatchCli, AForgedCrlIsRejectedWithOneLineAndNothingIsMarked) {
  Cert web = import_naming("web", url());
  Key forger = Key::generate(KeyType::ec_p256);
  crl_ = crl_listing(web, &forger);
  const std::string prog = hook();

  auto r = ck({"--json", "renew", "--on-event", prog});

  EXPECT_EQ(r.exit_code, 0) << r.err;
  auto doc = json(r);
  ASSERT_EQ(doc["revocation"]["crls"].size(), 1u) << r.out;
  EXPECT_EQ(doc["revocation"]["crls"][0]["status"], "rejected");
  auto err = lines(r.err);
  ASSERT_EQ(err.size(), 1u) << r.err;
  EXPECT_EQ(err[0].rfind("certkeeper: CRL " + url() + ": ", 0), 0u) << err[0];
  EXPECT_NE(err[0].find("signature does not verify"), std::string::npos) << err[0];
  EXPECT_NE(err[0].find("not trusted"), std::string::npos) << err[0];
  auto history = json(ck({"--json", "history", "web"}));
  EXPECT_TRUE(history["versions"][0]["revoked_at"].is_null()) << history;
  EXPECT_TRUE(hook_log().empty());
}

TEST_F(RevocationWatchCli, ADryRunFetchesNothing) {
  import_naming("web", url());
  auto r = ck({"renew", "--dry-run"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("would read the CRL distribution points of 1 version stored since the last pass"), std::string::npos) << r.out;
  EXPECT_EQ(requests_.load(), 0);
}

}  // namespace
}  // namespace certkeeper::testing
