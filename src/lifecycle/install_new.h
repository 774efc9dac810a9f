// Private to lifecycle: a version just stored (issue, import --install) goes
// through the install transaction when its certificate has targets.
#pragma once

#include <optional>
#include <string>

#include "certkeeper/lifecycle/install.h"
#include "certkeeper/store/inventory.h"

namespace certkeeper::lifecycle {

void install_new_version(const Context& ctx, store::Inventory& inv, const std::string& name, int version,
                         std::optional<InstallOutcome>& outcome, std::optional<Error>& error);

}  // namespace certkeeper::lifecycle
