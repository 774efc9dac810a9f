// issue through the whole spine against the scripted stub: what pebble
// cannot do (a certificate for the wrong key, a crash after finalize).
#include <gtest/gtest.h>

#include <ctime>

#include "certkeeper/lifecycle/acme_ops.h"
#include "certkeeper/lifecycle/init.h"
#include "certkeeper/store/inventory.h"
#include "support/acme_stub.h"

namespace certkeeper::lifecycle {
namespace {

using namespace certkeeper::testing;

class IssueStubTest : public ::testing::Test {
 protected:
  IssueStubTest() : clock_(std::time(nullptr)), stub_(options()) {
    ctx_.db_path = dir_.file("ck.db");
    ctx_.clock = &clock_;
    ctx_.actor = "test";
  }

  AcmeStubOptions options() {
    AcmeStubOptions o;
    o.now = clock_.now();
    return o;
  }

  void SetUp() override {
    ASSERT_TRUE(init(ctx_, {std::nullopt, stub_.directory_url(), stub_.ca_file(), "ops@example.test", {}}));
    AddRequest add;
    add.name = "web";
    add.domains = {"www.example.test"};
    add.webroot = dir_.file("");
    auto def = add_certificate(ctx_, add);
    ASSERT_TRUE(def) << def.error().what();
  }

  store::Inventory inventory() { return std::move(store::Inventory::open(ctx_.db_path, store::OpenMode::existing).value()); }

  TempDir dir_;
  FixedClock clock_;
  AcmeStub stub_;
  Context ctx_;
};

TEST_F(IssueStubTest, IssuesAndStoresThroughTheGate) {
  auto out = issue(ctx_, {"web"}, 1);
  ASSERT_EQ(out.size(), 1u);
  ASSERT_FALSE(out[0].error) << out[0].error->what();
  EXPECT_TRUE(out[0].stored);
  EXPECT_EQ(out[0].version, 1);
  auto inv = inventory();
  auto v = inv.version_with_key("web", 1);
  ASSERT_TRUE(v);
  EXPECT_EQ(v->origin, "acme");
  EXPECT_EQ(v->names, std::vector<std::string>{"www.example.test"});
  EXPECT_NE(v->key_pem.find("BEGIN PRIVATE KEY"), std::string::npos);
  EXPECT_FALSE(*inv.open_order_of("web")) << "the order is closed";
  EXPECT_EQ(stub_.requests_to("/order").size() > 0, true);
}

TEST_F(IssueStubTest, ACertificateForAnotherKeyIsNotStored) {
  stub_.set_wrong_certificate(true);
  auto out = issue(ctx_, {"web"}, 1);
  ASSERT_TRUE(out[0].error);
  EXPECT_EQ(out[0].error->code, Errc::ca_failed);
  EXPECT_NE(out[0].error->message.find("key-mismatch"), std::string::npos) << out[0].error->message;
  auto inv = inventory();
  EXPECT_TRUE(inv.versions("web")->empty());
  auto c = **inv.find_certificate("web");
  EXPECT_EQ(c.failures, 1);
  EXPECT_NE(c.last_error.find("key-mismatch"), std::string::npos);
}

TEST_F(IssueStubTest, AnInterruptedOrderIsResumedNotRenewed) {
  // The download fails (as if the process died after finalize): the order
  // stays open with its key, and the next run finishes that same order.
  stub_.fail_next("/cert/", 500, "<html>oops</html>");
  auto first = issue(ctx_, {"web"}, 1);
  ASSERT_TRUE(first[0].error);

  EXPECT_TRUE(*inventory().open_order_of("web"));
  std::size_t orders_before = stub_.requests_to("/order").size();
  std::size_t new_orders = 0;
  for (const auto& r : stub_.requests_to("/order")) new_orders += r.path == "/order";

  auto second = issue(ctx_, {"web"}, 1);

  ASSERT_FALSE(second[0].error) << second[0].error->what();
  EXPECT_TRUE(second[0].resumed);
  EXPECT_TRUE(second[0].stored);
  std::size_t new_orders_after = 0;
  for (const auto& r : stub_.requests_to("/order")) new_orders_after += r.path == "/order";
  EXPECT_EQ(new_orders_after, new_orders) << "no new order was placed";
  EXPECT_GT(stub_.requests_to("/order").size(), orders_before);
  EXPECT_EQ(stub_.issued().size(), 1u) << "finalized once";
}

TEST_F(IssueStubTest, RateLimitBecomesTheNextCheck) {
  stub_.rate_limited_next("/order", 7200);
  auto out = issue(ctx_, {"web"}, 1);
  ASSERT_TRUE(out[0].error);
  auto c = **inventory().find_certificate("web");
  ASSERT_TRUE(c.next_check);
  EXPECT_EQ(*c.next_check, clock_.now() + 7200);
  EXPECT_NE(c.last_error.find("rateLimited"), std::string::npos) << c.last_error;
}

TEST_F(IssueStubTest, AnUnknownProfileIsRefusedBeforeOrdering) {
  AddRequest add;
  add.name = "prof";
  add.domains = {"p.example.test"};
  add.webroot = dir_.file("");
  add.profile = "shortlived";
  // add asks the CA's directory (meta.profiles) and refuses at once.
  auto refused = add_certificate(ctx_, add);
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().code, Errc::usage);
  EXPECT_NE(refused.error().message.find("does not offer"), std::string::npos) << refused.error().message;
  // A definition stored anyway (the CA may drop a profile later) is refused
  // before ordering, as a permanent failure.
  auto inv = store::Inventory::open(ctx_.db_path, store::OpenMode::existing);
  store::CertificateRecord def;
  def.name = "prof";
  def.source = "acme";
  def.domains = {"p.example.test"};
  def.challenge = "http-01";
  def.challenge_config = nlohmann::json{{"webroot", dir_.file("")}}.dump();
  def.key_type = "ec-p256";
  def.profile = "shortlived";
  ASSERT_TRUE(inv->define_certificate(def, "test", ctx_.now()));
  auto out = issue(ctx_, {"prof"}, 1);
  ASSERT_TRUE(out[0].error);
  EXPECT_EQ(out[0].error->code, Errc::usage);
  EXPECT_TRUE(out[0].permanent_failure);
  EXPECT_TRUE(stub_.requests_to("/order").empty());
}

}  // namespace
}  // namespace certkeeper::lifecycle

namespace certkeeper::lifecycle {
namespace {

TEST(IssuePolling, RetryAfterOnAProcessingOrderIsHonoured) {
  TempDir dir;
  FixedClock clock(std::time(nullptr));
  AcmeStubOptions o;
  o.now = clock.now();
  o.processing_polls = 2;
  o.order_retry_after = 3;
  AcmeStub stub(o);
  Context ctx{dir.file("ck.db"), &clock, "test"};
  ASSERT_TRUE(init(ctx, {std::nullopt, stub.directory_url(), stub.ca_file(), std::nullopt, {}}));
  AddRequest add;
  add.name = "web";
  add.domains = {"www.example.test"};
  add.webroot = dir.path();
  ASSERT_TRUE(add_certificate(ctx, add));
  std::int64_t before = clock.now_ms();
  auto out = issue(ctx, {"web"}, 1);
  ASSERT_FALSE(out[0].error) << out[0].error->what();
  // Two "processing" answers with Retry-After: 3 s each, slept on the clock
  // (no wall time passes in the test).
  EXPECT_GE(clock.now_ms() - before, 6000);
  std::size_t order_polls = 0;
  for (const auto& r : stub.requests_to("/order/")) order_polls += r.post_as_get;
  EXPECT_EQ(order_polls, 3u);
}

}  // namespace
}  // namespace certkeeper::lifecycle

namespace certkeeper::lifecycle {
namespace {

TEST_F(IssueStubTest, AfterTheFirstCertificateOnlyTheProtocolsRequests) {
  for (const char* name : {"b", "c"}) {
    AddRequest add;
    add.name = name;
    add.domains = {std::string(name) + ".example.test"};
    add.webroot = dir_.file("");
    ASSERT_TRUE(add_certificate(ctx_, add));
  }
  auto out = issue(ctx_, {"web", "b", "c"}, 1);
  ASSERT_EQ(out.size(), 3u);
  for (const auto& o : out) ASSERT_FALSE(o.error) << o.name << ": " << o.error->what();
  // newOrder, authz, challenge, one authz poll, finalize, one order poll at
  // most, certificate; the directory and the first nonce only once per run.
  EXPECT_LE(out[1].requests, 7u);
  EXPECT_LE(out[2].requests, 7u);
  EXPECT_EQ(stub_.requests_to("/dir").size(), 1u);
}

}  // namespace
}  // namespace certkeeper::lifecycle
