// Permanent failures and profiles across scheduler passes: a problem no
// retry can fix (badCSR, rejectedIdentifier, userActionRequired, a profile
// the CA does not offer) halts the certificate until it is redefined or
// issued by hand; a profile the CA offers goes with every order.
#include "lifecycle/renew_pass_fixture.h"

namespace certkeeper::lifecycle::renew_pass {
namespace {

// ---------------------------------------------------------------- permanent problems

struct PermanentCase {
  const char* name;
  const char* path;  // fault prefix
  int status;
  const char* type;
};

std::ostream& operator<<(std::ostream& os, const PermanentCase& c) { return os << c.name; }

class RenewPassPermanent : public RenewPassFixture, public ::testing::WithParamInterface<PermanentCase> {
 protected:
  RenewPassPermanent() : RenewPassFixture(stub_options(true)) {}
  void SetUp() override {
    RenewPassFixture::SetUp();
    if (HasFatalFailure()) return;
    define();
    issue_first();
    stub_.set_renewal_info(ari_window(t0_ + days(60), t0_ + days(62)), 21600);
    clock_.set(t0_ + days(60));  // due
  }

  // The pass halts the certificate on the scripted problem.
  void halt() {
    const PermanentCase& p = GetParam();
    stub_.fail_next(p.path, p.status, problem_body(p.type, "scripted permanent problem"), {}, 1,
                    "application/problem+json");
    auto out = pass();
    const RenewItem* item = item_named(out);
    ASSERT_NE(item, nullptr);
    ASSERT_TRUE(item->attempted);
    ASSERT_TRUE(item->issued && item->issued->error);
    EXPECT_NE(item->issued->error->message.find(p.type), std::string::npos) << item->issued->error->what();
    EXPECT_TRUE(item->issued->permanent_failure);
    EXPECT_TRUE(has_event(*item, "halted"));
    EXPECT_FALSE(has_event(*item, "renewal-failed"));
    auto c = record();
    EXPECT_TRUE(c.failure_permanent);
    EXPECT_EQ(c.current_version, 1) << "the installed certificate is untouched";
    EXPECT_FALSE(*inventory().open_order_of("web")) << "the failed order is closed, not resumed";
  }
};

TEST_P(RenewPassPermanent, LaterPassesDoNotAttemptUntilTheDefinitionChanges) {
  halt();
  if (HasFatalFailure()) return;
  const auto orders = new_orders().size();
  for (int i = 0; i < 3; ++i) {
    auto c = record();
    ASSERT_TRUE(c.next_check);
    EXPECT_GT(*c.next_check, clock_.now());
    clock_.set(*c.next_check);
    auto out = pass();
    const RenewItem* item = item_named(out);
    ASSERT_NE(item, nullptr) << "halted certificates are still looked at (daily reminder)";
    EXPECT_EQ(item->decision.kind, DecisionKind::halted) << item->decision.reason;
    EXPECT_FALSE(item->attempted);
    EXPECT_TRUE(has_event(*item, "halted"));
  }
  // Named, it is not attempted either.
  RenewRequest named;
  named.names = {"web"};
  auto out = pass(lower_bound_random(), named);
  ASSERT_NE(item_named(out), nullptr);
  EXPECT_FALSE(item_named(out)->attempted);
  EXPECT_EQ(new_orders().size(), orders) << "no order while halted";
  EXPECT_TRUE(record().failure_permanent);

  // The operator fixes the definition: the next pass attempts at once.
  define();
  auto c = record();
  EXPECT_FALSE(c.failure_permanent);
  EXPECT_EQ(c.failures, 0);
  auto after = pass();
  ASSERT_NE(item_named(after), nullptr) << "due right after the redefinition";
  EXPECT_TRUE(item_named(after)->attempted);
  ASSERT_TRUE(item_named(after)->issued);
  EXPECT_FALSE(item_named(after)->issued->error) << item_named(after)->issued->error->what();
  EXPECT_EQ(record().current_version, 2);
  EXPECT_EQ(new_orders().size(), orders + 1);
}

TEST_P(RenewPassPermanent, IssueByTheOperatorClearsTheHalt) {
  halt();
  if (HasFatalFailure()) return;
  auto out = issue(ctx_, {"web"}, 1);
  ASSERT_FALSE(out[0].error) << out[0].error->what();
  auto c = record();
  EXPECT_FALSE(c.failure_permanent);
  EXPECT_EQ(c.current_version, 2);
  // The CA's window for the new certificate is weeks away.
  stub_.set_renewal_info(ari_window(clock_.now() + days(50), clock_.now() + days(52)), 21600);
  auto next = pass();
  ASSERT_NE(item_named(next), nullptr);
  EXPECT_NE(item_named(next)->decision.kind, DecisionKind::halted) << item_named(next)->decision.reason;
  EXPECT_FALSE(item_named(next)->attempted) << "the new version is not due";
}

INSTANTIATE_TEST_SUITE_P(, RenewPassPermanent,
                         ::testing::Values(PermanentCase{"BadCsrOnFinalize", "/finalize/", 400, "badCSR"},
                                           PermanentCase{"RejectedIdentifierOnNewOrder", "/order", 400,
                                                         "rejectedIdentifier"},
                                           PermanentCase{"UserActionRequiredOnNewOrder", "/order", 403,
                                                         "userActionRequired"}),
                         [](const ::testing::TestParamInfo<PermanentCase>& info) {
                           return std::string(info.param.name);
                         });

// ---------------------------------------------------------------- profiles

json offered_profiles() {
  return {{"classic", "the usual 90 days"}, {"shortlived", "7 days"}};
}

class RenewPassProfile : public RenewPassFixture {
 protected:
  RenewPassProfile() : RenewPassFixture(stub_options(true, offered_profiles())) {}
};

TEST_F(RenewPassProfile, AddRefusesAProfileTheCaDoesNotOffer) {
  auto def = add_certificate(ctx_, add_request("web", "tlsserver"));
  ASSERT_FALSE(def);
  EXPECT_EQ(def.error().code, Errc::usage);
  EXPECT_NE(def.error().what().find("tlsserver"), std::string::npos) << def.error().what();
  EXPECT_NE(def.error().what().find("classic"), std::string::npos) << "names what the CA offers";
  EXPECT_NE(def.error().what().find("shortlived"), std::string::npos) << def.error().what();
  EXPECT_FALSE(*inventory().find_certificate("web")) << "nothing was defined";
  EXPECT_TRUE(new_orders().empty());
}

TEST_F(RenewPassProfile, AListedProfileIsSentWithTheOrderAndWithItsRenewal) {
  define("web", "shortlived");
  issue_first();
  auto orders = new_orders();
  ASSERT_EQ(orders.size(), 1u);
  EXPECT_EQ(orders[0].payload.value("profile", ""), "shortlived");

  stub_.set_renewal_info(ari_window(t0_ + days(60), t0_ + days(62)), 21600);
  clock_.set(t0_ + days(60));
  auto out = pass();
  ASSERT_NE(item_named(out), nullptr);
  ASSERT_TRUE(item_named(out)->issued && item_named(out)->issued->stored);
  orders = new_orders();
  ASSERT_EQ(orders.size(), 2u);
  EXPECT_EQ(orders[1].payload.value("profile", ""), "shortlived");
}

TEST_F(RenewPassProfile, AProfileTheCaWithdrewHaltsTheCertificate) {
  define("web", "shortlived");
  issue_first();
  // The CA stops offering it: a directory without meta.profiles.
  const std::string base = stub_.base_url();
  stub_.set_override([base](const StubRequest& r) -> std::optional<StubResponse> {
    if (r.path != "/dir") return std::nullopt;
    StubResponse out;
    out.body = json{{"newNonce", base + "/nonce"},
                    {"newAccount", base + "/acct"},
                    {"newOrder", base + "/order"},
                    {"revokeCert", base + "/revoke"},
                    {"keyChange", base + "/key-change"},
                    {"renewalInfo", base + "/renewal-info"},
                    {"meta", {{"termsOfService", base + "/terms"}}}}
                   .dump();
    return out;
  });
  stub_.set_renewal_info(ari_window(t0_ + days(60), t0_ + days(62)), 21600);
  clock_.set(t0_ + days(60));

  auto out = pass();

  const RenewItem* item = item_named(out);
  ASSERT_NE(item, nullptr);
  ASSERT_TRUE(item->issued && item->issued->error);
  EXPECT_EQ(item->issued->error->code, Errc::usage);
  EXPECT_NE(item->issued->error->message.find("shortlived"), std::string::npos) << item->issued->error->what();
  EXPECT_TRUE(item->issued->permanent_failure);
  EXPECT_TRUE(has_event(*item, "halted"));
  EXPECT_EQ(new_orders().size(), 1u) << "no order was sent with a profile the CA does not offer";
  auto c = record();
  EXPECT_TRUE(c.failure_permanent);
  EXPECT_NE(c.last_error.find("shortlived"), std::string::npos) << c.last_error;

  ASSERT_TRUE(c.next_check);
  clock_.set(*c.next_check);
  auto later = pass();
  ASSERT_NE(item_named(later), nullptr);
  EXPECT_EQ(item_named(later)->decision.kind, DecisionKind::halted);
  EXPECT_FALSE(item_named(later)->attempted);
}

class RenewPassNoProfiles : public RenewPassFixture {
 protected:
  RenewPassNoProfiles() : RenewPassFixture(stub_options(true)) {}
};

TEST_F(RenewPassNoProfiles, AddRefusesAnyProfileWhenTheCaOffersNone) {
  auto def = add_certificate(ctx_, add_request("web", "classic"));
  ASSERT_FALSE(def);
  EXPECT_EQ(def.error().code, Errc::usage);
  EXPECT_NE(def.error().what().find("none"), std::string::npos) << def.error().what();
  // Without --profile nothing is checked and no profile is sent.
  define("web");
  issue_first();
  ASSERT_EQ(new_orders().size(), 1u);
  EXPECT_FALSE(new_orders()[0].payload.contains("profile"));
}

}  // namespace
}  // namespace certkeeper::lifecycle::renew_pass
