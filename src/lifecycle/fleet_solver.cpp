#include "fleet_solver.h"

#include <algorithm>
#include <chrono>
#include <set>
#include <thread>

#include <fmt/format.h>

#include "certkeeper/lifecycle/fleet_challenges.h"
#include "certkeeper/lifecycle/init.h"
#include "certkeeper/util/log.h"
#include "certkeeper/util/text.h"
#include "int_setting.h"

namespace certkeeper::lifecycle::detail {
namespace {

std::string joined(const std::set<std::string>& names) {
  std::string out;
  for (const auto& n : names) out += (out.empty() ? "" : ", ") + text::printable(n);
  return out;
}

}  // namespace

bool answered_by_every_node(const std::string& challenge) {
  return challenge == "http-01" || challenge == "tls-alpn-01";
}

FleetSolver::~FleetSolver() {
  for (const auto& p : published_) unpublish(p.id);
}

void FleetSolver::unpublish(std::int64_t id) {
  if (auto gone = inv_.unpublish_challenge(id, name_); !gone) {
    log::warn("certkeeper: " + name_ + ": a challenge answer stays published until its lease ends: " +
              gone.error().what());
  }
}

Status FleetSolver::present(const challenge::Task& task) {
  if (!delegated_) {
    // Decided once per order: this node's answerer (a daemon) serves its
    // answers when it beats, so that one process of the node listens.
    auto answering = inv_.answering_nodes(ctx_.now() - kAnsweringLiveSeconds);
    if (!answering) return std::move(answering).error();
    delegated_ = std::find(answering->begin(), answering->end(), ctx_.node_name()) != answering->end();
  }
  const bool here = !*delegated_;
  if (here) {
    if (auto shown = local_.present(task); !shown) return shown;
  }
  store::PublishedChallenge c;
  c.token = task.token;
  c.certificate_name = name_;
  c.node = ctx_.node_name();
  c.type = task.type;
  c.identifier = task.identifier;
  c.key_authorization = task.key_authorization;
  c.config = config_;
  c.served_by_publisher = here;
  c.generation = generation_;
  c.expires_at = ctx_.now() + kPublicationSeconds;
  auto id = inv_.publish_challenge(c, ctx_.now());
  if (!id) {
    if (here) local_.cleanup(task);
    return std::move(id).error();
  }
  published_.push_back({*id, task.token, here});
  return {};
}

void FleetSolver::cleanup(const challenge::Task& task) {
  auto it = std::find_if(published_.begin(), published_.end(),
                         [&](const Published& p) { return p.token == task.token; });
  if (it == published_.end()) {
    // present() failed before publishing: this node's solver may hold it.
    local_.cleanup(task);
    return;
  }
  unpublish(it->id);
  if (it->served_here) local_.cleanup(task);
  published_.erase(it);
}

Status FleetSolver::ready() {
  if (auto own = local_.ready(); !own) return own;
  if (published_.empty()) return {};
  std::vector<std::int64_t> ids;
  for (const auto& p : published_) ids.push_back(p.id);
  const int wait = int_setting(inv_, kChallengeWait, kDefaultChallengeWaitSeconds, kMinChallengeWaitSeconds);
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(wait);
  bool said = false;
  for (;;) {
    auto answering = inv_.answering_nodes(ctx_.now() - kAnsweringLiveSeconds);
    if (!answering) return std::move(answering).error();
    auto acks = inv_.challenge_acks(ids);
    if (!acks) return std::move(acks).error();
    // A node that could not serve an answer: no use waiting for it.
    for (const auto& a : *acks) {
      if (a.ok) continue;
      return make_error(Errc::io,
                        fmt::format("node {} could not serve the {} answer: {}; fix that node (its "
                                    "--challenge-address, web root or port) or stop its daemon; the CA was not asked "
                                    "to validate",
                                    text::printable(a.node), type(),
                                    text::printable(a.detail)),
                        name_);
    }
    std::set<std::string> missing;
    for (const auto& node : *answering) {
      // A node whose answers its publisher serves itself: this one.
      if (node == ctx_.node_name() && !*delegated_) continue;
      for (const auto id : ids) {
        const bool acked = std::any_of(acks->begin(), acks->end(),
                                       [&](const store::ChallengeAck& a) { return a.challenge_id == id && a.node == node; });
        if (!acked) missing.insert(node);
      }
    }
    if (missing.empty()) return {};
    if (std::chrono::steady_clock::now() >= deadline) {
      return make_error(Errc::timeout,
                        fmt::format("the nodes {} did not acknowledge the {} answers within {} s (setting "
                                    "challenge_wait); check that 'certkeeper run' works there and reaches the "
                                    "inventory, or stop it; the CA was not asked to validate",
                                    joined(missing), type(), wait),
                        name_);
    }
    if (!said && std::chrono::steady_clock::now() + std::chrono::seconds(wait) - deadline >= std::chrono::seconds(2)) {
      log::warn(fmt::format("certkeeper: {}: waiting for the nodes {} to serve the {} answers", name_, joined(missing),
                            type()));
      said = true;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
}

}  // namespace certkeeper::lifecycle::detail
