// The SQLite driver (driver.h), in the binary: SQLiteCpp opens and owns the
// connection; statements run on its raw handle (SQLiteCpp's columns each
// copy a shared pointer, too slow for the report's loops).
#pragma once

#include <SQLiteCpp/SQLiteCpp.h>

#include <memory>
#include <string>

#include "driver.h"

namespace certkeeper::store::sql {

// Opens `path` (a file name, or a file: URI with SQLite::OPEN_URI) with
// SQLiteCpp's `flags` and a busy timeout of `busy_ms`. Throws
// SQLite::Exception when it cannot be opened.
// What a SQLite result code means to the store.
FailureKind sqlite_failure_kind(int code);

std::unique_ptr<Driver> open_sqlite(const std::string& path, int flags, int busy_ms = 5000);

}  // namespace certkeeper::store::sql
