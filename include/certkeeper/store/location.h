// Where the inventory is: the value of --db or CERTKEEPER_DB, read once
// before anything opens it.
#pragma once

#include <string>

#include "certkeeper/util/result.h"

namespace certkeeper::store {

enum class Backend { sqlite, postgresql };

const char* backend_name(Backend backend) noexcept;  // "sqlite", "postgresql"

struct Location {
  Backend backend = Backend::sqlite;
  // The SQLite file, or the PostgreSQL connection URI as given (what
  // Inventory::open takes).
  std::string path;
};

// A path, or "sqlite:PATH" (the same file), is a SQLite inventory;
// "postgresql://..." or "postgres://..." a libpq connection URI (its
// options, such as sslmode=verify-full and sslrootcert=, pass through).
// Any other "scheme://..." is refused (Errc::usage). A value that carries a
// password ("scheme://user:pw@host", "?password=...") is refused whatever
// its scheme, and the error shows it with the password replaced by "***"
// (other users read command lines and environments in /proc): libpq's
// passfile (~/.pgpass, PGPASSFILE) or a service file holds it instead.
Result<Location> parse_location(const std::string& value);

// Whether `value` (a parsed location's path) names a PostgreSQL inventory.
bool is_postgresql_location(const std::string& value);

}  // namespace certkeeper::store
