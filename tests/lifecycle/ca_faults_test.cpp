// A CA is outside input like any other (issue 14): faults pebble cannot
// produce, scripted in the ACME stub, through `issue` and the scheduler
// pass on a FixedClock the stub follows. Each fault must end recorded, with
// the CA's facts (Retry-After, URLs) kept, and the next step right.
#include <algorithm>

#include "certkeeper/lifecycle/account_ops.h"
#include "certkeeper/util/text.h"
#include "lifecycle/renew_pass_fixture.h"

namespace certkeeper::lifecycle::renew_pass {
namespace {

class CaFaults : public RenewPassFixture {
 protected:
  CaFaults() : RenewPassFixture(stub_options(false)) {}

  void SetUp() override {
    RenewPassFixture::SetUp();
    if (HasFatalFailure()) return;
    define();
  }

  IssueOutcome issue_web() {
    auto out = issue(ctx_, {"web"}, 1);
    EXPECT_EQ(out.size(), 1u);
    return out.empty() ? IssueOutcome{} : out.front();
  }

  std::vector<store::EventRecord> events_of(const std::string& kind) {
    std::vector<store::EventRecord> out;
    auto inv = inventory();
    auto all = inv.events("web");
    EXPECT_TRUE(all);
    if (!all) return out;
    for (auto& e : *all) {
      if (e.kind == kind) out.push_back(std::move(e));
    }
    return out;
  }

  std::vector<StubRequest> new_accounts() const {
    std::vector<StubRequest> out;
    for (const auto& r : stub_.requests_to("/acct")) {
      if (r.path == "/acct" && !(r.payload.is_object() && r.payload.value("onlyReturnExisting", false))) {
        out.push_back(r);
      }
    }
    return out;
  }
};

// ---------------------------------------------------------------- point 2: a detail cut inside a character

TEST_F(CaFaults, AProblemDetailOfMultiByteCharactersIsRecordedAsValidText) {
  std::string euros;
  for (int i = 0; i < 200; ++i) euros += "\xE2\x82\xAC";  // 600 bytes: any cut at 300 lands inside a "€"
  stub_.respond_next("/order", StubResponse::problem(400, "malformed", euros));

  auto out = issue_web();
  ASSERT_TRUE(out.error);
  EXPECT_EQ(out.error->code, Errc::ca_failed);
  EXPECT_TRUE(text::is_utf8(out.error->message)) << "the message is cut on a character boundary";
  EXPECT_NE(out.error->message.find("malformed"), std::string::npos) << out.error->message;

  auto c = record();
  EXPECT_EQ(c.failures, 1) << "the failure is recorded";
  EXPECT_NE(c.last_error.find("\xE2\x82\xAC"), std::string::npos) << c.last_error;
  EXPECT_TRUE(text::is_utf8(c.last_error));
  ASSERT_EQ(events_of("issue-failed").size(), 1u);

  // The next pass knows the failure (malformed is permanent: halted)
  // instead of claiming the certificate was never tried, and a second
  // failure is recorded too.
  RenewRequest dry;
  dry.dry_run = true;
  dry.names = {"web"};
  auto planned = pass(lower_bound_random(), dry);
  ASSERT_NE(item_named(planned), nullptr);
  EXPECT_EQ(item_named(planned)->decision.kind, DecisionKind::halted) << item_named(planned)->decision.reason;
  EXPECT_EQ(item_named(planned)->decision.reason.find("never issued"), std::string::npos);

  clock_.advance(60);
  stub_.respond_next("/order", StubResponse::problem(400, "malformed", euros));
  auto again = issue_web();
  ASSERT_TRUE(again.error);
  EXPECT_EQ(record().failures, 2);
  EXPECT_EQ(events_of("issue-failed").size(), 2u);
}

// ---------------------------------------------------------------- point 3: accountDoesNotExist

TEST_F(CaFaults, AnAccountTheCaForgotIsRegisteredAgainAndTheOrderRetriedInTheSameRun) {
  issue_first();
  const std::string first_url = inventory().find_account(stub_.directory_url(), "mailto:ops@example.test")
                                    .value()
                                    .value()
                                    .account_url;
  ASSERT_EQ(new_accounts().size(), 1u);
  stub_.forget_accounts();  // a reset CA

  auto out = issue_web();
  ASSERT_FALSE(out.error) << out.error->what();
  EXPECT_TRUE(out.stored);
  EXPECT_EQ(out.version, 2);
  EXPECT_FALSE(out.permanent_failure);
  ASSERT_EQ(new_accounts().size(), 2u) << "registered again, once";
  EXPECT_EQ(new_accounts().back().payload["contact"], json::array({"mailto:ops@example.test"}))
      << "with the stored contact";
  auto account = inventory().find_account(stub_.directory_url(), "mailto:ops@example.test").value().value();
  EXPECT_NE(account.account_url, first_url) << "the new account URL is stored";
  auto c = record();
  EXPECT_EQ(c.failures, 0);
  EXPECT_FALSE(c.failure_permanent);
}

TEST_F(CaFaults, AForgottenAccountIsRegisteredAgainByTheSchedulerPassToo) {
  issue_first();
  stub_.forget_accounts();
  RenewRequest forced;
  forced.force = true;
  auto out = pass(lower_bound_random(), forced);
  const RenewItem* item = item_named(out);
  ASSERT_NE(item, nullptr);
  ASSERT_TRUE(item->issued);
  EXPECT_FALSE(item->issued->error) << item->issued->error->what();
  EXPECT_TRUE(item->issued->stored);
  EXPECT_FALSE(has_event(*item, "halted"));
}

class CaFaultsEab : public RenewPassFixture {
 protected:
  static AcmeStubOptions eab_options() {
    AcmeStubOptions o = stub_options(false);
    o.external_account_required = true;
    return o;
  }
  CaFaultsEab() : RenewPassFixture(eab_options()) {}
};

TEST_F(CaFaultsEab, AForgottenAccountThatNeedsEabHaltsNamingTheCommand) {
  RegisterRequest eab;
  eab.eab_kid = "kid-1";
  eab.eab_hmac_key = "c2VjcmV0LWhtYWMta2V5LWZyb20tdGhlLWNh";
  auto registered = register_account(ctx_, eab);
  ASSERT_TRUE(registered) << registered.error().what();
  define();
  issue_first();
  stub_.forget_accounts();

  auto out = issue(ctx_, {"web"}, 1).front();
  ASSERT_TRUE(out.error);
  EXPECT_EQ(out.error->code, Errc::ca_failed) << out.error->what();
  EXPECT_NE(out.error->message.find("account register --eab-kid"), std::string::npos) << out.error->message;
  EXPECT_TRUE(out.permanent_failure) << "a timer cannot bring an EAB: halt";
  auto c = record();
  EXPECT_TRUE(c.failure_permanent);
  EXPECT_NE(c.last_error.find("account register --eab-kid"), std::string::npos) << c.last_error;

  // The pass says so instead of retrying, with the command in its reason.
  auto planned = pass();
  ASSERT_NE(item_named(planned), nullptr);
  EXPECT_EQ(item_named(planned)->decision.kind, DecisionKind::halted);
  EXPECT_FALSE(item_named(planned)->attempted);

  // The operator registers with the CA's values; `issue` then works.
  ASSERT_TRUE(register_account(ctx_, eab));
  auto fixed = issue(ctx_, {"web"}, 1).front();
  EXPECT_FALSE(fixed.error) << fixed.error->what();
  EXPECT_TRUE(fixed.stored);
}

// ---------------------------------------------------------------- point 4: Retry-After overflow

struct RetryAfterCase {
  const char* name;
  const char* header;
  std::int64_t expected_delay;  // seconds from now of the stored next check; -1: none
};

std::ostream& operator<<(std::ostream& os, const RetryAfterCase& c) { return os << c.name; }

class CaFaultsRetryAfter : public CaFaults, public ::testing::WithParamInterface<RetryAfterCase> {};

TEST_P(CaFaultsRetryAfter, IsClampedBeforeAnyArithmetic) {
  const RetryAfterCase& p = GetParam();
  stub_.unavailable_next("/order", p.header);
  auto out = issue_web();
  ASSERT_TRUE(out.error);
  EXPECT_FALSE(out.permanent_failure);
  EXPECT_EQ(out.error->message.find("retry after -"), std::string::npos) << out.error->message;
  auto c = record();
  ASSERT_EQ(c.failures, 1);
  if (p.expected_delay < 0) {
    EXPECT_FALSE(c.retry_after) << "an unreadable Retry-After is ignored";
    return;
  }
  ASSERT_TRUE(c.next_check);
  EXPECT_EQ(*c.next_check - clock_.now(), p.expected_delay) << format_utc(*c.next_check);
  ASSERT_TRUE(c.retry_after);
  EXPECT_EQ(*c.retry_after, *c.next_check);
  // The pass schedules from it without overflowing either.
  RenewRequest named;
  named.names = {"web"};
  auto planned = pass(lower_bound_random(), named);
  const RenewItem* item = item_named(planned);
  ASSERT_NE(item, nullptr);
  EXPECT_GT(item->decision.at, clock_.now()) << item->decision.reason;
  EXPECT_LE(item->decision.at, clock_.now() + 30 * kSecondsPerDay) << item->decision.reason;
}

constexpr std::int64_t kThirtyDays = 30 * kSecondsPerDay;

INSTANTIATE_TEST_SUITE_P(
    Extremes, CaFaultsRetryAfter,
    ::testing::Values(RetryAfterCase{"Zero", "0", 60}, RetryAfterCase{"OneSecond", "1", 60},
                      RetryAfterCase{"OneMinute", "60", 60}, RetryAfterCase{"TwoMinutes", "120", 120},
                      RetryAfterCase{"ThirtyDays", "2592000", kThirtyDays},
                      RetryAfterCase{"ThirtyDaysAndASecond", "2592001", kThirtyDays},
                      RetryAfterCase{"Int64Max", "9223372036854775807", kThirtyDays},
                      RetryAfterCase{"BeyondInt64", "99999999999999999999999999999", kThirtyDays},
                      RetryAfterCase{"DateInThePast", "Wed, 21 Oct 2015 07:28:00 GMT", 60},
                      RetryAfterCase{"DateInYear9999", "Fri, 31 Dec 9999 23:59:59 GMT", kThirtyDays},
                      RetryAfterCase{"Negative", "-5", -1}, RetryAfterCase{"Garbage", "soon", -1}),
    [](const ::testing::TestParamInfo<RetryAfterCase>& info) { return std::string(info.param.name); });

// ---------------------------------------------------------------- point 6: Retry-After on a processing order

TEST_F(CaFaults, AProcessingOrderWithALongRetryAfterIsResumedAtTheCasTime) {
  stub_.set_order_retry_after("3600");
  const UnixTime start = clock_.now();
  auto out = issue_web();
  ASSERT_TRUE(out.error);
  EXPECT_FALSE(out.permanent_failure);
  EXPECT_EQ(out.error->message.find("5 minutes"), std::string::npos) << out.error->message;
  EXPECT_NE(out.error->message.find("still processing"), std::string::npos) << out.error->message;
  EXPECT_NE(out.error->message.find(format_utc(start + 3600)), std::string::npos) << out.error->message;
  auto c = record();
  ASSERT_TRUE(c.next_check);
  EXPECT_EQ(*c.next_check, start + 3600) << "the CA's time is the next check";
  EXPECT_TRUE(*inventory().open_order_of("web")) << "the order is kept for the next run";

  // Not before: the pass waits for the CA's time, then resumes the order.
  auto early = pass();
  ASSERT_EQ(item_named(early), nullptr) << "not due before the CA's time";
  clock_.set(start + 3600);
  stub_.set_order_retry_after("");
  auto later = pass();
  const RenewItem* item = item_named(later);
  ASSERT_NE(item, nullptr);
  ASSERT_TRUE(item->issued);
  EXPECT_FALSE(item->issued->error) << item->issued->error->what();
  EXPECT_TRUE(item->issued->resumed);
  EXPECT_TRUE(item->issued->stored);
  EXPECT_EQ(new_orders().size(), 1u) << "the same order, resumed";
}

TEST_F(CaFaults, AnOrderStillProcessingAfterFiveMinutesSaysHowLongItWaited) {
  // The order never leaves "processing", and the CA gives no Retry-After.
  stub_.set_override([](const StubRequest& r) -> std::optional<StubResponse> {
    if (r.path.rfind("/order/", 0) != 0 || !r.post_as_get) return std::nullopt;
    StubResponse processing;
    processing.body = json{{"status", "processing"}, {"identifiers", json::array()},
                           {"authorizations", json::array()}, {"finalize", r.url + "/finalize"}}
                          .dump();
    return processing;
  });
  auto out = issue_web();
  ASSERT_TRUE(out.error);
  EXPECT_NE(out.error->message.find("still processing"), std::string::npos) << out.error->message;
  EXPECT_NE(out.error->message.find(" polls in "), std::string::npos) << out.error->message;
  EXPECT_FALSE(out.permanent_failure);
  EXPECT_TRUE(*inventory().open_order_of("web"));
}

// ---------------------------------------------------------------- point 7: userActionRequired

TEST_F(CaFaults, UserActionRequiredKeepsTheInstanceAndTermsUrls) {
  const std::string instance = stub_.base_url() + "/agree?account=1";
  const std::string terms = stub_.base_url() + "/terms/v2";
  stub_.user_action_required_next("/order", instance, terms);
  auto out = issue_web();
  ASSERT_TRUE(out.error);
  EXPECT_TRUE(out.permanent_failure);
  EXPECT_NE(out.error->message.find(instance), std::string::npos) << out.error->message;
  EXPECT_NE(out.error->message.find(terms), std::string::npos) << out.error->message;
  auto c = record();
  EXPECT_NE(c.last_error.find(instance), std::string::npos) << c.last_error;
  EXPECT_NE(c.last_error.find(terms), std::string::npos) << c.last_error;
  auto failed = events_of("issue-failed");
  ASSERT_EQ(failed.size(), 1u);
  auto detail = json::parse(failed[0].detail_json);
  EXPECT_EQ(detail.value("instance", ""), instance) << failed[0].detail_json;
  EXPECT_EQ(detail.value("terms_of_service", ""), terms) << failed[0].detail_json;
  EXPECT_EQ(detail.value("type", ""), "userActionRequired") << failed[0].detail_json;
}

TEST_F(CaFaults, AnyProblemsInstanceUrlIsKept) {
  auto problem = StubResponse::problem(400, "rejectedIdentifier", "not for this CA");
  auto body = json::parse(problem.body);
  body["instance"] = stub_.base_url() + "/problems/42";
  problem.body = body.dump();
  stub_.respond_next("/order", problem);
  auto out = issue_web();
  ASSERT_TRUE(out.error);
  EXPECT_NE(out.error->message.find(stub_.base_url() + "/problems/42"), std::string::npos) << out.error->message;
  EXPECT_NE(record().last_error.find("/problems/42"), std::string::npos);
}

// ---------------------------------------------------------------- point 8: a 503 with Retry-After: 120

TEST_F(CaFaults, AShortRetryAfterIsHonouredByTheNextPass) {
  issue_first();
  clock_.advance(61 * kSecondsPerDay);  // due (a third of 90 days left)
  stub_.unavailable_next("/order", "120");
  auto failed = pass();
  ASSERT_NE(item_named(failed), nullptr);
  ASSERT_TRUE(item_named(failed)->attempted);
  auto c = record();
  ASSERT_TRUE(c.next_check);
  EXPECT_EQ(*c.next_check, clock_.now() + 120) << "the CA's 2 minutes, not our 5-minute back-off";

  clock_.advance(120);
  auto retried = pass();
  const RenewItem* item = item_named(retried);
  ASSERT_NE(item, nullptr) << "due at the CA's time";
  EXPECT_TRUE(item->attempted) << item->decision.reason;
  ASSERT_TRUE(item->issued);
  EXPECT_TRUE(item->issued->stored);
}

}  // namespace
}  // namespace certkeeper::lifecycle::renew_pass
