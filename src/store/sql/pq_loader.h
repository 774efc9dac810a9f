// The PostgreSQL driver, from the certkeeper-pq.so module (pq_module.h),
// loaded on first use so that a SQLite inventory never maps libpq.
#pragma once

#include <memory>

#include "driver.h"
#include "pq_module.h"

namespace certkeeper::store::sql {

// A connection, or nullptr with `failure` filled (also when the module
// cannot be loaded: the message names it and what to do).
std::unique_ptr<Driver> connect_postgresql(const pq::ConnectOptions& options, Failure& failure);

}  // namespace certkeeper::store::sql
