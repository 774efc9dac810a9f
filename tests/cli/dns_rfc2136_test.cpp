// dns-01 through RFC 2136: contrib/dns/rfc2136-hook updates a real BIND 9
// (tests/support/bind.h) with nsupdate and a TSIG key, and pebble asks that
// BIND (pebble-challtestsrv is not started). A wildcard certificate is
// issued through it; a wrong key, a refused update and an unreachable server
// each end in certkeeper's one-line error with the hook's reason, and store
// nothing.
#include "cli/cli_fixture.h"
#include "support/bind.h"
#include "support/pebble.h"
#include "support/temp_dir.h"

namespace certkeeper::testing {
namespace {

class Rfc2136Test : public CliTest {
 protected:
  static void SetUpTestSuite() {
    bind_dir_ = new TempDir();
    bind_ = new Bind(bind_dir_->path(), "z.test");
    PebbleOptions options;
    options.dns_server = bind_->address();
    pebble_ = new Pebble(options);
  }
  static void TearDownTestSuite() {
    delete pebble_;
    delete bind_;
    delete bind_dir_;
    pebble_ = nullptr;
    bind_ = nullptr;
    bind_dir_ = nullptr;
  }

  void SetUp() override {
    trust_ = pki_.write("pebble-ca.pem", read_file(pebble_->ca_file()) + pebble_->issuing_root_pem());
    auto r = ck({"init", "--acme-server", pebble_->directory_url(), "--acme-ca-file", trust_, "--email",
                 "ops@example.test"});
    ASSERT_EQ(r.exit_code, 0) << r.err;
  }

  static std::string hook() { return std::string(CERTKEEPER_SOURCE_DIR) + "/contrib/dns/rfc2136-hook"; }

  // `add NAME` for a wildcard and its base name through the hook.
  void add_wildcard(const std::string& name) {
    auto r = ck({"add", name, "--domain", "*.z.test", "--domain", "z.test", "--challenge", "dns-01", "--dns-hook",
                 hook(), "--dns-propagation", "0"});
    ASSERT_EQ(r.exit_code, 0) << r.err;
  }

  ProcessResult issue(const std::string& name, const std::string& nameserver, const std::string& key_file) {
    return run_certkeeper({"--db", db(), "issue", name},
                          {{"RFC2136_NAMESERVER", nameserver}, {"RFC2136_TSIG_FILE", key_file},
                           {"RFC2136_TIMEOUT", "2"}, {"RFC2136_CONFIG", pki_.write("no-config", "# none\n")}});
  }

  static inline TempDir* bind_dir_ = nullptr;
  static inline Bind* bind_ = nullptr;
  static inline Pebble* pebble_ = nullptr;
  std::string trust_;
};

TEST_F(Rfc2136Test, IssuesAWildcardThroughBind) {
  add_wildcard("wild");
  auto r = issue("wild", bind_->address(), bind_->key_file());
  ASSERT_EQ(r.exit_code, 0) << r.err << r.out << "\n--- named.log:\n" << bind_->log();
  auto show = json(ck({"--json", "show", "wild"}));
  EXPECT_EQ(show["current"]["version"], 1);
  EXPECT_EQ(show["current"]["names"], (nlohmann::json{"*.z.test", "z.test"}));
  const std::string log = bind_->log();
  EXPECT_NE(log.find("signer \"ck-update\" approved"), std::string::npos) << log;
  EXPECT_NE(log.find("adding an RR at '_acme-challenge.z.test' TXT"), std::string::npos) << log;
  EXPECT_NE(log.find("deleting an RR at _acme-challenge.z.test TXT"), std::string::npos) << log;
  EXPECT_TRUE(bind_->txt("_acme-challenge.z.test.").empty()) << "cleanup removed both values";
}

TEST_F(Rfc2136Test, HookFailuresStoreNothing) {
  add_wildcard("wild");
  struct Case {
    const char* what;
    std::string nameserver, key_file, expected;
  };
  const std::vector<Case> cases = {
      {"wrong key", bind_->address(), bind_->wrong_key_file(),
       "rejected the TSIG key 'ck-update' from " + bind_->wrong_key_file() + " (BADSIG)"},
      {"refused update", bind_->address(), bind_->refused_key_file(),
       "refused the update of _acme-challenge.z.test. in zone z.test. (REFUSED): allow the key 'ck-other'"},
      {"unreachable server", "127.0.0.1:9", bind_->key_file(), "cannot reach 127.0.0.1:9"},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.what);
    const std::string before = db_snapshot();
    auto r = issue("wild", c.nameserver, c.key_file);
    EXPECT_EQ(r.exit_code, 1) << r.err;
    // The error is one line that carries the hook's reason (a warning that
    // the cleanup failed too may come before it).
    const std::string head = "certkeeper: " + hook() + ": the DNS hook failed 'present _acme-challenge.z.test.'";
    const auto at = r.err.find(head);
    ASSERT_NE(at, std::string::npos) << r.err;
    const std::string line = r.err.substr(at, r.err.find('\n', at) - at);
    EXPECT_NE(line.find(c.expected), std::string::npos) << line;
    auto show = json(ck({"--json", "show", "wild"}));
    EXPECT_TRUE(show["current"].is_null()) << show.dump();
    EXPECT_NE(show["certificate"]["last_error"].get<std::string>().find(c.expected), std::string::npos) << show.dump();
    EXPECT_NE(db_snapshot(), before) << "the failure itself is recorded";
  }
  EXPECT_TRUE(bind_->txt("_acme-challenge.z.test.").empty());
}

}  // namespace
}  // namespace certkeeper::testing
