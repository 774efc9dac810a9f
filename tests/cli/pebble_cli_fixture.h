// CLI tests against Debian's pebble: one pebble per test suite (gtest runs
// each test in its own process under CTest, so in practice one per test),
// and an inventory initialised for it: its listener CA and issuing root as
// the private CA's file, a contact address.
#pragma once

#include "cli/cli_fixture.h"
#include "support/pebble.h"

namespace certkeeper::testing {

template <bool kEab = false>
class PebbleCliTest : public CliTest {
 protected:
  PebbleCliTest() = default;
  // On a fresh database of `server`, whatever CERTKEEPER_TEST_BACKEND says.
  explicit PebbleCliTest(Postgres* server) : CliTest(server) {}

  static void SetUpTestSuite() {
    PebbleOptions options;
    options.eab = kEab;
    pebble_ = new Pebble(options);
  }
  static void TearDownTestSuite() {
    delete pebble_;
    pebble_ = nullptr;
  }

  void SetUp() override {
    trust_ = pki_.write("pebble-ca.pem", read_file(pebble_->ca_file()) + pebble_->issuing_root_pem());
    auto r = ck({"init", "--acme-server", pebble_->directory_url(), "--acme-ca-file", trust_, "--email",
                 "ops@example.test"});
    ASSERT_EQ(r.exit_code, 0) << r.err;
  }

  std::string http_listen() const { return "127.0.0.1:" + std::to_string(pebble_->http01_port()); }
  std::string tls_listen() const { return "127.0.0.1:" + std::to_string(pebble_->tlsalpn01_port()); }

  // `account ARGS...` with --json: the "account" object (null on failure);
  // no key material may appear in the output.
  nlohmann::json account(const std::vector<std::string>& args) {
    std::vector<std::string> all = {"--json", "account"};
    all.insert(all.end(), args.begin(), args.end());
    auto r = ck(all);
    EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
    EXPECT_EQ(r.out.find("PRIVATE"), std::string::npos) << "no key material in any output";
    return r.exit_code == 0 ? json(r)["account"] : nlohmann::json();
  }

  static inline Pebble* pebble_ = nullptr;
  std::string trust_;
};

}  // namespace certkeeper::testing
