// What every whole operation needs: where the inventory is, the clock, and
// who is acting (recorded in every event).
#pragma once

#include <string>

#include "certkeeper/util/clock.h"
#include "certkeeper/util/result.h"

namespace certkeeper::lifecycle {

struct Context {
  std::string db_path;
  Clock* clock = nullptr;
  std::string actor;  // "cli:USER", "scheduler", ...
  // The key file of private keys encrypted at rest (--key-file,
  // CERTKEEPER_KEY_FILE); "" leaves it to the inventory's setting key_file.
  std::string key_file{};
  UnixTime now() const { return clock->now(); }
};

// The inventory file named by the value of --db or CERTKEEPER_DB: a path,
// or sqlite:PATH. Anything else (another scheme://, a password) is an
// Errc::usage error that never shows a password (store/location.h).
Result<std::string> inventory_path(const std::string& db_value);

// A certificate name is also a directory name in install targets:
// 1-64 characters of [A-Za-z0-9._-], starting with a letter or digit.
bool valid_certificate_name(const std::string& name);
// The same as an Errc::usage error that says what a name may hold.
Status check_certificate_name(const std::string& name);

}  // namespace certkeeper::lifecycle
