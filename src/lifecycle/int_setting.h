// Private to lifecycle: the whole-number settings (lease_seconds,
// challenge_wait, node_down_after), read the one way: `fallback` when the
// setting is unset, not a number, or below `minimum` (a row written by hand;
// init refuses such values).
#pragma once

#include <map>
#include <string>

#include "certkeeper/store/inventory.h"

namespace certkeeper::lifecycle::detail {

int int_setting(const std::map<std::string, std::string>& settings, const char* key, int fallback, int minimum);
int int_setting(store::Inventory& inv, const char* key, int fallback, int minimum);

}  // namespace certkeeper::lifecycle::detail
