// A node's challenge answerer (lifecycle/fleet_challenges.h) against a real
// PostgreSQL inventory: what a lease holder publishes is served from this
// node's web root and acknowledged, removed when it is unpublished; what
// its own node's holder serves itself is left alone; what cannot be served
// is acknowledged as such.
#include <gtest/gtest.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <functional>
#include <sstream>
#include <thread>

#include "certkeeper/crypto/key_wrap.h"
#include "certkeeper/lifecycle/fleet_challenges.h"
#include "certkeeper/lifecycle/init.h"
#include "certkeeper/store/inventory.h"
#include "support/postgres.h"
#include "support/temp_dir.h"

namespace certkeeper::lifecycle {
namespace {

constexpr char kToken[] = "Yc5HRBodyWsRkWpWTFMpPMmHWMadwmpSPpNsXiKQAoo";

bool eventually(const std::function<bool()>& done, std::chrono::seconds limit = std::chrono::seconds(15)) {
  const auto until = std::chrono::steady_clock::now() + limit;
  while (std::chrono::steady_clock::now() < until) {
    if (done()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return done();
}

class ChallengeAnswererTest : public ::testing::Test {
 protected:
  ChallengeAnswererTest() {
    auto& server = testing::shared_postgres();
    ctx_.db_path = server.uri(server.create_database());
    ctx_.key_file = dir_.file("inventory.key");
    ctx_.clock = &clock_;
    ctx_.actor = "test";
    ctx_.node = "n2";
  }

  void SetUp() override {
    ASSERT_TRUE(crypto::write_new_key_file(ctx_.key_file));
    InitRequest request{};
    request.encrypt_keys = true;
    auto made = init(ctx_, request);
    ASSERT_TRUE(made) << made.error().what();
    auto inv = ctx_.inventory(store::OpenMode::existing);
    ASSERT_TRUE(inv) << inv.error().what();
    holder_.emplace(std::move(*inv));
    // Answers are published under the certificate's lease (held an hour).
    store::CertificateRecord web;
    web.name = "web";
    web.source = "acme";
    web.domains = {"www.example.test"};
    web.challenge = "http-01";
    ASSERT_TRUE(holder_->define_certificate(web, "test", clock_.now()));
    auto lease = holder_->acquire_lease("web", "n1/1/a", "n1", 3600, "test", clock_.now());
    ASSERT_TRUE(lease) << lease.error().what();
    generation_ = lease->lease.generation;
    std::filesystem::create_directories(dir_.file("webroot"));
    ASSERT_EQ(::pipe(stop_), 0);
    answerer_ = std::thread([this] { answer_challenges(ctx_, stop_[0]); });
  }

  void TearDown() override {
    if (answerer_.joinable()) stop();
    ::close(stop_[0]);
    ::close(stop_[1]);
  }

  void stop() {
    ASSERT_EQ(::write(stop_[1], "x", 1), 1);
    answerer_.join();
  }

  std::int64_t publish(const std::string& token, const std::string& node, bool served_by_publisher,
                       const std::string& config) {
    store::PublishedChallenge c;
    c.token = token;
    c.certificate_name = "web";
    c.node = node;
    c.type = "http-01";
    c.identifier = "www.example.test";
    c.key_authorization = token + ".thumbprint";
    c.config = config;
    c.served_by_publisher = served_by_publisher;
    c.generation = generation_;
    c.expires_at = clock_.now() + 3600;
    auto id = holder_->publish_challenge(c, clock_.now());
    EXPECT_TRUE(id) << id.error().what();
    return id ? *id : 0;
  }

  std::vector<store::ChallengeAck> acks(std::int64_t id) {
    auto got = holder_->challenge_acks({id});
    EXPECT_TRUE(got) << got.error().what();
    return got ? *got : std::vector<store::ChallengeAck>{};
  }

  std::string webroot_config() const { return nlohmann_config(dir_.file("webroot")); }
  static std::string nlohmann_config(const std::string& webroot) { return "{\"webroot\":\"" + webroot + "\"}"; }
  std::string answer_file(const std::string& token) const {
    return dir_.file("webroot") + "/.well-known/acme-challenge/" + token;
  }

  testing::TempDir dir_;
  SystemClock clock_;
  Context ctx_;
  std::optional<store::Inventory> holder_;
  std::int64_t generation_ = 0;
  int stop_[2] = {-1, -1};
  std::thread answerer_;
};

TEST_F(ChallengeAnswererTest, AWebRootAnswerIsServedAcknowledgedAndRemovedWhenUnpublished) {
  ASSERT_TRUE(eventually([&] {
    auto live = holder_->answering_nodes(clock_.now() - kAnsweringLiveSeconds);
    return live && *live == std::vector<std::string>{"n2"};
  })) << "the answerer beats";
  const std::int64_t id = publish(kToken, "n1", false, webroot_config());
  ASSERT_TRUE(eventually([&] { return !acks(id).empty(); })) << "n2 acknowledged";
  auto got = acks(id);
  EXPECT_EQ(got[0].node, "n2");
  EXPECT_TRUE(got[0].ok) << got[0].detail;
  std::ifstream in(answer_file(kToken));
  std::stringstream body;
  body << in.rdbuf();
  EXPECT_EQ(body.str(), std::string(kToken) + ".thumbprint");

  ASSERT_TRUE(holder_->unpublish_challenge(id, "web"));
  EXPECT_TRUE(eventually([&] { return !std::filesystem::exists(answer_file(kToken)); }))
      << "the answer went with its publication";
  stop();
  auto live = holder_->answering_nodes(clock_.now() - kAnsweringLiveSeconds);
  ASSERT_TRUE(live);
  EXPECT_TRUE(live->empty()) << "a stopped answerer clears its beat";
}

// Its own node's holder serves its answers itself (no daemon was there
// when it began): the answerer leaves them, and answers the others.
TEST_F(ChallengeAnswererTest, WhatItsOwnNodesHolderServesItselfIsLeftAlone) {
  const std::string own = std::string(kToken).replace(0, 3, "own");
  const std::int64_t mine = publish(own, "n2", true, webroot_config());
  const std::int64_t other = publish(kToken, "n1", false, webroot_config());
  ASSERT_TRUE(eventually([&] { return !acks(other).empty(); }));
  EXPECT_TRUE(acks(mine).empty());
  EXPECT_FALSE(std::filesystem::exists(answer_file(own)));
  EXPECT_TRUE(std::filesystem::exists(answer_file(kToken)));
}

// What cannot be served is acknowledged as not served, with the reason,
// so that the holder stops waiting; the answerer goes on with the rest.
TEST_F(ChallengeAnswererTest, AnAnswerThatCannotBeServedIsAcknowledgedWithTheReason) {
  const std::int64_t bad = publish("short", "n1", false, webroot_config());
  // A web root that this node does not have.
  const std::int64_t blocked = publish(kToken, "n1", false, nlohmann_config(dir_.file("no-such-root")));
  ASSERT_TRUE(eventually([&] { return !acks(bad).empty() && !acks(blocked).empty(); }));
  EXPECT_FALSE(acks(bad)[0].ok);
  EXPECT_NE(acks(bad)[0].detail.find("valid token"), std::string::npos) << acks(bad)[0].detail;
  EXPECT_FALSE(acks(blocked)[0].ok);
  EXPECT_NE(acks(blocked)[0].detail.find("webroot is not an existing directory"), std::string::npos)
      << acks(blocked)[0].detail;
  const std::string fine = std::string(kToken).replace(0, 4, "fine");
  const std::int64_t ok = publish(fine, "n1", false, webroot_config());
  ASSERT_TRUE(eventually([&] { return !acks(ok).empty(); }));
  EXPECT_TRUE(acks(ok)[0].ok) << acks(ok)[0].detail;
}

}  // namespace
}  // namespace certkeeper::lifecycle
