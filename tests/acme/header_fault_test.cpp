// Response headers a CA sends are outside input like its bodies: a
// Replay-Nonce, Location or Link value holding bytes that are no URL or
// nonce must end in a clear error or be ignored, never in an exception from
// the JSON of the next signed request (each of these threw nlohmann's
// type_error 316, which aborts the binary, before the fix).
#include <gtest/gtest.h>

#include "certkeeper/acme/client.h"
#include "certkeeper/acme/problem.h"
#include "support/acme_stub.h"

namespace certkeeper::acme {
namespace {

using testing::AcmeStub;
using testing::StubRequest;
using testing::StubResponse;

constexpr const char* kNotUtf8 = "\xff\xfe";

class HeaderFaultTest : public ::testing::Test {
 protected:
  HeaderFaultTest() : clock_(1'800'000'000) {
    net::HttpOptions http;
    http.ca_file = stub_.ca_file();
    http_ = net::make_http_client(http);
    auto key = crypto::generate_private_key("ec-p256");
    signer_ = std::move(crypto::make_signer(*key).value());
    client_ = std::make_unique<Client>(*http_, *signer_, stub_.directory_url(), clock_);
  }

  // The stub's directory, with `headers` added.
  StubResponse directory(std::map<std::string, std::string> headers) const {
    const std::string base = stub_.base_url();
    StubResponse out;
    out.body = nlohmann::json{{"newNonce", base + "/nonce"}, {"newAccount", base + "/acct"},
                              {"newOrder", base + "/order"}}
                   .dump();
    out.headers = std::move(headers);
    return out;
  }

  AcmeStub stub_;
  FixedClock clock_;
  std::unique_ptr<net::HttpClient> http_;
  std::unique_ptr<crypto::Signer> signer_;
  std::unique_ptr<Client> client_;
};

TEST_F(HeaderFaultTest, AReplayNonceThatIsNotBase64urlIsIgnored) {
  // RFC 8555 §6.5.1: clients MUST ignore invalid Replay-Nonce values. The
  // directory's is invalid: the first POST fetches a fresh one instead.
  stub_.set_override([this](const StubRequest& r) -> std::optional<StubResponse> {
    if (r.path == "/dir") return directory({{"Replay-Nonce", std::string("abc") + kNotUtf8}});
    return std::nullopt;
  });
  auto account = client_->new_account({}, true, std::nullopt);
  ASSERT_TRUE(account) << account.error().what();
  EXPECT_EQ(stub_.requests_to("/nonce").size(), 1u);
  for (const auto& r : stub_.requests_to("/acct")) EXPECT_TRUE(r.nonce_valid);
}

TEST_F(HeaderFaultTest, OnlyInvalidNoncesAreAClearError) {
  stub_.set_override([this](const StubRequest& r) -> std::optional<StubResponse> {
    if (r.path == "/dir") return directory({{"Replay-Nonce", "has space"}});
    if (r.path == "/nonce") {
      StubResponse n;
      n.content_type.clear();
      n.headers["Replay-Nonce"] = std::string("x") + kNotUtf8;
      return n;
    }
    return std::nullopt;
  });
  auto account = client_->new_account({}, true, std::nullopt);
  ASSERT_FALSE(account);
  EXPECT_EQ(account.error().code, Errc::ca_failed);
  EXPECT_NE(account.error().message.find("no valid Replay-Nonce"), std::string::npos) << account.error().message;
}

TEST_F(HeaderFaultTest, AnAccountLocationThatIsNoUrlIsRefused) {
  const std::string bad = stub_.base_url() + "/acct/1" + kNotUtf8;
  stub_.set_override([bad](const StubRequest& r) -> std::optional<StubResponse> {
    if (r.path != "/acct") return std::nullopt;
    StubResponse out;
    out.status = 201;
    out.body = R"({"status":"valid"})";
    out.headers["Location"] = bad;
    return out;
  });
  auto account = client_->new_account({}, true, std::nullopt);
  ASSERT_FALSE(account);
  EXPECT_EQ(account.error().code, Errc::ca_failed);
  EXPECT_NE(account.error().message.find("Location"), std::string::npos) << account.error().message;
  EXPECT_TRUE(client_->account_url().empty()) << "nothing to sign the next request with";
  EXPECT_EQ(account.error().what().find('\xff'), std::string::npos) << "the bytes are not repeated raw";
}

TEST_F(HeaderFaultTest, AnOrderLocationThatIsNoUrlIsRefused) {
  ASSERT_TRUE(client_->new_account({}, true, std::nullopt));
  const std::string bad = stub_.base_url() + "/order/1\x01";
  stub_.set_override([bad](const StubRequest& r) -> std::optional<StubResponse> {
    if (r.path != "/order") return std::nullopt;
    StubResponse out;
    out.status = 201;
    out.body = R"({"status":"pending","finalize":"https://127.0.0.1/finalize/1"})";
    out.headers["Location"] = bad;
    return out;
  });
  auto order = client_->new_order({identifier_for("www.example.test")});
  ASSERT_FALSE(order);
  EXPECT_EQ(order.error().code, Errc::ca_failed);
  EXPECT_NE(order.error().message.find("Location"), std::string::npos) << order.error().message;
}

TEST_F(HeaderFaultTest, AnAlternateChainLinkThatIsNoUrlIsSkipped) {
  ASSERT_TRUE(client_->new_account({}, true, std::nullopt));
  const std::string chain = stub_.pki().intermediate().pem();
  const std::string bad = "<" + stub_.base_url() + "/cert/2" + kNotUtf8 + ">;rel=\"alternate\"";
  stub_.set_override([&](const StubRequest& r) -> std::optional<StubResponse> {
    if (r.path != "/cert/9") return std::nullopt;
    StubResponse out;
    out.body = chain;
    out.content_type = "application/pem-certificate-chain";
    out.headers["Link"] = bad;
    return out;
  });
  // The preferred chain is not the default one, so the alternate is tried.
  auto pem = client_->download(stub_.base_url() + "/cert/9", "Some Other Root");
  ASSERT_TRUE(pem) << pem.error().what();
  EXPECT_EQ(*pem, chain);
}

TEST(RetryAfter, HugeDelaysSaturateInsteadOfOverflowing) {
  // Before: now + 9223372036854775807 overflowed (UBSan: signed integer
  // overflow; found by tests/fuzz/acme_headers_fuzz), and the wrapped time
  // was stored as the next check. Whatever the policy's upper bound, a huge
  // delay is later than now, no later than RFC 9111 §1.2.2's 2^31 seconds,
  // and no different from any other delay beyond that bound.
  const UnixTime now = 1'800'000'000;
  const auto at = parse_retry_after("9223372036854775807", now);
  ASSERT_TRUE(at);
  EXPECT_GT(*at, now);
  EXPECT_LE(*at, now + (UnixTime{1} << 31));
  EXPECT_EQ(parse_retry_after("99999999999999999999999999", now), at);
  EXPECT_EQ(parse_retry_after("2147483648", now), at);
  EXPECT_EQ(parse_retry_after("120", now), now + 120);
  EXPECT_EQ(parse_retry_after(" ", now), std::nullopt);
}

}  // namespace
}  // namespace certkeeper::acme
