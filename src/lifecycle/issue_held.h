// Private to lifecycle: issue() for a caller that already holds the
// certificate's lease (ca_lease.h), as the scheduler's workers do after
// deciding to renew; issue() itself takes it (acme_ops.h).
#pragma once

#include <string>

#include "ca_lease.h"
#include "certkeeper/lifecycle/acme_ops.h"

namespace certkeeper::lifecycle::detail {

IssueOutcome issue_held(const Context& ctx, const std::string& name, CaLease& lease);

}  // namespace certkeeper::lifecycle::detail
