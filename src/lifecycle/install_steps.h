// Private to lifecycle: the reload and probe steps of the install
// transaction.
#pragma once

#include <chrono>
#include <string>
#include <vector>

#include "certkeeper/deploy/target.h"
#include "certkeeper/lifecycle/install.h"
#include "certkeeper/store/records.h"
#include "certkeeper/util/result.h"

namespace certkeeper::lifecycle::detail {

// Runs each distinct reload command of `targets` once, in order, stopping at
// the first failure, and adds each to `steps`. A failure is Errc::io whose
// message names the command and says what went wrong.
Status run_reloads(const std::vector<deploy::TargetSpec>& targets, std::vector<CommandStep>& steps);

// Probes every endpoint of `targets` until each serves `version`'s leaf with
// a chain that verifies and covers the name, retrying while an endpoint is
// unreachable or still serves another certificate, for at most `wait` each.
// A failure is Errc::network whose message names the endpoint.
Status run_probes(const std::vector<deploy::TargetSpec>& targets, const store::VersionRecord& version,
                  std::chrono::milliseconds wait, std::vector<ProbeStep>& steps);

// The name a probe checks by default: the first name of the certificate
// that is not a wildcard (a wildcard cannot be sent as SNI).
std::string default_probe_name(const std::vector<std::string>& names);

}  // namespace certkeeper::lifecycle::detail
