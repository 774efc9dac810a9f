// connect_postgresql: a PostgreSQL Driver from the certkeeper-pq.so module
// (pq_module.h), loaded on first use (util/module_loader.h), so that the
// binary and SQLite users never map libpq.
#pragma once

#include <memory>

#include "driver.h"
#include "pq_module.h"

namespace certkeeper::store::sql {

// A new connection, or nullptr with `failure` filled: the server's refusal
// (driver.h's kinds), or, when the module cannot be loaded, kind other
// naming the file, where it was looked for and what to do.
std::unique_ptr<Driver> connect_postgresql(const pq::ConnectOptions& options, Failure& failure);

}  // namespace certkeeper::store::sql
