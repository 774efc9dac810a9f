// The contract between ck_store and the certkeeper-pq.so module (see
// util/module_loader.h): the file name and the C entry point. Both sides
// are built from the same tree, so C++ types may cross; nothing may throw
// across it (sql/driver.h).
#pragma once

#include "driver.h"

namespace certkeeper::store::sql::pq {

inline constexpr char kFile[] = "certkeeper-pq.so";

struct ConnectOptions {
  // A libpq connection URI (postgresql://...) as the user gave it; it never
  // holds a password (store/location.h refuses one).
  const char* uri = "";
  // Shown in pg_stat_activity, and by a busy inventory's message
  // ("certkeeper install pid 1234").
  const char* application_name = "certkeeper";
  int connect_timeout_s = 10;
  // How long a statement waits for a lock, and how long it may run (ms).
  int lock_timeout_ms = 30000;
  int statement_timeout_ms = 60000;
};

// Driver* certkeeper_pq_connect(const ConnectOptions*, Failure*): a new
// connection (the caller owns it), or nullptr with `failure` filled.
inline constexpr char kConnect[] = "certkeeper_pq_connect";
using Connect = Driver* (*)(const ConnectOptions*, Failure*) noexcept;

}  // namespace certkeeper::store::sql::pq
