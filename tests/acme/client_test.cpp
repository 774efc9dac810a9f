// The ACME client against the scripted stub: the protocol as sent on the
// wire, and every fault pebble cannot produce.
#include "certkeeper/acme/client.h"

#include <limits>

#include <nlohmann/json.hpp>

#include "certkeeper/util/text.h"

#include <gtest/gtest.h>

#include "support/acme_stub.h"

namespace certkeeper::acme {
namespace {

using testing::AcmeStub;
using testing::AcmeStubOptions;

class ClientTest : public ::testing::Test {
 protected:
  explicit ClientTest(AcmeStubOptions options = {}) : stub_(options), clock_(1'800'000'000) {
    net::HttpOptions http;
    http.ca_file = stub_.ca_file();
    http.timeout = std::chrono::milliseconds(1500);
    http_ = net::make_http_client(http);
    auto key = crypto::generate_private_key("ec-p256");
    signer_ = std::move(crypto::make_signer(*key).value());
    client_ = std::make_unique<Client>(*http_, *signer_, stub_.directory_url(), clock_);
  }

  void register_account() {
    auto account = client_->new_account({"mailto:ops@example.test"}, true, std::nullopt);
    ASSERT_TRUE(account) << account.error().what();
  }

  // An order through to the PEM chain, for www.example.test.
  Result<std::string> whole_order(const std::string& name = "www.example.test") {
    auto order = client_->new_order({identifier_for(name)});
    if (!order) return std::move(order).error();
    for (const auto& url : order->authorizations) {
      auto authz = client_->authorization(url);
      if (!authz) return std::move(authz).error();
      if (auto r = client_->respond(authz->challenges.at(0).url); !r) return std::move(r).error();
      auto done = client_->wait_authorization(url);
      if (!done) return std::move(done).error();
    }
    auto key = crypto::generate_private_key("ec-p256");
    auto csr = crypto::make_csr_der(*key, {name});
    auto finalized = client_->finalize(*order, *csr);
    if (!finalized) return std::move(finalized).error();
    return client_->download(finalized->certificate);
  }

  AcmeStub stub_;
  FixedClock clock_;
  std::unique_ptr<net::HttpClient> http_;
  std::unique_ptr<crypto::Signer> signer_;
  std::unique_ptr<Client> client_;
};

TEST_F(ClientTest, RegistersWithJwkThenSignsWithKid) {
  register_account();
  auto accounts = stub_.requests_to("/acct");
  ASSERT_FALSE(accounts.empty());
  const auto& first = accounts.front();
  EXPECT_TRUE(first.protected_header.contains("jwk"));
  EXPECT_FALSE(first.protected_header.contains("kid"));
  EXPECT_EQ(first.protected_header["alg"], "ES256");
  EXPECT_EQ(first.protected_header["url"], first.url);
  EXPECT_EQ(first.payload["contact"][0], "mailto:ops@example.test");
  EXPECT_EQ(first.payload["termsOfServiceAgreed"], true);
  EXPECT_FALSE(client_->account_url().empty());

  ASSERT_TRUE(client_->new_order({identifier_for("www.example.test")}));
  auto orders = stub_.requests_to("/order");
  ASSERT_FALSE(orders.empty());
  EXPECT_EQ(orders.back().protected_header["kid"], client_->account_url());
  EXPECT_FALSE(orders.back().protected_header.contains("jwk"));
  for (const auto& r : stub_.requests()) {
    if (r.jws) {
      EXPECT_TRUE(r.nonce_valid) << r.path << ": every nonce is one the server issued, used once";
    }
  }
}

TEST_F(ClientTest, AWholeOrderNeedsOnlyTheRequestsTheProtocolDoes) {
  register_account();
  std::size_t before = client_->requests();
  auto pem = whole_order();
  ASSERT_TRUE(pem) << pem.error().what();
  EXPECT_NE(pem->find("BEGIN CERTIFICATE"), std::string::npos);
  ASSERT_EQ(stub_.issued().size(), 1u);
  EXPECT_EQ(stub_.issued()[0].names, std::vector<std::string>{"www.example.test"});
  // newOrder, authz, challenge, one authz poll, finalize, one order poll at
  // most, certificate: nonces come from the responses, never a HEAD.
  EXPECT_LE(client_->requests() - before, 7u);
  EXPECT_TRUE(stub_.requests_to("/nonce").size() <= 1u) << "only the first nonce is fetched";
}

TEST_F(ClientTest, BadNonceIsRetriedInvisibly) {
  register_account();
  stub_.bad_nonce_next("/order", 3);
  auto order = client_->new_order({identifier_for("www.example.test")});
  ASSERT_TRUE(order) << order.error().what();
  EXPECT_GE(stub_.requests_to("/order").size(), 4u);
}

TEST_F(ClientTest, BadNonceRetriesAreBounded) {
  register_account();
  stub_.bad_nonce_next("/order", 50);
  auto order = client_->new_order({identifier_for("www.example.test")});
  ASSERT_FALSE(order);
  EXPECT_EQ(order.error().code, Errc::ca_failed);
  EXPECT_EQ(order.error().cause.type, "badNonce");
  EXPECT_EQ(stub_.requests_to("/order").size(), 10u);
}

TEST_F(ClientTest, ServerErrorWithHtmlBodyIsAClearProblem) {
  register_account();
  stub_.fail_next("/order", 503, "<html><body><h1>503 Service Unavailable</h1></body></html>", {{"Retry-After", "120"}});
  auto order = client_->new_order({identifier_for("www.example.test")});
  ASSERT_FALSE(order);
  EXPECT_EQ(order.error().code, Errc::ca_failed);
  EXPECT_NE(order.error().message.find("HTTP 503"), std::string::npos) << order.error().message;
  EXPECT_NE(order.error().message.find("HTML"), std::string::npos) << order.error().message;
  EXPECT_EQ(order.error().message.find("<html"), std::string::npos) << "the page itself is not echoed";
  const Cause& cause = order.error().cause;
  EXPECT_EQ(cause.kind, CauseKind::ca_problem);
  EXPECT_EQ(cause.type, "") << "no problem document";
  EXPECT_EQ(cause.http_status, 503);
  ASSERT_TRUE(cause.retry_after);
  EXPECT_EQ(*cause.retry_after, clock_.now() + 120);
  EXPECT_TRUE(cause.transient);
}

TEST_F(ClientTest, RateLimitedCarriesRetryAfter) {
  register_account();
  stub_.rate_limited_next("/order", 3600);
  auto order = client_->new_order({identifier_for("www.example.test")});
  ASSERT_FALSE(order);
  EXPECT_EQ(order.error().cause.type, "rateLimited");
  EXPECT_EQ(*order.error().cause.retry_after, clock_.now() + 3600);
  EXPECT_NE(order.error().message.find("rateLimited"), std::string::npos);
}

TEST_F(ClientTest, MissingReplayNonceIsAClearError) {
  stub_.omit_nonce_next("/nonce", 1);
  stub_.omit_nonce_next("/dir", 1);
  auto account = client_->new_account({}, true, std::nullopt);
  ASSERT_FALSE(account);
  EXPECT_EQ(account.error().code, Errc::ca_failed);
  EXPECT_NE(account.error().message.find("Replay-Nonce"), std::string::npos) << account.error().message;
}

TEST_F(ClientTest, TruncatedOversizedAndSlowBodiesFail) {
  register_account();
  stub_.truncate_next("/order");
  auto truncated = client_->new_order({identifier_for("www.example.test")});
  ASSERT_FALSE(truncated);
  EXPECT_EQ(truncated.error().code, Errc::network) << truncated.error().what();

  stub_.oversize_next("/order");
  auto oversized = client_->new_order({identifier_for("www.example.test")});
  ASSERT_FALSE(oversized);
  EXPECT_EQ(oversized.error().code, Errc::network) << oversized.error().what();

  stub_.delay_next("/order", std::chrono::milliseconds(4000));
  auto slow = client_->new_order({identifier_for("www.example.test")});
  ASSERT_FALSE(slow);
  EXPECT_EQ(slow.error().code, Errc::network) << slow.error().what();
}

TEST_F(ClientTest, RevokeTreatsAlreadyRevokedAsDone) {
  register_account();
  stub_.fail_next("/revoke", 400, R"({"type":"urn:ietf:params:acme:error:alreadyRevoked","detail":"gone"})", {}, 1,
                  "application/problem+json");
  EXPECT_TRUE(client_->revoke("not really DER", 4));
}

TEST(RsaAccount, SignsWithRs256FromRegistrationToCertificate) {
  AcmeStub stub;
  FixedClock clock(1'800'000'000);
  net::HttpOptions http_options;
  http_options.ca_file = stub.ca_file();
  auto http = net::make_http_client(http_options);
  auto signer = std::move(crypto::make_signer(*crypto::generate_private_key("rsa-2048")).value());
  Client client(*http, *signer, stub.directory_url(), clock);
  ASSERT_TRUE(client.new_account({}, true, std::nullopt));
  auto order = client.new_order({identifier_for("rsa.example.test")});
  ASSERT_TRUE(order) << order.error().what();
  for (const auto& r : stub.requests()) {
    if (r.jws) {
      EXPECT_EQ(r.protected_header["alg"], "RS256") << r.path;
    }
  }
  EXPECT_EQ(stub.requests_to("/acct").front().protected_header["jwk"]["kty"], "RSA");
}

TEST(Problem, ParsesTypesSubproblemsAndRetryAfter) {
  auto p = parse_problem(400,
                         R"({"type":"urn:ietf:params:acme:error:rejectedIdentifier","detail":"no",
                             "subproblems":[{"type":"urn:ietf:params:acme:error:caa","detail":"CAA forbids",
                             "identifier":{"type":"dns","value":"a.example"}}]})",
                         "Wed, 21 Oct 2026 07:28:00 GMT", 1792567680 - 3600);
  EXPECT_EQ(p.type, ProblemType::rejected_identifier);
  EXPECT_FALSE(p.transient());
  ASSERT_EQ(p.subproblems.size(), 1u);
  EXPECT_EQ(p.subproblems[0].type, ProblemType::caa);
  EXPECT_EQ(p.subproblems[0].identifier, "a.example");
  EXPECT_EQ(*p.retry_after, 1792567680);
  EXPECT_NE(p.summary().find("a.example caa: CAA forbids"), std::string::npos) << p.summary();
  EXPECT_EQ(parse_problem_type("urn:ietf:params:acme:error:userActionRequired"), ProblemType::user_action_required);
  EXPECT_EQ(parse_problem_type("about:blank"), ProblemType::other);
  EXPECT_FALSE(parse_retry_after("soon", 0));
}

TEST(Problem, RetryAfterIsClampedBeforeAnyArithmetic) {
  // Issue 14: "9223372036854775807" made the next check -9223372035058583584.
  const UnixTime now = 1'800'000'000;
  const struct {
    const char* header;
    std::optional<std::int64_t> delay;  // parse_retry_after_delay
    std::optional<UnixTime> at;         // parse_retry_after
  } cases[] = {
      {"0", 0, now + 60},
      {"59", 59, now + 60},
      {"120", 120, now + 120},
      {" 120 ", 120, now + 120},
      {"2592000", kRetryAfterMax, now + kRetryAfterMax},
      {"2592001", kRetryAfterMax, now + kRetryAfterMax},
      {"9223372036854775807", kRetryAfterMax, now + kRetryAfterMax},
      {"18446744073709551616", kRetryAfterMax, now + kRetryAfterMax},
      {"99999999999999999999999999999999999999", kRetryAfterMax, now + kRetryAfterMax},
      {"Wed, 21 Oct 2015 07:28:00 GMT", 0, now + 60},
      {"Fri, 31 Dec 9999 23:59:59 GMT", kRetryAfterMax, now + kRetryAfterMax},
      {"-1", std::nullopt, std::nullopt},
      {"-9223372036854775808", std::nullopt, std::nullopt},
      {"1e9", std::nullopt, std::nullopt},
      {"", std::nullopt, std::nullopt},
      {"Wed, 21 Oct 2015 07:28:00 GMT trailing", std::nullopt, std::nullopt},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.header);
    EXPECT_EQ(parse_retry_after_delay(c.header, now), c.delay);
    EXPECT_EQ(parse_retry_after(c.header, now), c.at);
  }
  // A date inside the bounds is kept to the second (now is 2027-01-15T08:00:00Z).
  const UnixTime in_an_hour = now + 3600;
  EXPECT_EQ(format_utc(in_an_hour), "2027-01-15T09:00:00Z");
  EXPECT_EQ(parse_retry_after("Fri, 15 Jan 2027 09:00:00 GMT", now), in_an_hour);
  // At the ends of time too (UBSan watches the arithmetic).
  for (UnixTime extreme : {std::numeric_limits<UnixTime>::max(), std::numeric_limits<UnixTime>::max() - kRetryAfterMax,
                           std::numeric_limits<UnixTime>::min()}) {
    EXPECT_TRUE(parse_retry_after("9223372036854775807", extreme));
    EXPECT_TRUE(parse_retry_after_delay("Fri, 31 Dec 9999 23:59:59 GMT", extreme));
  }
}

TEST(Problem, ADetailIsCutOnACharacterBoundaryAndShownPrintable) {
  std::string euros;
  for (int i = 0; i < 200; ++i) euros += "\xE2\x82\xAC";
  auto p = parse_problem(400, nlohmann::json{{"type", "urn:ietf:params:acme:error:malformed"}, {"detail", euros}}.dump(),
                         "", 0);
  EXPECT_TRUE(text::is_utf8(p.detail));
  EXPECT_LE(p.detail.size(), 300u);
  EXPECT_EQ(p.detail.substr(p.detail.size() - 3), "...");
  EXPECT_TRUE(text::is_utf8(p.summary()));
  // A detail with a newline, ESC and a right-to-left override (U+202E).
  const std::string detail = std::string("a\nb") + "\x1b[31mred" + "\xE2\x80\xAE" + "evil";
  auto hostile = parse_problem(
      403, nlohmann::json{{"type", "urn:ietf:params:acme:error:unauthorized"}, {"detail", detail}}.dump(), "", 0);
  EXPECT_TRUE(text::is_printable(hostile.summary())) << hostile.summary();
  EXPECT_EQ(hostile.detail.find('\n'), std::string::npos);
}

TEST(Problem, TheCauseCarriesTypeInstanceTermsAndSubproblems) {
  auto p = parse_problem(403,
                         R"({"type":"urn:ietf:params:acme:error:userActionRequired","detail":"new terms",
                             "instance":"https://ca.example/agree/7",
                             "subproblems":[{"type":"urn:ietf:params:acme:error:caa","detail":"no",
                             "identifier":{"type":"dns","value":"a.example"}}]})",
                         "3600", 1'800'000'000);
  p.terms_of_service = "https://ca.example/terms/v2";
  const Error e = p.to_error("https://ca.example/order");
  EXPECT_EQ(e.code, Errc::ca_failed);
  EXPECT_EQ(e.subject, "https://ca.example/order");
  EXPECT_NE(e.message.find("https://ca.example/agree/7"), std::string::npos) << e.message;
  EXPECT_NE(e.message.find("https://ca.example/terms/v2"), std::string::npos) << e.message;
  EXPECT_EQ(e.cause.kind, CauseKind::ca_problem);
  EXPECT_EQ(e.cause.type, "userActionRequired");
  EXPECT_EQ(e.cause.http_status, 403);
  EXPECT_FALSE(e.cause.transient);
  EXPECT_EQ(e.cause.retry_after, 1'800'000'000 + 3600);
  EXPECT_EQ(e.cause.instance, "https://ca.example/agree/7");
  EXPECT_EQ(e.cause.terms_of_service, "https://ca.example/terms/v2");
  ASSERT_EQ(e.cause.subproblems.size(), 1u);
  EXPECT_EQ(e.cause.subproblems[0].type, "caa");
  EXPECT_EQ(e.cause.subproblems[0].identifier, "a.example");
}

}  // namespace
}  // namespace certkeeper::acme
