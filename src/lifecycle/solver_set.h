// Private to lifecycle: one solver per challenge configuration for a whole
// issue run, so parallel orders share e.g. the standalone responder's port.
#pragma once

#include <map>
#include <memory>
#include <mutex>
#include <string>

#include "certkeeper/challenge/solver.h"
#include "certkeeper/store/records.h"

namespace certkeeper::lifecycle::detail {

class SolverSet {
 public:
  explicit SolverSet(Clock& clock) : clock_(clock) {}
  // The solver for a definition's challenge and challenge_config; Errc::usage
  // for a configuration that names no way to answer.
  Result<challenge::Solver*> for_definition(const store::CertificateRecord& def);

 private:
  Clock& clock_;
  std::mutex mutex_;
  std::map<std::string, std::unique_ptr<challenge::Solver>> solvers_;
};

}  // namespace certkeeper::lifecycle::detail
