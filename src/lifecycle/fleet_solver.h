// Private to lifecycle: the holder's side of challenges in a fleet
// (lifecycle/fleet_challenges.h). Wraps this node's own solver for one
// order of one certificate.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "certkeeper/challenge/solver.h"
#include "certkeeper/lifecycle/context.h"
#include "certkeeper/store/inventory.h"

namespace certkeeper::lifecycle::detail {

// Whether a certificate's challenge is one that every node behind the load
// balancer must answer (http-01, tls-alpn-01).
bool answered_by_every_node(const std::string& challenge);

class FleetSolver : public challenge::Solver {
 public:
  // `local` answers on this node when it has no answering daemon; `inv` is
  // the order's connection (one thread).
  // `generation`: the order's lease; its publications are answered while
  // that lease is held.
  FleetSolver(const Context& ctx, store::Inventory& inv, challenge::Solver& local, const store::CertificateRecord& def,
              std::int64_t generation)
      : ctx_(ctx), inv_(inv), local_(local), name_(def.name), config_(def.challenge_config), generation_(generation) {}
  ~FleetSolver() override;  // unpublishes what cleanup() did not
  FleetSolver(const FleetSolver&) = delete;
  FleetSolver& operator=(const FleetSolver&) = delete;

  std::string type() const override { return local_.type(); }
  // Publishes the answer; serves it here too unless this node's answerer
  // does (decided at the order's first answer).
  Status present(const challenge::Task& task) override;
  void cleanup(const challenge::Task& task) override;
  // This node's solver's wait, then the acknowledgements of every answering
  // node, polled, at most the setting challenge_wait: Errc::timeout naming
  // the nodes that did not acknowledge; Errc::io naming a node that could
  // not serve an answer, with its reason.
  Status ready() override;

 private:
  struct Published {
    std::int64_t id = 0;
    std::string token;
    bool served_here = false;
  };

  // Unpublishes; a failure is said, never fatal (the answers stop being
  // served when the lease ends in any case).
  void unpublish(std::int64_t id);

  const Context& ctx_;
  store::Inventory& inv_;
  challenge::Solver& local_;
  std::string name_;
  std::string config_;
  std::int64_t generation_ = 0;
  std::optional<bool> delegated_;  // this node's answerer serves the answers
  std::vector<Published> published_;
};

}  // namespace certkeeper::lifecycle::detail
