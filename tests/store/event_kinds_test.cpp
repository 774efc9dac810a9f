// The audit log's event kinds (store/event_kinds.h): the table the reference
// prints is the only set of kinds the store writes.
#include "certkeeper/store/event_kinds.h"

#include <gtest/gtest.h>

#include <regex>
#include <set>
#include <string>

#include "certkeeper/store/inventory.h"
#include "support/temp_dir.h"
#include "store/store_fixtures.h"

namespace certkeeper::store {
namespace {

using testing::kNow;


TEST(EventKinds, EveryKindIsAStableNameWithText) {
  std::set<std::string> kinds;
  const std::regex kebab("[a-z]+(-[a-z]+)*");
  for (const auto& k : event_kinds()) {
    EXPECT_TRUE(std::regex_match(k.kind, kebab)) << k.kind;
    EXPECT_TRUE(kinds.insert(k.kind).second) << "duplicate " << k.kind;
    EXPECT_TRUE(is_event_kind(k.kind));
  }
  EXPECT_FALSE(is_event_kind("install"));
  EXPECT_FALSE(is_event_kind(""));
}

TEST(EventKinds, AKindOutsideTheTableIsRefusedAndChangesNothing) {
  testing::TempDir dir;
  auto inv = Inventory::open(dir.file("ck.db"), OpenMode::create);
  ASSERT_TRUE(inv) << inv.error().what();
  CertificateRecord def;
  def.name = "web";
  def.source = "acme";
  def.domains = {"www.example.test"};
  ASSERT_TRUE(inv->define_certificate(def, "test", kNow));
  auto before = inv->events("web");
  ASSERT_TRUE(before);

  auto refused = inv->record_event("web", "no-such-event", "{}", "test", kNow);
  ASSERT_FALSE(refused);
  EXPECT_NE(refused.error().message.find("no-such-event"), std::string::npos) << refused.error().what();
  auto after = inv->events("web");
  ASSERT_TRUE(after);
  EXPECT_EQ(after->size(), before->size());

  ASSERT_TRUE(inv->record_event("web", event::install_failed, R"({"version": 1})", "test", kNow));
  EXPECT_EQ(inv->events("web")->size(), before->size() + 1);
}

}  // namespace
}  // namespace certkeeper::store
