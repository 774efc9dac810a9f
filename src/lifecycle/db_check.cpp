#include "certkeeper/lifecycle/db_check.h"

namespace certkeeper::lifecycle {

Result<InventoryCheck> check_inventory(const Context& ctx) { return store::check_inventory(ctx.db_path); }

}  // namespace certkeeper::lifecycle
