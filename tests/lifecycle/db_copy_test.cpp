// The db copy operation (lifecycle/db_copy.h): both locations are needed
// (the source is never the Context's inventory), and the Context's actor,
// clock and key file go into the copy.
#include <gtest/gtest.h>

#include <filesystem>

#include "certkeeper/lifecycle/db_copy.h"
#include "certkeeper/store/inventory.h"
#include "support/temp_dir.h"

namespace certkeeper::lifecycle {
namespace {

constexpr UnixTime kCopyNow = 1'800'000'000;

TEST(DbCopyOperation, NeedsBothLocationsAndRecordsTheContextsActorAndTime) {
  testing::TempDir dir;
  FixedClock clock(kCopyNow);
  Context ctx;
  ctx.db_path = dir.file("context.db");
  ctx.clock = &clock;
  ctx.actor = "cli:tester";
  ctx.key_file = dir.file("unused.key");  // a SQLite destination needs none, and it is not read

  auto missing = copy_inventory(ctx, {"", dir.file("to.db")});
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().code, Errc::usage);
  EXPECT_NE(missing.error().message.find("--from"), std::string::npos) << missing.error().message;
  EXPECT_EQ(copy_inventory(ctx, {dir.file("from.db"), ""}).error().code, Errc::usage);

  {
    auto source = store::Inventory::open(dir.file("from.db"), store::OpenMode::create);
    ASSERT_TRUE(source) << source.error().what();
    ASSERT_TRUE(source->set_settings({{"external_url", "https://www.example.test/"}}, "t", kCopyNow - 100));
  }
  auto copied = copy_inventory(ctx, {dir.file("from.db"), dir.file("to.db")});
  ASSERT_TRUE(copied) << copied.error().what();
  EXPECT_EQ(copied->keys_sealed, 0);
  auto to = store::Inventory::open(dir.file("to.db"), store::OpenMode::read_only);
  ASSERT_TRUE(to) << to.error().what();
  auto events = to->events("");
  ASSERT_TRUE(events);
  ASSERT_EQ(events->size(), 2u);
  EXPECT_EQ(events->back().kind, "inventory-copied");
  EXPECT_EQ(events->back().actor, "cli:tester");
  EXPECT_EQ(events->back().at, kCopyNow);
  EXPECT_EQ(*to->setting("external_url"), "https://www.example.test/");
  EXPECT_FALSE(std::filesystem::exists(dir.file("context.db"))) << "the Context's inventory is not opened";
}

}  // namespace
}  // namespace certkeeper::lifecycle
