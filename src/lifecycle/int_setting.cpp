#include "int_setting.h"

#include <cstdlib>

namespace certkeeper::lifecycle::detail {
namespace {

int parsed(const std::string& value, int fallback, int minimum) {
  const int v = std::atoi(value.c_str());
  return v >= minimum ? v : fallback;
}

}  // namespace

int int_setting(const std::map<std::string, std::string>& settings, const char* key, int fallback, int minimum) {
  auto it = settings.find(key);
  return it == settings.end() ? fallback : parsed(it->second, fallback, minimum);
}

int int_setting(store::Inventory& inv, const char* key, int fallback, int minimum) {
  auto value = inv.setting(key);
  return value && *value ? parsed(**value, fallback, minimum) : fallback;
}

}  // namespace certkeeper::lifecycle::detail
