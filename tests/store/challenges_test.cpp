// Challenges in a fleet (issue 12, db/*/0014_fleet_challenges.sql) on both
// backends: a publication by its token, the acks of the nodes, the beats of
// the answering nodes, and stale publications.
#include <gtest/gtest.h>

#include <chrono>
#include <thread>

#include "certkeeper/store/inventory.h"
#include "certkeeper/store/inventory_watch.h"
#include "store/store_backends.h"
#include "store/store_fixtures.h"

namespace certkeeper::store {
namespace {

using testing::kNow;

class ChallengesTest : public ::testing::TestWithParam<testing::StoreBackend> {
 protected:
  void SetUp() override {
    auto inv = testing::open_fresh(GetParam(), dir_, path_);
    ASSERT_TRUE(inv) << inv.error().what();
    inv_.emplace(std::move(*inv));
    // Answers are published under the certificate's lease.
    ASSERT_TRUE(inv_->define_certificate(testing::definition("web", "acme"), "t", kNow));
    auto lease = inv_->acquire_lease("web", "mx1/1/a", "mx1", 3600, "t", kNow);
    ASSERT_TRUE(lease) << lease.error().what();
    generation_ = lease->lease.generation;
  }

  PublishedChallenge challenge(const std::string& token, UnixTime expires = kNow + 3600) const {
    PublishedChallenge c;
    c.token = token;
    c.certificate_name = "web";
    c.node = "mx1";
    c.type = "http-01";
    c.identifier = "www.example.test";
    c.key_authorization = token + ".thumbprint";
    c.config = R"({"listen":"0.0.0.0:80"})";
    c.expires_at = expires;
    c.generation = generation_;
    return c;
  }

  std::int64_t publish(const PublishedChallenge& c, UnixTime at = kNow) {
    auto id = inv_->publish_challenge(c, at);
    EXPECT_TRUE(id) << id.error().what();
    return id ? *id : 0;
  }

  std::vector<ChallengeAck> acks(std::vector<std::int64_t> ids) {
    auto got = inv_->challenge_acks(ids);
    EXPECT_TRUE(got) << got.error().what();
    return got ? *got : std::vector<ChallengeAck>{};
  }

  testing::TempDir dir_;
  std::string path_;
  std::optional<Inventory> inv_;
  std::int64_t generation_ = 0;
};

TEST_P(ChallengesTest, APublicationIsListedAckedAndGoneWhenUnpublished) {
  const std::int64_t id = publish(challenge("tokentokentokentokentok1"));
  auto listed = inv_->published_challenges(kNow);
  ASSERT_TRUE(listed) << listed.error().what();
  ASSERT_EQ(listed->size(), 1u);
  EXPECT_EQ((*listed)[0].id, id);
  EXPECT_EQ((*listed)[0].key_authorization, "tokentokentokentokentok1.thumbprint");
  EXPECT_EQ((*listed)[0].config, R"({"listen":"0.0.0.0:80"})");
  EXPECT_FALSE((*listed)[0].served_by_publisher);

  ASSERT_TRUE(inv_->ack_challenge({id, "mx2", true, "", kNow}, "web"));
  ASSERT_TRUE(inv_->ack_challenge({id, "mx3", false, "port 80 is in use", kNow}, "web"));
  // A node answers again: its newer answer replaces the first.
  ASSERT_TRUE(inv_->ack_challenge({id, "mx3", true, "", kNow + 1}, "web"));
  auto got = acks({id});
  ASSERT_EQ(got.size(), 2u);
  EXPECT_EQ(got[0].node, "mx2");
  EXPECT_EQ(got[1].node, "mx3");
  EXPECT_TRUE(got[1].ok);
  EXPECT_EQ(got[1].acked_at, kNow + 1);

  ASSERT_TRUE(inv_->unpublish_challenge(id, "web"));
  EXPECT_TRUE(inv_->published_challenges(kNow)->empty());
  EXPECT_TRUE(acks({id}).empty()) << "the acks went with it";
  // Gone already, and an ack that comes late: no error, nothing stored.
  EXPECT_TRUE(inv_->unpublish_challenge(id, "web"));
  EXPECT_TRUE(inv_->ack_challenge({id, "mx2", true, "", kNow}, "web"));
  EXPECT_TRUE(acks({id}).empty());
}

// A resumed order publishes the same token again: one row, the acks of
// the first publication gone (every node must serve the new one).
TEST_P(ChallengesTest, PublishingATokenAgainReplacesItAndItsAcks) {
  const std::int64_t first = publish(challenge("tokentokentokentokentok2"));
  ASSERT_TRUE(inv_->ack_challenge({first, "mx2", true, "", kNow}, "web"));
  auto again = challenge("tokentokentokentokentok2");
  again.node = "mx3";
  const std::int64_t second = publish(again, kNow + 10);
  EXPECT_NE(first, second);
  auto listed = inv_->published_challenges(kNow + 10);
  ASSERT_EQ(listed->size(), 1u);
  EXPECT_EQ((*listed)[0].node, "mx3");
  EXPECT_TRUE(acks({first, second}).empty());
}

// A holder that died leaves its publication: after its expiry nobody
// lists it, and the next publication deletes it.
TEST_P(ChallengesTest, AStalePublicationIsNotListedAndGoesAtTheNextPublication) {
  const std::int64_t old = publish(challenge("tokentokentokentokentok3", kNow + 60));
  ASSERT_TRUE(inv_->ack_challenge({old, "mx2", true, "", kNow}, "web"));
  EXPECT_EQ(inv_->published_challenges(kNow + 59)->size(), 1u);
  EXPECT_TRUE(inv_->published_challenges(kNow + 60)->empty());
  publish(challenge("tokentokentokentokentok4", kNow + 3600), kNow + 61);
  auto listed = inv_->published_challenges(kNow);
  ASSERT_EQ(listed->size(), 1u) << "the stale row was deleted";
  EXPECT_EQ((*listed)[0].token, "tokentokentokentokentok4");
  EXPECT_TRUE(acks({old}).empty());
}

// A holder that died leaves its publications; they are answered only
// while its lease is held: not once it expired or passed to another
// holder, again when the new holder publishes the token it resumes.
TEST_P(ChallengesTest, APublicationIsAnsweredOnlyWhileItsPublishersLeaseIsHeld) {
  publish(challenge("tokentokentokentokentok6"));
  EXPECT_EQ(inv_->published_challenges(kNow + 3599)->size(), 1u);
  EXPECT_TRUE(inv_->published_challenges(kNow + 3600)->empty()) << "the lease expired";
  auto next = inv_->acquire_lease("web", "mx2/7/b", "mx2", 60, "t", kNow + 3601);
  ASSERT_TRUE(next) << next.error().what();
  EXPECT_TRUE(inv_->published_challenges(kNow + 3602)->empty()) << "held again, but by another generation";
  auto resumed = challenge("tokentokentokentokentok6", kNow + 7200);
  resumed.node = "mx2";
  resumed.generation = next->lease.generation;
  publish(resumed, kNow + 3602);
  auto listed = inv_->published_challenges(kNow + 3603);
  ASSERT_EQ(listed->size(), 1u);
  EXPECT_EQ((*listed)[0].node, "mx2");
  EXPECT_EQ((*listed)[0].generation, next->lease.generation);
  ASSERT_TRUE(inv_->release_lease("web", {"mx2/7/b", next->lease.generation}, kNow + 3604));
  EXPECT_TRUE(inv_->published_challenges(kNow + 3604)->empty()) << "released";
}

TEST_P(ChallengesTest, AnsweringNodesAreThoseWhoseAnswererBeatRecently) {
  ASSERT_TRUE(inv_->heartbeat({"mx1", "0.1.0", "idle", 1}, kNow, "scheduler"));
  ASSERT_TRUE(inv_->answering_beat("mx1", true, kNow));
  // An answerer that beats before its node's first pass makes the row.
  ASSERT_TRUE(inv_->answering_beat("mx2", true, kNow - 20));
  auto live = inv_->answering_nodes(kNow - 15);
  ASSERT_TRUE(live) << live.error().what();
  EXPECT_EQ(*live, std::vector<std::string>{"mx1"});
  EXPECT_EQ(*inv_->answering_nodes(kNow - 30), (std::vector<std::string>{"mx1", "mx2"}));
  // A node's beat keeps the answerer's; a stopped answerer clears it.
  ASSERT_TRUE(inv_->heartbeat({"mx1", "0.1.0", "renew pass", 1}, kNow + 1, "scheduler"));
  EXPECT_EQ(inv_->answering_nodes(kNow)->size(), 1u);
  ASSERT_TRUE(inv_->answering_beat("mx1", false, kNow + 2));
  EXPECT_EQ(*inv_->answering_nodes(kNow - 30), std::vector<std::string>{"mx2"});
  auto nodes = inv_->nodes();
  ASSERT_TRUE(nodes);
  ASSERT_EQ(nodes->size(), 2u);
  EXPECT_EQ((*nodes)[0].answering_at, 0);
  EXPECT_EQ((*nodes)[1].answering_at, kNow - 20);
}

// A publication and an ack each reach the listeners of a fleet's
// inventory, so that answerers and holders wake at once; on a channel of
// their own, so that no daemon's pass wakes for them.
TEST_P(ChallengesTest, PublicationsAndAcksAreNotified) {
  if (GetParam() != testing::StoreBackend::postgresql) GTEST_SKIP() << "SQLite has one node: nothing to notify";
  auto ear = InventoryWatch::open(path_, kChallengeChannel);
  ASSERT_TRUE(ear) << ear.error().what();
  auto passes = InventoryWatch::open(path_);
  ASSERT_TRUE(passes) << passes.error().what();
  const std::int64_t id = publish(challenge("tokentokentokentokentok5"));
  ASSERT_TRUE(inv_->ack_challenge({id, "mx2", true, "", kNow}, "web"));
  ASSERT_TRUE(inv_->unpublish_challenge(id, "web"));
  std::vector<std::string> heard;
  for (int i = 0; i < 50 && heard.size() < 3; ++i) {
    auto got = ear->take();
    ASSERT_TRUE(got) << got.error().what();
    heard.insert(heard.end(), got->begin(), got->end());
    if (heard.size() < 3) std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  EXPECT_EQ(heard, (std::vector<std::string>{"challenge web", "ack web", "challenge-done web"}));
  // A change for the passes, sent after them, is all that channel hears.
  TargetRecord t;
  t.certificate_name = "web";
  t.node = "mx1";
  t.dir = dir_.file("live");
  ASSERT_TRUE(inv_->save_target(t, "t", kNow));
  std::vector<std::string> for_passes;
  for (int i = 0; i < 50 && for_passes.empty(); ++i) {
    auto got = passes->take();
    ASSERT_TRUE(got) << got.error().what();
    for_passes = *got;
    if (for_passes.empty()) std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  EXPECT_EQ(for_passes, std::vector<std::string>{"target web mx1"});
}

CK_ON_BOTH_BACKENDS(ChallengesTest);

}  // namespace
}  // namespace certkeeper::store
