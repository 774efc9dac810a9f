// Inside certkeeper-pq.so: the libpq Driver its C entry point returns
// (contract: ../sql/pq_module.h).
#pragma once

#include <memory>

#include "../sql/driver.h"
#include "../sql/pq_module.h"

namespace certkeeper::store::sql::pq {

// A connected, configured session, or nullptr with `failure` filled.
// Throws nothing but std::bad_alloc.
std::unique_ptr<Driver> connect(const ConnectOptions& options, Failure& failure);

}  // namespace certkeeper::store::sql::pq
