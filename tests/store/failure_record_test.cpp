// A failure is always recorded, whatever its text (issue 14 point 2): the
// error of a CA is outside input, and a text SQLite or the event's JSON
// cannot take must never make the recording fail. Every byte value, every
// kind of broken UTF-8, NULs, control characters, megabytes, and random
// bytes from a fixed seed.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include <random>

#include "certkeeper/store/inventory.h"
#include "certkeeper/util/text.h"
#include "support/temp_dir.h"
#include "store/store_backends.h"
#include "store/store_fixtures.h"

namespace certkeeper::store {
namespace {

using testing::kNow;

using certkeeper::testing::TempDir;


class FailureRecordTest : public ::testing::TestWithParam<testing::StoreBackend> {
 protected:
  void SetUp() override {
    auto opened = testing::open_fresh(GetParam(), dir_, location_);
    ASSERT_TRUE(opened);
    inv_.emplace(std::move(*opened));
    CertificateRecord def;
    def.name = "web";
    def.source = "acme";
    def.domains = {"www.example.test"};
    ASSERT_TRUE(inv_->define_certificate(def, "t", kNow));
  }

  // Text as the store keeps it on both backends: a NUL as the four
  // characters \x00 (PostgreSQL's text cannot hold one).
  static std::string stored_form(const std::string& text) {
    std::string out;
    for (char ch : text) out += ch == '\0' ? std::string("\\x00") : std::string(1, ch);
    return out;
  }

  // Records `text` as the error and checks what was stored.
  void records(const std::string& text, int expected_failures) {
    auto ok = inv_->record_failure("web", text, kNow + 60, "t", kNow);
    ASSERT_TRUE(ok) << ok.error().what();
    auto c = inv_->find_certificate("web");
    ASSERT_TRUE(c && *c);
    EXPECT_EQ((*c)->failures, expected_failures);
    EXPECT_TRUE(text::is_utf8((*c)->last_error));
    EXPECT_LE((*c)->last_error.size(), 4 * 4000u);
    if (text::is_utf8(text) && text.size() < 4000) {
      EXPECT_EQ((*c)->last_error, stored_form(text)) << "valid text is kept as it is";
    }
    auto events = inv_->events("web");
    ASSERT_TRUE(events);
    const auto& last = events->back();
    EXPECT_EQ(last.kind, "issue-failed");
    auto detail = nlohmann::json::parse(last.detail_json, nullptr, false);
    ASSERT_TRUE(detail.is_object()) << "the event's detail is JSON";
    EXPECT_EQ(stored_form(detail["error"].get<std::string>()), (*c)->last_error);
  }

  TempDir dir_;
  std::string location_;
  std::optional<Inventory> inv_;
};

TEST_P(FailureRecordTest, EveryTextIsRecorded) {
  std::vector<std::string> texts = {
      "",
      std::string("nul\0inside", 10),
      "a lone lead byte at the end \xE2",
      "a cut euro \xE2\x82",
      "a lone continuation \x80 byte",
      "overlong \xC0\xAF slash",
      "a surrogate \xED\xA0\x80",
      "beyond U+10FFFF \xF4\x90\x80\x80",
      "\xFF\xFE\xFD",
      "escape \x1b[31mred\x1b[0m and bell \x07 and newline \n and CR \r",
      "\xE2\x80\xAE right-to-left override",
      std::string(1 << 20, '\xE2'),  // a megabyte of lead bytes
  };
  std::string euros;
  for (int i = 0; i < 200; ++i) euros += "\xE2\x82\xAC";
  texts.push_back(euros.substr(0, 300));  // 200 x "€" cut at 300 bytes: the lone 0xE2
  for (int b = 0; b < 256; ++b) texts.push_back(std::string(1, static_cast<char>(b)));
  int n = 0;
  for (const auto& t : texts) {
    SCOPED_TRACE(n);
    records(t, ++n);
    if (HasFatalFailure()) return;
  }
}

TEST_P(FailureRecordTest, RandomBytesAreRecorded) {
  std::mt19937_64 rng(14);  // fixed: a failure names its case
  std::uniform_int_distribution<int> length(0, 600), byte(0, 255);
  for (int n = 1; n <= 300; ++n) {
    std::string t(static_cast<std::size_t>(length(rng)), '\0');
    for (auto& c : t) c = static_cast<char>(byte(rng));
    SCOPED_TRACE(n);
    records(t, n);
    if (HasFatalFailure()) return;
  }
}

TEST_P(FailureRecordTest, TheCausesUrlsAreRecordedWhateverTheyHold) {
  Inventory::Failure f;
  f.error = "userActionRequired: new terms";
  f.retry_after = kNow + 60;
  f.permanent = true;
  f.type = "userActionRequired";
  f.instance = "https://ca.example/agree?\xE2";
  f.terms_of_service = std::string("https://ca.example/terms\0\n", 26);
  ASSERT_TRUE(inv_->record_failure("web", f, "t", kNow));
  auto events = inv_->events("web");
  ASSERT_TRUE(events);
  auto detail = nlohmann::json::parse(events->back().detail_json);
  EXPECT_EQ(detail["type"], "userActionRequired");
  EXPECT_EQ(detail["permanent"], true);
  EXPECT_EQ(detail["next_check"], kNow + 60);
  EXPECT_EQ(detail["instance"], "https://ca.example/agree?\\xE2");
  EXPECT_TRUE(text::is_utf8(detail["terms_of_service"].get<std::string>()));
  auto c = inv_->find_certificate("web");
  EXPECT_TRUE((*c)->failure_permanent);
  EXPECT_EQ((*c)->retry_after, kNow + 60);
}

TEST_P(FailureRecordTest, AnAttemptIsRecordedBeforeItsOutcome) {
  ASSERT_TRUE(inv_->record_attempt("web", "https://ca.example/order/1", false, "t", kNow));
  auto c = inv_->find_certificate("web");
  EXPECT_EQ((*c)->last_attempt, kNow);
  EXPECT_EQ((*c)->failures, 0) << "an attempt is no failure";
  auto events = inv_->events("web");
  EXPECT_EQ(events->back().kind, "issue-attempt");
  EXPECT_EQ(nlohmann::json::parse(events->back().detail_json)["order_url"], "https://ca.example/order/1");
  EXPECT_FALSE(inv_->record_attempt("nope", "x", false, "t", kNow));
}

CK_ON_BOTH_BACKENDS(FailureRecordTest);

}  // namespace
}  // namespace certkeeper::store
