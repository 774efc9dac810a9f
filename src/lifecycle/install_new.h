// Private to lifecycle: a version just stored (issue, import --install) goes
// through the install transaction when its certificate has targets.
#pragma once

#include <optional>
#include <string>

#include "certkeeper/lifecycle/install.h"
#include "certkeeper/store/inventory.h"

namespace certkeeper::lifecycle {

// The install's outcome (rolled back or not), nullopt when the certificate
// has no targets, or the error that stopped the install (the version stays
// stored either way).
// `beat`: as InstallRequest::beat (false when a pass stored it).
Result<std::optional<InstallOutcome>> install_new_version(const Context& ctx, store::Inventory& inv,
                                                          const std::string& name, int version, bool beat = true);

}  // namespace certkeeper::lifecycle
