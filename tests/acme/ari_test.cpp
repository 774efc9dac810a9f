// ACME Renewal Information (RFC 9773) against the scripted stub: fetching
// the suggested window, Retry-After limits, malformed documents, and
// orders that replace a certificate.
#include <gtest/gtest.h>

#include <ctime>

#include "certkeeper/acme/client.h"
#include "certkeeper/crypto/ari_id.h"
#include "support/acme_stub.h"

namespace certkeeper::acme {
namespace {

using nlohmann::json;
using testing::AcmeStub;
using testing::AcmeStubOptions;
using testing::days;

constexpr const char* kCertId = "aYhba4dGQEHhs3uEe6CuLN4ByNQ.AIdlQyE";  // RFC 9773 §4.1
constexpr UnixTime kNow = 1'800'000'000;

AcmeStubOptions with_ari(bool on = true) {
  AcmeStubOptions o;
  o.renewal_info = on;
  return o;
}

json window(UnixTime start, UnixTime end) {
  return {{"suggestedWindow", {{"start", format_utc(start)}, {"end", format_utc(end)}}}};
}

// "Sun, 06 Nov 1994 08:49:37 GMT"
std::string http_date(UnixTime t) {
  std::time_t tt = static_cast<std::time_t>(t);
  std::tm tm{};
  gmtime_r(&tt, &tm);
  char buf[64];
  std::strftime(buf, sizeof buf, "%a, %d %b %Y %H:%M:%S GMT", &tm);
  return buf;
}

class AriTest : public ::testing::Test {
 protected:
  explicit AriTest(AcmeStubOptions options = with_ari()) : stub_(options), clock_(kNow) {
    net::HttpOptions http;
    http.ca_file = stub_.ca_file();
    http.timeout = std::chrono::milliseconds(1500);
    http_ = net::make_http_client(http);
    signer_ = std::move(crypto::make_signer(*crypto::generate_private_key("ec-p256")).value());
    client_ = std::make_unique<Client>(*http_, *signer_, stub_.directory_url(), clock_);
  }

  void register_account() {
    auto account = client_->new_account({}, true, std::nullopt);
    ASSERT_TRUE(account) << account.error().what();
  }

  // The newOrder requests only (not /order/N).
  std::vector<testing::StubRequest> new_orders() const {
    std::vector<testing::StubRequest> out;
    for (const auto& r : stub_.requests_to("/order")) {
      if (r.path == "/order") out.push_back(r);
    }
    return out;
  }

  Result<RenewalInfo> fetch_with(json body, int retry_after_seconds) {
    stub_.set_renewal_info(std::move(body), retry_after_seconds);
    return client_->renewal_info(kCertId);
  }

  AcmeStub stub_;
  FixedClock clock_;
  std::unique_ptr<net::HttpClient> http_;
  std::unique_ptr<crypto::Signer> signer_;
  std::unique_ptr<Client> client_;
};

// ---------------------------------------------------------------- renewalInfo

TEST_F(AriTest, ReadsTheSuggestedWindowWithAPlainGet) {
  json body = window(kNow + days(30), kNow + days(32));
  body["explanationURL"] = "https://ca.example/why";
  auto info = fetch_with(body, 21600);
  ASSERT_TRUE(info) << info.error().what();
  EXPECT_EQ(info->start, kNow + days(30));
  EXPECT_EQ(info->end, kNow + days(32));
  EXPECT_EQ(info->explanation_url, "https://ca.example/why");
  ASSERT_TRUE(info->retry_after);
  EXPECT_EQ(*info->retry_after, kNow + 21600);

  auto requests = stub_.requests_to("/renewal-info/");
  ASSERT_EQ(requests.size(), 1u);
  EXPECT_EQ(requests[0].method, "GET");
  EXPECT_EQ(requests[0].path, std::string("/renewal-info/") + kCertId);
  EXPECT_FALSE(requests[0].jws) << "unauthenticated: no account is needed";
  EXPECT_TRUE(client_->account_url().empty());
}

TEST_F(AriTest, ExplanationUrlIsOptional) {
  auto info = fetch_with(window(kNow, kNow + 3600), 21600);
  ASSERT_TRUE(info) << info.error().what();
  EXPECT_EQ(info->explanation_url, "");
}

TEST_F(AriTest, AcceptsFractionsAndOffsetsInTheWindow) {
  json body = {{"suggestedWindow", {{"start", "2027-01-15T12:00:00.123456Z"}, {"end", "2027-01-16T14:00:00+02:00"}}}};
  auto info = fetch_with(body, 60);
  ASSERT_TRUE(info) << info.error().what();
  EXPECT_EQ(format_utc(info->start), "2027-01-15T12:00:00Z");
  EXPECT_EQ(format_utc(info->end), "2027-01-16T12:00:00Z");
}

TEST_F(AriTest, RetryAfterIsClampedToBetweenAMinuteAndADay) {
  auto soon = fetch_with(window(kNow + days(1), kNow + days(2)), 5);
  ASSERT_TRUE(soon) << soon.error().what();
  EXPECT_EQ(*soon->retry_after, kNow + 60);

  auto late = fetch_with(window(kNow + days(1), kNow + days(2)), static_cast<int>(days(10)));
  ASSERT_TRUE(late) << late.error().what();
  EXPECT_EQ(*late->retry_after, kNow + 86400);

  auto within = fetch_with(window(kNow + days(1), kNow + days(2)), 3600);
  ASSERT_TRUE(within) << within.error().what();
  EXPECT_EQ(*within->retry_after, kNow + 3600);
}

TEST_F(AriTest, RetryAfterAbsentIsLeftToTheCaller) {
  auto info = fetch_with(window(kNow + days(1), kNow + days(2)), 0);
  ASSERT_TRUE(info) << info.error().what();
  EXPECT_FALSE(info->retry_after);
}

TEST_F(AriTest, RetryAfterAsHttpDateIsReadAndClamped) {
  const json body = window(kNow + days(1), kNow + days(2));
  auto answer_with = [&](std::string retry_after) {
    stub_.set_override([body, retry_after](const testing::StubRequest& r) -> std::optional<testing::StubResponse> {
      if (r.path.rfind("/renewal-info/", 0) != 0) return std::nullopt;
      testing::StubResponse out;
      out.body = body.dump();
      out.headers["Retry-After"] = retry_after;
      return out;
    });
    return client_->renewal_info(kCertId);
  };
  auto in_two_hours = answer_with(http_date(kNow + 7200));
  ASSERT_TRUE(in_two_hours) << in_two_hours.error().what();
  EXPECT_EQ(*in_two_hours->retry_after, kNow + 7200);

  auto in_the_past = answer_with(http_date(kNow - 7200));
  ASSERT_TRUE(in_the_past) << in_the_past.error().what();
  EXPECT_EQ(*in_the_past->retry_after, kNow + 60);

  auto unreadable = answer_with("whenever");
  ASSERT_TRUE(unreadable) << unreadable.error().what();
  EXPECT_FALSE(unreadable->retry_after);
}

TEST_F(AriTest, MalformedDocumentsAreCaFailures) {
  const std::string start = format_utc(kNow + days(1)), end = format_utc(kNow + days(2));
  const std::vector<std::pair<const char*, json>> cases = {
      {"not an object", json::array({1, 2})},
      {"no window", {{"explanationURL", "https://ca.example/why"}}},
      {"window not an object", {{"suggestedWindow", "soon"}}},
      {"no start", {{"suggestedWindow", {{"end", end}}}}},
      {"no end", {{"suggestedWindow", {{"start", start}}}}},
      {"start a number", {{"suggestedWindow", {{"start", kNow}, {"end", end}}}}},
      {"end unreadable", {{"suggestedWindow", {{"start", start}, {"end", "tomorrow"}}}}},
      {"end without offset", {{"suggestedWindow", {{"start", start}, {"end", "2027-01-15T12:00:00"}}}}},
      {"end before start", window(kNow + days(2), kNow + days(1))},
      {"end equals start", window(kNow + days(1), kNow + days(1))},
  };
  for (const auto& [name, body] : cases) {
    auto info = fetch_with(body, 21600);
    ASSERT_FALSE(info) << name;
    EXPECT_EQ(info.error().code, Errc::ca_failed) << name;
    EXPECT_NE(info.error().message.find("malformed renewalInfo"), std::string::npos) << name << ": " << info.error().message;
  }
  stub_.fail_next("/renewal-info/", 200, "<html>oops</html>");
  auto html = client_->renewal_info(kCertId);
  ASSERT_FALSE(html);
  EXPECT_EQ(html.error().code, Errc::ca_failed);
}

TEST_F(AriTest, ServerErrorsAreCaFailuresWithTheProblem) {
  stub_.fail_next("/renewal-info/", 503, "<html><body>down</body></html>", {{"Retry-After", "120"}});
  auto down = client_->renewal_info(kCertId);
  ASSERT_FALSE(down);
  EXPECT_EQ(down.error().code, Errc::ca_failed);
  EXPECT_EQ(down.error().cause.kind, CauseKind::ca_problem);
  EXPECT_EQ(down.error().cause.http_status, 503);
  EXPECT_EQ(*down.error().cause.retry_after, kNow + 120);

  stub_.fail_next("/renewal-info/", 404,
                  R"({"type":"urn:ietf:params:acme:error:malformed","detail":"no such certificate"})", {}, 1,
                  "application/problem+json");
  auto unknown = client_->renewal_info(kCertId);
  ASSERT_FALSE(unknown);
  EXPECT_EQ(unknown.error().code, Errc::ca_failed);
  EXPECT_EQ(unknown.error().cause.http_status, 404);
  EXPECT_EQ(unknown.error().cause.type, "malformed");
  EXPECT_NE(unknown.error().message.find("no such certificate"), std::string::npos) << unknown.error().message;

  auto fine = client_->renewal_info(kCertId);  // the fault was one-shot
  ASSERT_TRUE(fine) << fine.error().what();
}

TEST_F(AriTest, AnUnreachableServerIsANetworkError) {
  ASSERT_TRUE(client_->directory());
  stub_.delay_next("/renewal-info/", std::chrono::milliseconds(4000));
  auto info = client_->renewal_info(kCertId);
  ASSERT_FALSE(info);
  EXPECT_EQ(info.error().code, Errc::network) << info.error().what();
}

TEST_F(AriTest, IdentifiersThatAreNotBase64urlPairsAreRefusedUnsent) {
  for (const char* bad : {"", "abc", ".abc", "abc.", "a.b.c", "a/b.c", "a.b?c", "a b.c", "a%2F.b"}) {
    auto info = client_->renewal_info(bad);
    ASSERT_FALSE(info) << bad;
    EXPECT_EQ(info.error().code, Errc::invalid_input) << bad;
  }
  EXPECT_TRUE(stub_.requests_to("/renewal-info").empty());
}

TEST_F(AriTest, TheIdOfAnIssuedCertificateIsWhatIsAskedFor) {
  register_account();
  auto order = client_->new_order({identifier_for("www.example.test")});
  ASSERT_TRUE(order) << order.error().what();
  auto authz = client_->authorization(order->authorizations.at(0));
  ASSERT_TRUE(authz) << authz.error().what();
  ASSERT_TRUE(client_->respond(authz->challenges.at(0).url));
  auto key = crypto::generate_private_key("ec-p256");
  auto finalized = client_->finalize(*order, *crypto::make_csr_der(*key, {"www.example.test"}));
  ASSERT_TRUE(finalized) << finalized.error().what();
  auto pem = client_->download(finalized->certificate);
  ASSERT_TRUE(pem) << pem.error().what();

  auto id = crypto::ari_cert_id(*pem);
  ASSERT_TRUE(id) << id.error().what();
  ASSERT_TRUE(client_->renewal_info(*id));
  EXPECT_EQ(stub_.requests_to("/renewal-info/").back().path, "/renewal-info/" + *id);
}

class AriAbsentTest : public AriTest {
 protected:
  AriAbsentTest() : AriTest(with_ari(false)) {}
};

TEST_F(AriAbsentTest, ADirectoryWithoutRenewalInfoSaysSo) {
  auto info = client_->renewal_info(kCertId);
  ASSERT_FALSE(info);
  EXPECT_EQ(info.error().code, Errc::not_found);
  EXPECT_NE(info.error().message.find("renewalInfo"), std::string::npos) << info.error().message;
  EXPECT_TRUE(stub_.requests_to("/renewal-info").empty());
}

// ---------------------------------------------------------------- replaces

TEST_F(AriTest, NewOrderCarriesReplaces) {
  register_account();
  auto order = client_->new_order({identifier_for("www.example.test")}, "", kCertId);
  ASSERT_TRUE(order) << order.error().what();
  ASSERT_EQ(new_orders().size(), 1u);
  EXPECT_EQ(new_orders()[0].payload["replaces"], kCertId);
  EXPECT_EQ(order->replaces, kCertId) << "the server's echo";

  ASSERT_TRUE(client_->new_order({identifier_for("www.example.test")}));
  EXPECT_FALSE(new_orders().back().payload.contains("replaces"));
}

TEST_F(AriTest, AlreadyReplacedIsRetriedOnceWithoutReplaces) {
  register_account();
  stub_.set_already_replaced({kCertId});
  auto order = client_->new_order_replacing({identifier_for("www.example.test")}, "", kCertId);
  ASSERT_TRUE(order) << order.error().what();
  auto sent = new_orders();
  ASSERT_EQ(sent.size(), 2u);
  EXPECT_EQ(sent[0].payload["replaces"], kCertId);
  EXPECT_FALSE(sent[1].payload.contains("replaces"));
  EXPECT_EQ(sent[1].payload["identifiers"], sent[0].payload["identifiers"]);
  EXPECT_EQ(order->replaces, "");
  EXPECT_EQ(order->status, "pending");
}

TEST_F(AriTest, NewOrderReplacingWithoutConflictSendsOneRequest) {
  register_account();
  auto order = client_->new_order_replacing({identifier_for("www.example.test")}, "", kCertId);
  ASSERT_TRUE(order) << order.error().what();
  ASSERT_EQ(new_orders().size(), 1u);
  EXPECT_EQ(order->replaces, kCertId);
}

TEST_F(AriTest, ASecondAlreadyReplacedIsNotRetriedAgain) {
  register_account();
  stub_.fail_next("/order", 409,
                  R"({"type":"urn:ietf:params:acme:error:alreadyReplaced","detail":"replaced"})", {}, 5,
                  "application/problem+json");
  auto order = client_->new_order_replacing({identifier_for("www.example.test")}, "", kCertId);
  ASSERT_FALSE(order);
  EXPECT_EQ(order.error().code, Errc::ca_failed);
  EXPECT_EQ(order.error().cause.type, "alreadyReplaced");
  EXPECT_EQ(new_orders().size(), 2u);
  stub_.clear_faults();
}

TEST_F(AriTest, OtherOrderErrorsAreNotRetried) {
  register_account();
  stub_.rate_limited_next("/order", 3600);
  auto order = client_->new_order_replacing({identifier_for("www.example.test")}, "", kCertId);
  ASSERT_FALSE(order);
  EXPECT_EQ(order.error().cause.type, "rateLimited");
  EXPECT_EQ(new_orders().size(), 1u);
}

}  // namespace
}  // namespace certkeeper::acme
