// `db check`: what the inventory holds (backend, file, schema version, rows
// per table, whether its private keys are encrypted), read without writing.
#pragma once

#include "certkeeper/lifecycle/context.h"
#include "certkeeper/store/inventory_check.h"
#include "certkeeper/util/result.h"

namespace certkeeper::lifecycle {

using InventoryCheck = store::InventoryCheck;
using store::backend_name;  // "sqlite"

// Needs no key file; never writes (store/inventory_check.h).
Result<InventoryCheck> check_inventory(const Context& ctx);

}  // namespace certkeeper::lifecycle
