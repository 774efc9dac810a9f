// The hook events (lifecycle/event_hook.h): the table the reference and the
// --on-event help print is the set renew and run fire.
#include <gtest/gtest.h>

#include <regex>
#include <set>
#include <string>

#include "certkeeper/lifecycle/event_hook.h"

namespace certkeeper::lifecycle {
namespace {

TEST(HookEvents, EveryEventIsAStableNameWithText) {
  std::set<std::string> events;
  const std::regex kebab("[a-z]+(-[a-z]+)*");
  for (const auto& e : hook_events()) {
    EXPECT_TRUE(std::regex_match(e.event, kebab)) << e.event;
    EXPECT_TRUE(events.insert(e.event).second) << "duplicate " << e.event;
    EXPECT_GT(std::string(e.when).size(), 10u) << e.event;
    EXPECT_TRUE(is_hook_event(e.event));
  }
  EXPECT_EQ(events, (std::set<std::string>{"renewal-failed", "halted", "rolled-back", "install-failed",
                                           "expires-soon", "unreachable", "revoked", "revocation-expected"}));
  EXPECT_FALSE(is_hook_event("installed"));
}

TEST(HookEvents, TheEnvironmentTableNamesWhatTheHookGets) {
  std::set<std::string> names;
  for (const auto& v : hook_environment()) names.insert(v.name);
  EXPECT_EQ(names, (std::set<std::string>{"CERTKEEPER_EVENT", "CERTKEEPER_NAME", "CERTKEEPER_DAYS_LEFT",
                                          "CERTKEEPER_NOT_AFTER", "CERTKEEPER_ERROR"}));
}

}  // namespace
}  // namespace certkeeper::lifecycle
