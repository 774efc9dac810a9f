// Private to lifecycle: issue() for a caller that already holds each
// certificate's lock (DB.locks/NAME), as the scheduler's workers do; issue()
// itself takes it (acme_ops.h).
#pragma once

#include <string>
#include <vector>

#include "certkeeper/lifecycle/acme_ops.h"

namespace certkeeper::lifecycle::detail {

// `lock_certificates` false: the caller holds the locks of `names`.
std::vector<IssueOutcome> issue(const Context& ctx, const std::vector<std::string>& names, int parallel,
                                bool lock_certificates);

}  // namespace certkeeper::lifecycle::detail
