// The real-nginx fixture itself: nginx serves the files a target holds,
// picks up new ones on reload, and keeps the old ones when the new files are
// broken, which is why a reload's exit status never proves an install: only
// a probe of the served certificate does.
#include "support/nginx.h"

#include <gtest/gtest.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <ctime>
#include <filesystem>
#include <string>
#include <thread>
#include <vector>

#include "support/temp_dir.h"
#include "support/test_pki.h"

namespace certkeeper::testing {
namespace {

using namespace std::chrono_literals;

CertOptions web_names(const std::string& host) {
  CertOptions o;
  o.cn = host;
  o.dns = {host};
  o.ips = {"127.0.0.1"};
  return o;
}

// Whether the served leaf stays `der` for `period` (checked every 100 ms).
bool keeps_serving(int port, const std::string& der, std::chrono::milliseconds period) {
  const auto until = std::chrono::steady_clock::now() + period;
  while (std::chrono::steady_clock::now() < until) {
    if (served_leaf_der(port) != der) return false;
    std::this_thread::sleep_for(100ms);
  }
  return true;
}

class NginxFixtureTest : public ::testing::Test {
 protected:
  // Valid at the wall-clock time (kPkiNow is in 2027): nginx does not care,
  // but the certificates should be ones a real client would accept today.
  TestPki pki{static_cast<UnixTime>(std::time(nullptr))};
  Cert first = pki.leaf(web_names("www.example.test"));
  Cert second = pki.leaf(web_names("www.example.test"));
  TempDir work;
  std::string target = pki.make_dir("target");

  // A version directory with the separate layout's files.
  std::string write_version(const std::string& name, const Cert& leaf, const std::string& key_pem) const {
    const std::string dir = pki.make_dir(name);
    write_file(dir + "/fullchain.pem", leaf.pem() + pki.intermediate().pem());
    write_file(dir + "/privkey.pem", key_pem);
    ::chmod((dir + "/privkey.pem").c_str(), 0600);
    return dir;
  }

  // Points TARGET/current at `version_dir` in one rename, as an install does.
  void switch_to(const std::string& version_dir) const {
    const std::string tmp = target + "/.current.tmp";
    std::filesystem::remove(tmp);
    std::filesystem::create_directory_symlink(version_dir, tmp);
    std::filesystem::rename(tmp, target + "/current");
  }

  NginxServer through_symlink() const {
    return {target + "/current/fullchain.pem", target + "/current/privkey.pem"};
  }
};

TEST_F(NginxFixtureTest, ServesTheInstalledCertificateAndTheNewOneAfterReload) {
  switch_to(write_version("v1", first, first.key().pem()));
  Nginx nginx(work.path(), {through_symlink()});
  nginx.start();
  ASSERT_GT(nginx.port(), 0);
  EXPECT_EQ(served_leaf_der(nginx.port()), first.der());

  switch_to(write_version("v2", second, second.key().pem()));
  EXPECT_EQ(served_leaf_der(nginx.port()), first.der()) << "nginx reads the files only on (re)load";
  const std::vector<pid_t> old_workers = nginx.workers();
  ASSERT_FALSE(old_workers.empty());
  const ProcessResult reload = run_command(nginx.reload_argv());
  ASSERT_EQ(reload.exit_code, 0) << reload.err;
  EXPECT_TRUE(wait_for_leaf(nginx.port(), second.der())) << nginx.log_tail();
  // An old worker may take a connection until it has exited; from then on
  // only the new certificate is served.
  ASSERT_TRUE(nginx.wait_for_workers_gone(old_workers)) << nginx.log_tail();
  EXPECT_FALSE(nginx.workers().empty());
  EXPECT_TRUE(keeps_serving(nginx.port(), second.der(), 300ms));
}

TEST_F(NginxFixtureTest, ConfigAndEveryFileStayInTheWorkDirectory) {
  switch_to(write_version("v1", first, first.key().pem()));
  Nginx nginx(work.path(), {through_symlink()});
  nginx.start();
  const std::string conf = read_file(nginx.conf_path());
  for (const char* temp : {"client_body", "proxy", "fastcgi", "uwsgi", "scgi"}) {
    EXPECT_NE(conf.find(std::string(temp) + "_temp_path \"" + work.path() + "/"), std::string::npos) << temp;
  }
  EXPECT_NE(conf.find("listen 127.0.0.1:" + std::to_string(nginx.port()) + " ssl;"), std::string::npos);
  EXPECT_EQ(read_file(nginx.pid_path()), std::to_string(nginx.master_pid()) + "\n");
  EXPECT_NE(read_file(nginx.error_log()).find("start worker process"), std::string::npos) << nginx.log_tail();
  const std::vector<std::string> argv = nginx.reload_argv();
  ASSERT_EQ(argv.size(), 7u);
  EXPECT_EQ(std::filesystem::path(argv[0]).filename(), "nginx");
  EXPECT_EQ(std::vector<std::string>(argv.begin() + 1, argv.end()),
            (std::vector<std::string>{"-c", nginx.conf_path(), "-e", nginx.error_log(), "-s", "reload"}));
}

TEST_F(NginxFixtureTest, ServesSeveralServersIncludingACombinedFile) {
  const Cert mail = pki.leaf(web_names("mail.example.test"));
  const std::string combined =
      pki.write("combined.pem", mail.key().pem() + mail.pem() + pki.intermediate().pem());
  switch_to(write_version("v1", first, first.key().pem()));
  Nginx nginx(work.path(), {through_symlink(), NginxServer{combined, ""}});
  nginx.start();
  ASSERT_NE(nginx.port(0), nginx.port(1));
  EXPECT_EQ(served_leaf_der(nginx.port(0)), first.der());
  EXPECT_EQ(served_leaf_der(nginx.port(1)), mail.der());
  EXPECT_EQ(nginx.address(1), "127.0.0.1:" + std::to_string(nginx.port(1)));
}

// nginx -s reload parses the whole configuration, certificates and keys
// included, before it signals the master: a broken key makes it exit 1 and
// nothing changes. A reload that only signals the master (kill -HUP, what
// many init scripts and hand-written reload commands do) exits 0 while the
// master rejects the files and goes on serving the old certificate. Either
// way, only the probe of the served certificate can tell.
TEST_F(NginxFixtureTest, ABrokenKeyOnReloadKeepsTheOldCertificateServed) {
  switch_to(write_version("v1", first, first.key().pem()));
  Nginx nginx(work.path(), {through_symlink()});
  nginx.start();
  ASSERT_EQ(served_leaf_der(nginx.port()), first.der());

  // The second certificate with the first one's key: a key mismatch.
  switch_to(write_version("v2", second, first.key().pem()));
  const ProcessResult reload = run_command(nginx.reload_argv());
  EXPECT_EQ(reload.exit_code, 1);
  EXPECT_NE(reload.err.find("[emerg]"), std::string::npos) << reload.err;
  EXPECT_NE(reload.err.find("key values mismatch"), std::string::npos) << reload.err;
  EXPECT_TRUE(keeps_serving(nginx.port(), first.der(), 500ms));

  // Garbage instead of a key, and a reload command that just signals.
  switch_to(write_version("v3", second, "not a key\n"));
  const std::size_t log_before = read_file(nginx.error_log()).size();
  const ProcessResult hup =
      run_command({"sh", "-c", "kill -HUP \"$(cat \"$1\")\"", "sh", nginx.pid_path()});
  EXPECT_EQ(hup.exit_code, 0) << hup.err;
  const auto deadline = std::chrono::steady_clock::now() + 10s;
  std::string new_lines;
  while (new_lines.find("cannot load certificate key") == std::string::npos &&
         std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(50ms);
    new_lines = read_file(nginx.error_log()).substr(log_before);
  }
  EXPECT_NE(new_lines.find("[emerg]"), std::string::npos) << new_lines;
  EXPECT_NE(new_lines.find("cannot load certificate key"), std::string::npos) << new_lines;
  EXPECT_TRUE(nginx.running());
  EXPECT_TRUE(keeps_serving(nginx.port(), first.der(), 500ms));

  // Good files again: the same reload now works.
  switch_to(write_version("v4", second, second.key().pem()));
  ASSERT_EQ(run_command(nginx.reload_argv()).exit_code, 0);
  EXPECT_TRUE(wait_for_leaf(nginx.port(), second.der())) << nginx.log_tail();
}

TEST_F(NginxFixtureTest, StopLeavesNothingListeningAndStartsAgainOnTheSamePort) {
  switch_to(write_version("v1", first, first.key().pem()));
  Nginx nginx(work.path(), {through_symlink()});
  nginx.start();
  const int port = nginx.port();
  const pid_t master = nginx.master_pid();
  nginx.stop();
  EXPECT_EQ(nginx.master_pid(), -1);
  EXPECT_FALSE(nginx.running());
  EXPECT_EQ(served_leaf_der(port), std::nullopt);
  EXPECT_NE(::kill(master, 0), 0);
  nginx.stop();  // idempotent

  nginx.start();
  EXPECT_EQ(nginx.port(), port);
  EXPECT_EQ(served_leaf_der(port), first.der());
}

TEST_F(NginxFixtureTest, AStartThatFailsThrowsWithTheErrorLog) {
  Nginx nginx(work.path(), {NginxServer{target + "/missing/fullchain.pem", target + "/missing/privkey.pem"}});
  const auto started = std::chrono::steady_clock::now();
  try {
    nginx.start();
    FAIL() << "nginx started without a certificate";
  } catch (const std::runtime_error& e) {
    const std::string what = e.what();
    EXPECT_NE(what.find("nginx exited with status 1"), std::string::npos) << what;
    EXPECT_NE(what.find("cannot load certificate"), std::string::npos) << what;
  }
  EXPECT_LT(std::chrono::steady_clock::now() - started, 10s);
  EXPECT_FALSE(nginx.running());
}

TEST(RunCommand, ReportsExitCodesOutputAndTimeouts) {
  const ProcessResult ok = run_command({"sh", "-c", "echo out; echo err >&2; exit 3"});
  EXPECT_EQ(ok.exit_code, 3);
  EXPECT_EQ(ok.out, "out\n");
  EXPECT_EQ(ok.err, "err\n");
  const auto started = std::chrono::steady_clock::now();
  const ProcessResult slow = run_command({"sleep", "30"}, 200ms);
  EXPECT_EQ(slow.exit_code, 128 + SIGKILL);
  EXPECT_LT(std::chrono::steady_clock::now() - started, 5s);
}

}  // namespace
}  // namespace certkeeper::testing
