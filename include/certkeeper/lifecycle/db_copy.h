// `db copy`: the whole inventory from one database into a new one (SQLite
// -> PostgreSQL and back), verified before it commits; the source is never
// written (store/inventory_copy.h).
#pragma once

#include <string>

#include "certkeeper/lifecycle/context.h"
#include "certkeeper/store/inventory_copy.h"
#include "certkeeper/util/result.h"

namespace certkeeper::lifecycle {

using CopyReport = store::CopyReport;

struct DbCopyRequest {
  std::string from;  // --from: a path, sqlite:PATH or postgresql://... (never a password)
  std::string to;    // --to: the same forms; must be new or empty
};

// The Context's key file seals the source's plaintext private keys when the
// destination is PostgreSQL; its actor and clock write the destination's
// event "inventory-copied". Opens the two locations given, never ctx's
// inventory.
Result<CopyReport> copy_inventory(const Context& ctx, const DbCopyRequest& request);

}  // namespace certkeeper::lifecycle
