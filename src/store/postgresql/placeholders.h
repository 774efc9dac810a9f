// SQLite's placeholders rewritten to PostgreSQL's $N (sql/driver.h): `?` is
// the next number (one more than the highest so far), `?N` is N, and a
// `:name` is numbered by its first appearance (the next number then) and
// keeps it, as SQLite numbers them. Nothing is rewritten inside '...'
// strings (E'...' with its backslash escapes too), "..." identifiers,
// $tag$...$tag$ bodies, -- and /* */ comments; a `::` cast stays a cast.
// Compiled into certkeeper-pq.so and into the store's tests.
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace certkeeper::store::sql::pq {

struct Rewritten {
  std::string sql;
  // Each `:name` (with its colon, as sqlite3_bind_parameter_index takes
  // it) and its 1-based number.
  std::vector<std::pair<std::string, int>> names;
  // The highest number used: how many parameters the statement takes.
  int parameters = 0;
};

// May throw std::bad_alloc only.
Rewritten rewrite_placeholders(std::string_view sql);

}  // namespace certkeeper::store::sql::pq
