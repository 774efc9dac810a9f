// add + issue as whole processes against Debian's pebble (5% bad nonces on).
#include <sys/stat.h>

#include <algorithm>

#include "cli/pebble_cli_fixture.h"

namespace certkeeper::testing {
namespace {

class IssueTest : public PebbleCliTest<> {};

TEST_F(IssueTest, Http01StandaloneIssuesAndStoresAVersion) {
  auto add = ck({"add", "web", "--domain", "www.example.test", "--domain", "example.test", "--challenge", "http-01",
                 "--listen", http_listen()});
  ASSERT_EQ(add.exit_code, 0) << add.err;
  auto r = ck({"--json", "issue", "web"});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  auto doc = json(r);
  EXPECT_TRUE(doc["certificates"][0]["stored"]);
  EXPECT_EQ(doc["certificates"][0]["version"], 1);

  auto list = json(ck({"--json", "list"}));
  auto c = list["certificates"][0];
  EXPECT_EQ(c["source"], "acme");
  auto names = c["names"].get<std::vector<std::string>>();
  std::sort(names.begin(), names.end());  // the CA chooses the SAN order
  EXPECT_EQ(names, (std::vector<std::string>{"example.test", "www.example.test"}));

  auto again = ck({"issue", "web"});
  ASSERT_EQ(again.exit_code, 0) << again.err;
  EXPECT_NE(again.out.find("web: issued version 2"), std::string::npos) << again.out;
  auto history = json(ck({"--json", "history", "web"}));
  EXPECT_EQ(history["versions"].size(), 2u);
}

TEST_F(IssueTest, TlsAlpn01Issues) {
  ASSERT_EQ(ck({"add", "alpn", "--domain", "alpn.example.test", "--challenge", "tls-alpn-01", "--listen", tls_listen()})
                .exit_code,
            0);
  auto r = ck({"issue", "alpn"});
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
}

TEST_F(IssueTest, Dns01ThroughAHookIssuesAWildcard) {
  // The hook drives pebble-challtestsrv's TXT records over its management
  // API with bash's /dev/tcp: argv in, no shell interpretation of values.
  std::string mgmt = pebble_->challtestsrv_management_url();
  std::string port = mgmt.substr(mgmt.rfind(':') + 1);
  std::string hook = pki_.write("dns-hook.sh",
                                "#!/bin/bash\nset -eu\n"
                                "case $1 in present) path=/set-txt; body=\"{\\\"host\\\":\\\"$2\\\",\\\"value\\\":\\\"$3\\\"}\";;\n"
                                "cleanup) path=/clear-txt; body=\"{\\\"host\\\":\\\"$2\\\"}\";; esac\n"
                                "exec 3<>/dev/tcp/127.0.0.1/" + port + "\n"
                                "printf 'POST %s HTTP/1.0\\r\\nContent-Length: %d\\r\\n\\r\\n%s' \"$path\" \"${#body}\" \"$body\" >&3\n"
                                "head -1 <&3 | grep -q ' 200 '\n");
  ::chmod(hook.c_str(), 0755);
  auto add = ck({"add", "wild", "--domain", "*.wild.example.test", "--domain", "wild.example.test", "--challenge",
                 "dns-01", "--dns-hook", hook, "--dns-propagation", "0"});
  ASSERT_EQ(add.exit_code, 0) << add.err;
  auto r = ck({"--json", "issue", "wild"});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  auto names = json(ck({"--json", "list"}))["certificates"][0]["names"].get<std::vector<std::string>>();
  std::sort(names.begin(), names.end());
  EXPECT_EQ(names, (std::vector<std::string>{"*.wild.example.test", "wild.example.test"}));
}

TEST_F(IssueTest, AFailedValidationChangesNoVersionAndExitsFour) {
  // Nothing answers on this port: pebble's http-01 validation fails.
  ASSERT_EQ(ck({"add", "dead", "--domain", "dead.example.test", "--webroot", pki_.make_dir("nowhere")}).exit_code, 0);
  auto r = ck({"issue", "dead"});
  EXPECT_EQ(r.exit_code, 4) << r.out << r.err;
  EXPECT_NE(r.err.find("dead"), std::string::npos) << r.err;
  auto c = json(ck({"--json", "list"}))["certificates"][0];
  EXPECT_TRUE(c["version"].is_null()) << "no version was stored";
  EXPECT_EQ(c["failures"], 1);
  EXPECT_FALSE(c["last_error"].get<std::string>().empty());
}

TEST_F(IssueTest, ManyCertificatesInParallel) {
  std::vector<std::string> args = {"issue", "--parallel", "4"};
  for (int i = 0; i < 6; ++i) {
    std::string name = "p" + std::to_string(i);
    ASSERT_EQ(ck({"add", name, "--domain", name + ".example.test", "--listen", http_listen()}).exit_code, 0);
    args.push_back(name);
  }
  auto r = ck(args);
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_EQ(json(ck({"--json", "list"}))["certificates"].size(), 6u);
}

TEST_F(IssueTest, UsageErrors) {
  EXPECT_EQ(ck({"add", "w", "--domain", "*.example.test"}).exit_code, 2) << "wildcards need dns-01";
  EXPECT_EQ(ck({"add", "w", "--domain", "a.example.test", "--challenge", "dns-01"}).exit_code, 2);
  EXPECT_EQ(ck({"add", "w", "--domain", "a.example.test", "--key-type", "rsa-1024"}).exit_code, 2);
  EXPECT_EQ(ck({"add", "w", "--domain", "a.example.test", "--acme-server", "http://x/dir"}).exit_code, 2);
  auto missing = ck({"issue", "nope"});
  EXPECT_EQ(missing.exit_code, 1);
  EXPECT_NE(missing.err.find("certkeeper add"), std::string::npos) << missing.err;
}

}  // namespace
}  // namespace certkeeper::testing

namespace certkeeper::testing {
namespace {

TEST_F(IssueTest, AnIpAddressIdentifier) {
  // RFC 8738: pebble validates http-01 for 127.0.0.1 on its http-01 port.
  ASSERT_EQ(ck({"add", "ip", "--domain", "127.0.0.1", "--listen", http_listen()}).exit_code, 0);
  auto r = ck({"issue", "ip"});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_EQ(json(ck({"--json", "list"}))["certificates"][0]["names"], nlohmann::json::array({"127.0.0.1"}));
}

TEST_F(IssueTest, AnRsaKeyOnRequest) {
  ASSERT_EQ(ck({"add", "rsa", "--domain", "rsa.example.test", "--key-type", "rsa-2048", "--listen", http_listen()})
                .exit_code,
            0);
  auto r = ck({"issue", "rsa"});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_EQ(json(ck({"--json", "list"}))["certificates"][0]["key_type"], "rsa-2048");
}

}  // namespace
}  // namespace certkeeper::testing

namespace certkeeper::testing {
namespace {

class IssueInstallTest : public PebbleCliTest<> {};

// A certificate with a target is installed as soon as it is issued; the
// probe judges the install exactly as for an import.
TEST_F(IssueInstallTest, AnIssuedCertificateGoesIntoItsTargets) {
  ASSERT_EQ(ck({"add", "web", "--domain", "www.example.test", "--challenge", "http-01", "--listen", http_listen()})
                .exit_code,
            0);
  std::string dir = pki_.path("live-web");
  ASSERT_EQ(ck({"target", "add", "web", "--dir", dir, "--reload", "true"}).exit_code, 0);
  auto r = ck({"--json", "issue", "web"});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  auto c = json(r)["certificates"][0];
  ASSERT_TRUE(c.contains("install")) << r.out;
  EXPECT_EQ(c["install"]["version"], 1);
  EXPECT_EQ(c["install"]["reloads"][0]["ok"], true);
  EXPECT_NE(read_file(dir + "/fullchain.pem").find("BEGIN CERTIFICATE"), std::string::npos);
  EXPECT_NE(read_file(dir + "/privkey.pem").find("BEGIN PRIVATE KEY"), std::string::npos);
  EXPECT_EQ(json(ck({"--json", "target", "list", "web"}))["targets"][0]["installed_version"], 1);

  // A reload that fails: the new version is stored but not live (exit 5).
  ASSERT_EQ(ck({"target", "add", "web", "--dir", dir, "--reload", "false"}).exit_code, 0);
  auto failed = ck({"issue", "web"});
  EXPECT_EQ(failed.exit_code, 5) << failed.out << failed.err;
  EXPECT_NE(failed.err.find("switched back to version 1"), std::string::npos) << failed.err;
  EXPECT_EQ(json(ck({"--json", "history", "web"}))["versions"].size(), 2u);
  EXPECT_EQ(json(ck({"--json", "target", "list", "web"}))["targets"][0]["installed_version"], 1);
}

}  // namespace
}  // namespace certkeeper::testing

namespace certkeeper::testing {
namespace {

class ProfileTest : public PebbleCliTest<> {};

// pebble 2.4 offers no profiles (no meta.profiles): any --profile is refused
// when the certificate is defined, not at its first renewal.
TEST_F(ProfileTest, AddRefusesAProfileTheCaDoesNotOffer) {
  auto r = ck({"add", "web", "--domain", "www.example.test", "--profile", "shortlived"});
  EXPECT_EQ(r.exit_code, 2) << r.err;
  EXPECT_NE(r.err.find("the CA does not offer this --profile; it offers: none"), std::string::npos) << r.err;
  EXPECT_EQ(json(ck({"--json", "list"}))["certificates"].size(), 0u) << "nothing was defined";
}

}  // namespace
}  // namespace certkeeper::testing
