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
  // `address`: this node's --challenge-address ("": the configured hosts).
  explicit SolverSet(Clock& clock, std::string address = "") : clock_(clock), address_(std::move(address)) {}
  // The solver for a definition's challenge and challenge_config; Errc::usage
  // for a configuration that names no way to answer.
  Result<challenge::Solver*> for_definition(const store::CertificateRecord& def);

 private:
  // A built-in responder's ADDR:PORT with this node's address, if it has one.
  std::string listen_here(const std::string& configured) const;

  Clock& clock_;
  std::string address_;
  std::mutex mutex_;
  std::map<std::string, std::unique_ptr<challenge::Solver>> solvers_;
};

}  // namespace certkeeper::lifecycle::detail
