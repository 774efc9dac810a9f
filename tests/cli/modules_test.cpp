// The binary without its loadable modules (include/certkeeper/util/
// module_loader.h): everything that needs no network still works, ACME goes
// through certkeeper's own HTTPS client, and what needs libcurl (a request
// through a proxy) fails with one line that names the missing module and the
// fix, never as a CA or network failure.
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <cstdlib>
#include <filesystem>
#include <string>

#include "cli/cli_fixture.h"

namespace certkeeper::testing {
namespace {

class ModulesTest : public CliTest {
 protected:
  void SetUp() override {
    if (std::filesystem::exists(std::string(CERTKEEPER_TEST_MODULE_DIR) + "/certkeeper-curl.so")) {
      GTEST_SKIP() << "certkeeper is installed on this machine: the lone binary would find its modules";
    }
    original_ = certkeeper_binary();
    lone_ = pki_.make_dir("lone") + "/certkeeper";
    std::filesystem::copy_file(original_, lone_);
    ::chmod(lone_.c_str(), 0755);
  }
  void TearDown() override {
    if (!original_.empty()) ::setenv("CERTKEEPER_BIN", original_.c_str(), 1);
  }

  // Runs the copy that has no modules beside it.
  ProcessResult lone(std::vector<std::string> args) const {
    ::setenv("CERTKEEPER_BIN", lone_.c_str(), 1);
    ProcessResult r = ck(std::move(args));
    ::setenv("CERTKEEPER_BIN", original_.c_str(), 1);
    return r;
  }

  std::string original_, lone_;
};

TEST_F(ModulesTest, OfflineCommandsNeedNoModule) {
  ASSERT_EQ(lone({"init", "--external-url", "https://www.example.test/"}).exit_code, 0);
  const Files files = write_set(pki_.leaf());
  auto imported = lone({"import", "mail", "--cert", files.cert, "--key", files.key, "--chain", files.chain});
  EXPECT_EQ(imported.exit_code, 0) << imported.err;
  EXPECT_EQ(lone({"list"}).exit_code, 0);
  EXPECT_EQ(lone({"report"}).exit_code, 0);
  auto added = lone({"add", "web", "--domain", "www.example.test", "--acme-server", "https://127.0.0.1:9/dir"});
  EXPECT_EQ(added.exit_code, 0) << added.err;
  auto dry = lone({"renew", "--dry-run"});
  EXPECT_EQ(dry.exit_code, 0) << dry.err;
}

TEST_F(ModulesTest, AnOrderNeedsNoModuleUnlessAProxyIsNamed) {
  init();
  ASSERT_EQ(ck({"add", "web", "--domain", "www.example.test", "--acme-server", "https://127.0.0.1:9/dir"}).exit_code, 0);
  // Direct: the lone binary's own client reaches the network (and is refused).
  auto direct = lone({"issue", "web"});
  EXPECT_EQ(direct.exit_code, 4) << direct.err;
  EXPECT_NE(direct.err.find("cannot reach the ACME server"), std::string::npos) << direct.err;

  // Through a proxy, libcurl's module is needed and missing.
  ::setenv("https_proxy", "http://127.0.0.1:9", 1);
  auto r = lone({"issue", "web"});
  auto real = ck({"issue", "web"});
  ::unsetenv("https_proxy");
  EXPECT_EQ(r.exit_code, 1) << "a broken installation, not a CA failure (4): " << r.err;
  EXPECT_NE(r.err.find("certkeeper-curl.so"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("reinstall certkeeper"), std::string::npos) << r.err;
  EXPECT_EQ(r.err.find("ACME server"), std::string::npos) << r.err;
  EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << r.err;

  // The same binary beside its modules tries the proxy (and is refused).
  EXPECT_EQ(real.exit_code, 4) << real.err;
  EXPECT_NE(real.err.find("cannot reach the ACME server"), std::string::npos) << real.err;
}

}  // namespace
}  // namespace certkeeper::testing
