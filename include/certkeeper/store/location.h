// Where the inventory is: the value of --db or CERTKEEPER_DB, read once
// before anything opens it.
#pragma once

#include <string>

#include "certkeeper/util/result.h"

namespace certkeeper::store {

enum class Backend { sqlite };

const char* backend_name(Backend backend) noexcept;  // "sqlite"

struct Location {
  Backend backend = Backend::sqlite;
  std::string path;  // the SQLite file
};

// A path, or "sqlite:PATH" (the same file), is a SQLite inventory. Any
// other "scheme://..." is refused (Errc::usage): this build opens SQLite
// files only. A value that carries a password ("scheme://user:pw@host",
// "?password=...") is refused whatever its scheme, and the error shows it
// with the password replaced by "***" (other users read command lines and
// environments in /proc).
Result<Location> parse_location(const std::string& value);

}  // namespace certkeeper::store
