// The account operations and revoke against the scripted stub: what they
// send (RFC 8555 §7.3.5, §7.3.6, §7.6) and refusals pebble does not make.
#include <gtest/gtest.h>

#include <ctime>

#include "certkeeper/crypto/certificate_der.h"
#include "certkeeper/crypto/jose.h"
#include "certkeeper/lifecycle/account_ops.h"
#include "certkeeper/lifecycle/acme_ops.h"
#include "certkeeper/lifecycle/init.h"
#include "certkeeper/store/inventory.h"
#include "support/acme_stub.h"

namespace certkeeper::lifecycle {
namespace {

using namespace certkeeper::testing;

nlohmann::json decode_json(const std::string& b64u) {
  auto bytes = crypto::base64url_decode(b64u);
  return bytes ? nlohmann::json::parse(*bytes, nullptr, false) : nlohmann::json();
}

class AccountStubTest : public ::testing::Test {
 protected:
  AccountStubTest() : clock_(std::time(nullptr)) {
    ctx_.db_path = dir_.file("ck.db");
    ctx_.clock = &clock_;
    ctx_.actor = "test";
  }

  void start(AcmeStubOptions o = {}) {
    o.now = clock_.now();
    stub_ = std::make_unique<AcmeStub>(o);
    ASSERT_TRUE(init(ctx_, {std::nullopt, stub_->directory_url(), stub_->ca_file(), "ops@example.test", {}}));
    AddRequest add;
    add.name = "web";
    add.domains = {"www.example.test"};
    add.webroot = dir_.file("");
    ASSERT_TRUE(add_certificate(ctx_, add));
  }

  std::string stored_key() {
    auto inv = store::Inventory::open(ctx_.db_path, store::OpenMode::existing);
    auto a = inv->find_account(stub_->directory_url(), "mailto:ops@example.test");
    return a && *a ? (*a)->key_pem : "";
  }

  TempDir dir_;
  FixedClock clock_;
  std::unique_ptr<AcmeStub> stub_;
  Context ctx_;
};

TEST_F(AccountStubTest, RolloverSendsANestedJwsAndStoresTheNewKey) {
  start();
  auto before = register_account(ctx_, {});
  ASSERT_TRUE(before) << before.error().what();
  std::string old_key = stored_key();
  auto after = rollover_account(ctx_);
  ASSERT_TRUE(after) << after.error().what();
  EXPECT_NE(after->key_thumbprint, before->key_thumbprint);
  EXPECT_EQ(after->account_url, before->account_url);
  EXPECT_NE(stored_key(), old_key);

  auto sent = stub_->requests_to("/key-change");
  ASSERT_EQ(sent.size(), 1u);
  EXPECT_EQ(sent[0].protected_header["kid"], before->account_url) << "the outer JWS is signed by the old key";
  auto inner_header = decode_json(sent[0].payload["protected"]);
  auto inner_payload = decode_json(sent[0].payload["payload"]);
  EXPECT_EQ(inner_header["url"], sent[0].url);
  EXPECT_TRUE(inner_header.contains("jwk"));
  EXPECT_FALSE(inner_header.contains("nonce")) << "§7.3.5: the inner JWS has no nonce";
  EXPECT_EQ(inner_payload["account"], before->account_url);
  EXPECT_TRUE(inner_payload.contains("oldKey"));
}

TEST_F(AccountStubTest, ARefusedRolloverKeepsTheOldKey) {
  start();
  ASSERT_TRUE(register_account(ctx_, {}));
  std::string old_key = stored_key();
  stub_->fail_next("/key-change", 409,
                   R"({"type":"urn:ietf:params:acme:error:malformed","detail":"that key is in use"})", {}, 1,
                   "application/problem+json");
  auto r = rollover_account(ctx_);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, Errc::ca_failed);
  EXPECT_NE(r.error().message.find("in use"), std::string::npos) << r.error().message;
  EXPECT_EQ(stored_key(), old_key);
}

TEST_F(AccountStubTest, DeactivateThenIssueRegistersANewAccount) {
  start();
  auto first = register_account(ctx_, {});
  ASSERT_TRUE(first);
  auto off = deactivate_account(ctx_);
  ASSERT_TRUE(off) << off.error().what();
  EXPECT_EQ(off->status, "deactivated");
  auto sent = stub_->requests_to("/acct/");
  ASSERT_EQ(sent.size(), 1u);
  EXPECT_EQ(sent[0].payload, nlohmann::json({{"status", "deactivated"}}));
  EXPECT_EQ(rollover_account(ctx_).error().code, Errc::conflict);

  auto out = issue(ctx_, {"web"}, 1);
  ASSERT_FALSE(out[0].error) << out[0].error->what();
  auto now = show_account(ctx_, false);
  ASSERT_TRUE(now);
  EXPECT_EQ(now->status, "valid");
  EXPECT_NE(now->account_url, first->account_url);
  EXPECT_NE(now->key_thumbprint, first->key_thumbprint);
}

TEST_F(AccountStubTest, AnEabCaGetsTheBindingOrAClearUsageError) {
  AcmeStubOptions o;
  o.external_account_required = true;
  start(o);
  auto out = issue(ctx_, {"web"}, 1);
  ASSERT_TRUE(out[0].error);
  EXPECT_EQ(out[0].error->code, Errc::usage);
  EXPECT_NE(out[0].error->message.find("--eab-kid"), std::string::npos) << out[0].error->message;
  EXPECT_TRUE(stub_->requests_to("/acct").empty()) << "nothing was sent that the CA must refuse";

  auto a = register_account(ctx_, {"kid-9", crypto::base64url_encode("a shared secret")});
  ASSERT_TRUE(a) << a.error().what();
  EXPECT_TRUE(a->registered);
  auto sent = stub_->requests_to("/acct");
  ASSERT_EQ(sent.size(), 1u);
  auto eab = sent[0].payload["externalAccountBinding"];
  EXPECT_EQ(decode_json(eab["protected"])["kid"], "kid-9");
}

TEST_F(AccountStubTest, RevokeSendsTheLeafAndTheReasonCode) {
  start();
  auto issued = issue(ctx_, {"web"}, 1);
  ASSERT_FALSE(issued[0].error) << issued[0].error->what();
  auto r = revoke_certificate(ctx_, {"web", "superseded"});
  ASSERT_TRUE(r) << r.error().what();
  EXPECT_EQ(r->reason_code, 4);
  auto sent = stub_->requests_to("/revoke");
  ASSERT_EQ(sent.size(), 1u);
  EXPECT_EQ(sent[0].payload["reason"], 4);
  EXPECT_TRUE(sent[0].protected_header.contains("kid")) << "signed by the account key";
  auto der = crypto::certificate_der(stub_->issued().at(0).leaf_pem);
  ASSERT_TRUE(der);
  EXPECT_EQ(sent[0].payload["certificate"], crypto::base64url_encode(*der));
}

TEST_F(AccountStubTest, ARefusedRevocationMarksNothing) {
  start();
  ASSERT_FALSE(issue(ctx_, {"web"}, 1)[0].error);
  stub_->fail_next("/revoke", 403, R"({"type":"urn:ietf:params:acme:error:unauthorized","detail":"not yours"})", {},
                   1, "application/problem+json");
  auto r = revoke_certificate(ctx_, {"web", "keyCompromise"});
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, Errc::ca_failed);
  EXPECT_EQ(r.error().subject, "web");
  auto inv = store::Inventory::open(ctx_.db_path, store::OpenMode::existing);
  EXPECT_FALSE(inv->versions("web")->at(0).revoked_at);
}

TEST(RevocationReasons, Rfc5280NamesAndCodes) {
  EXPECT_EQ(revocation_reason_code("unspecified"), 0);
  EXPECT_EQ(revocation_reason_code("keyCompromise"), 1);
  EXPECT_EQ(revocation_reason_code("caCompromise"), 2);
  EXPECT_EQ(revocation_reason_code("cACompromise"), 2);
  EXPECT_EQ(revocation_reason_code("affiliationChanged"), 3);
  EXPECT_EQ(revocation_reason_code("superseded"), 4);
  EXPECT_EQ(revocation_reason_code("CessationOfOperation"), 5);
  EXPECT_FALSE(revocation_reason_code("certificateHold"));
  EXPECT_FALSE(revocation_reason_code(""));
  EXPECT_EQ(revocation_reasons().size(), 6u);
}

}  // namespace
}  // namespace certkeeper::lifecycle
