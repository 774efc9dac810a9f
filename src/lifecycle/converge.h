// Private to lifecycle: the fleet's side of a pass (issue 12). The node
// says it is alive (heartbeat), and installs the desired version of each
// certificate into its own targets that do not serve it.
#pragma once

#include <string>
#include <vector>

#include "certkeeper/lifecycle/renew.h"
#include "certkeeper/store/inventory.h"

namespace certkeeper::lifecycle::detail {

// Records this node's heartbeat ("doing": what it is busy with); a failure
// is logged, never fatal: the node goes on with what it has.
void beat(const Context& ctx, store::Inventory& inv, const std::string& doing);

// Installs, one certificate after the other, the desired versions that this
// node's targets lack (only those of `names` when not empty); a dry run
// lists them without installing.
std::vector<ConvergeItem> converge(const Context& ctx, store::Inventory& inv, const std::vector<std::string>& names,
                                   bool dry_run);

}  // namespace certkeeper::lifecycle::detail
