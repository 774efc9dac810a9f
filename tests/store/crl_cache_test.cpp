// The revocation watch's tables: versions are read for CRL URLs once (the
// mark), a URL seen first is due at once, a cached CRL sets the next fetch,
// a failure keeps the cached CRL, and only current unrevoked versions are
// checked. Plus record_event_once and mark_revoked with a CRL's date.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "certkeeper/store/inventory.h"
#include "support/temp_dir.h"
#include "store/store_backends.h"
#include "store/store_fixtures.h"

namespace certkeeper::store {
namespace {

using testing::kNow;
using testing::acme_version;

using testing::TempDir;

constexpr const char* kUrl = "http://crl.example.test/int.crl";

class CrlCache : public ::testing::TestWithParam<testing::StoreBackend> {
 protected:
  void SetUp() override {
    auto opened = testing::open_fresh(GetParam(), dir_, location_);
    ASSERT_TRUE(opened) << opened.error().what();
    inv_.emplace(std::move(*opened));
  }
  void append(const std::string& name, const std::string& fingerprint) {
    CertificateRecord def;
    def.name = name;
    def.source = "acme";
    ASSERT_TRUE(inv_->append_version(def, acme_version(fingerprint), "issued", "{}", "t", kNow));
  }
  // Reads what is new and links every version to kUrl.
  CrlScan scan_and_link() {
    auto scan = inv_->crl_unscanned();
    EXPECT_TRUE(scan) << scan.error().what();
    std::vector<std::pair<std::int64_t, std::vector<std::string>>> links;
    for (const auto& v : scan->versions) links.push_back({v.version_id, {kUrl}});
    EXPECT_TRUE(inv_->crl_link(links, scan->upto));
    return *scan;
  }

  TempDir dir_;
  std::string location_;
  std::optional<Inventory> inv_;
};

TEST_P(CrlCache, EachCurrentVersionIsReadOnceAndItsUrlIsDueAtOnce) {
  append("web", "01");
  append("mail", "02");
  EXPECT_EQ(*inv_->crl_unscanned_count(), 2);
  auto first = scan_and_link();
  ASSERT_EQ(first.versions.size(), 2u);
  EXPECT_EQ(first.versions[0].certificate_name, "web");
  EXPECT_EQ(first.versions[0].serial, "0A01");
  EXPECT_EQ(*inv_->crl_unscanned_count(), 0);
  EXPECT_TRUE(inv_->crl_unscanned()->versions.empty()) << "nothing new: nothing to read";

  auto due = inv_->crls_due(kNow);
  ASSERT_TRUE(due);
  ASSERT_EQ(due->size(), 1u);
  EXPECT_EQ((*due)[0].url, kUrl);
  EXPECT_FALSE((*due)[0].fetched_at);
  EXPECT_EQ(inv_->crl_subjects(kUrl)->size(), 2u);

  append("web", "03");  // a renewal: version 2 of web replaces version 1
  auto second = scan_and_link();
  ASSERT_EQ(second.versions.size(), 1u);
  EXPECT_EQ(second.versions[0].version, 2);
  auto subjects = *inv_->crl_subjects(kUrl);
  ASSERT_EQ(subjects.size(), 2u) << "only current versions";
  EXPECT_EQ(subjects[0].certificate_name, "mail");
  EXPECT_EQ(subjects[1].certificate_name, "web");
  EXPECT_EQ(subjects[1].version, 2);
}

TEST_P(CrlCache, ACachedCrlIsNotDueBeforeItsNextFetchAndAFailureKeepsIt) {
  append("web", "01");
  scan_and_link();
  CrlRecord r;
  r.url = kUrl;
  r.issuer = "CN=Issuer";
  r.this_update = kNow - 60;
  r.next_update = kNow + 3600;
  r.fetched_at = kNow;
  r.der = std::string("\x30\x00\x01\x02", 4);
  r.next_fetch = kNow + 3600;
  ASSERT_TRUE(inv_->crl_fetched(r));
  EXPECT_TRUE(inv_->crls_due(kNow + 3599)->empty());
  EXPECT_EQ(inv_->crls_due(kNow + 3600)->size(), 1u);
  EXPECT_EQ(*inv_->earliest_crl_fetch(), kNow + 3600);

  ASSERT_TRUE(inv_->crl_failed(kUrl, "cannot connect", kNow + 3600, kNow + 7200));
  auto kept = inv_->crl(kUrl);
  ASSERT_TRUE(kept && *kept);
  EXPECT_EQ((*kept)->der, r.der) << "the last CRL that verified stays";
  EXPECT_EQ((*kept)->last_error, "cannot connect");
  EXPECT_EQ((*kept)->last_attempt, kNow + 3600);
  EXPECT_EQ((*kept)->next_fetch, kNow + 7200);
  EXPECT_EQ((*kept)->fetched_at, kNow);

  ASSERT_TRUE(inv_->crl_fetched(r));
  EXPECT_EQ((*inv_->crl(kUrl))->last_error, "") << "a good fetch clears the error";
  EXPECT_FALSE(*inv_->crl("http://other.example.test/x.crl"));
}

TEST_P(CrlCache, ARevokedVersionIsNoLongerASubjectAndKeepsTheCrlDate) {
  append("web", "01");
  scan_and_link();
  auto marked = inv_->mark_revoked("web", 1, "keyCompromise", "scheduler", kNow, kNow - 7200, kUrl);
  ASSERT_TRUE(marked && *marked);
  EXPECT_EQ((*inv_->versions("web"))[0].revoked_at, kNow - 7200);
  EXPECT_TRUE(inv_->crl_subjects(kUrl)->empty());
  auto events = *inv_->events("web");
  auto detail = nlohmann::json::parse(events.back().detail_json);
  EXPECT_EQ(events.back().kind, "revoked");
  EXPECT_EQ(detail["crl"], kUrl);
  EXPECT_EQ(detail["revoked_at"], kNow - 7200);
  EXPECT_FALSE(*inv_->mark_revoked("web", 1, "superseded", "scheduler", kNow + 1)) << "the first mark stays";
}

TEST_P(CrlCache, AnEventIsRecordedOncePerVersion) {
  append("web", "01");
  EXPECT_TRUE(*inv_->record_event_once("web", "revocation-expected", 1, R"({"ari_end":1})", "scheduler", kNow));
  EXPECT_FALSE(*inv_->record_event_once("web", "revocation-expected", 1, "{}", "scheduler", kNow + 1));
  append("web", "02");
  EXPECT_TRUE(*inv_->record_event_once("web", "revocation-expected", 2, "{}", "scheduler", kNow + 2));
  int count = 0;
  auto events = inv_->events("web");  // a named Result: the loop must not run over a temporary
  ASSERT_TRUE(events);
  for (const auto& e : *events) count += e.kind == "revocation-expected";
  EXPECT_EQ(count, 2);
  EXPECT_EQ(inv_->record_event_once("nope", "x", 1, "{}", "t", kNow).error().code, Errc::not_found);
}

CK_ON_BOTH_BACKENDS(CrlCache);

}  // namespace
}  // namespace certkeeper::store
