// The answerer of a fleet's node (lifecycle/fleet_challenges.h): serves what
// lease holders publish, acknowledges, removes it when it is unpublished.
#include <poll.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <map>
#include <optional>
#include <set>

#include "certkeeper/challenge/solver.h"
#include "certkeeper/lifecycle/fleet_challenges.h"
#include "certkeeper/store/inventory_watch.h"
#include "certkeeper/util/json.h"
#include "certkeeper/util/log.h"
#include "certkeeper/util/text.h"
#include "fleet_solver.h"
#include "solver_set.h"

namespace certkeeper::lifecycle {
namespace {

struct Serving {
  challenge::Task task;
  challenge::Solver* solver = nullptr;
};

class Answerer {
 public:
  explicit Answerer(const Context& ctx) : ctx_(ctx), solvers_(*ctx.clock, ctx.challenge_address) {}

  // One round: beat, then serve and remove as the publications say.
  // Errc::database when the inventory cannot be reached.
  Status round(store::Inventory& inv) {
    if (auto ok = beat_if_due(inv); !ok) return ok;
    auto published = inv.published_challenges(ctx_.now());
    if (!published) return std::move(published).error();
    std::set<std::int64_t> present_ids;
    for (const auto& c : *published) present_ids.insert(c.id);
    for (auto it = serving_.begin(); it != serving_.end();) {
      if (present_ids.count(it->first)) {
        ++it;
        continue;
      }
      it->second.solver->cleanup(it->second.task);
      log::debug("challenge answerer: removed the answer for " + text::printable(it->second.task.identifier));
      it = serving_.erase(it);
    }
    for (auto it = refused_.begin(); it != refused_.end();) it = present_ids.count(*it) ? std::next(it) : refused_.erase(it);
    for (const auto& c : *published) {
      if (serving_.count(c.id) || refused_.count(c.id)) continue;
      // A slow answer (a port waited for) does not stop the beats.
      if (auto ok = beat_if_due(inv); !ok) return ok;
      // Its publisher serves it on this very node (no daemon was there).
      if (c.served_by_publisher && c.node == ctx_.node_name()) continue;
      if (auto ok = serve(inv, c); !ok) return ok;
    }
    return {};
  }

  // Removes every answer and says this node no longer answers.
  void stop(store::Inventory* inv) {
    for (auto& [id, s] : serving_) s.solver->cleanup(s.task);
    serving_.clear();
    if (inv) {
      if (auto ok = inv->answering_beat(ctx_.node_name(), false, ctx_.now()); !ok) {
        log::debug("challenge answerer: " + ok.error().what());
      }
    }
  }

  void forget_served() {
    // The inventory was lost: what it published may be gone by the time it
    // is back, and acks given to it may be lost. Serve again from scratch.
    stop(nullptr);
    refused_.clear();
    last_beat_ = 0;
  }

 private:
  Status beat_if_due(store::Inventory& inv) {
    const UnixTime now = ctx_.now();
    if (now - last_beat_ < kAnsweringBeatSeconds) return {};
    if (auto ok = inv.answering_beat(ctx_.node_name(), true, now); !ok) return ok;
    last_beat_ = now;
    return {};
  }

  Status serve(store::Inventory& inv, const store::PublishedChallenge& c) {
    store::ChallengeAck ack{c.id, ctx_.node_name(), false, "", ctx_.now()};
    challenge::Task task{c.type, c.identifier, c.token, c.key_authorization};
    store::CertificateRecord def;
    def.name = c.certificate_name;
    def.challenge = c.type;
    // A port that another program holds is waited for a beat's time at
    // most, not the holder's minute: meanwhile this answerer neither beats
    // nor serves, and the holder waits for it.
    auto config = parse_json_or_null(c.config);
    if (config.is_object()) {
      std::int64_t wait = kAnsweringBeatSeconds;
      if (auto it = config.find("listen_wait_seconds"); it != config.end() && it->is_number_integer()) {
        wait = std::min<std::int64_t>(it->get<std::int64_t>(), wait);
      }
      config["listen_wait_seconds"] = wait;
    }
    def.challenge_config = config.is_object() ? config.dump() : c.config;
    challenge::Solver* solver = nullptr;
    if (!detail::answered_by_every_node(c.type) || !challenge::valid_token(c.token)) {
      ack.detail = "the publication is not an http-01 or tls-alpn-01 answer with a valid token";
    } else if (auto made = solvers_.for_definition(def); !made) {
      ack.detail = made.error().what();
    } else if (auto shown = (*made)->present(task); !shown) {
      ack.detail = shown.error().what();
    } else {
      solver = *made;
      ack.ok = true;
    }
    ack.acked_at = ctx_.now();
    if (!ack.ok) {
      log::warn("certkeeper: challenge answerer: " + text::printable(c.certificate_name) + ": cannot serve the " +
                text::printable(c.type) + " answer for " + text::printable(c.identifier) + ": " +
                text::printable(ack.detail));
    }
    if (auto said = inv.ack_challenge(ack, c.certificate_name); !said) {
      if (solver) solver->cleanup(task);
      return said;
    }
    if (solver) {
      serving_[c.id] = {task, solver};
      log::debug("challenge answerer: serving " + text::printable(c.type) + " for " + text::printable(c.identifier));
    } else {
      refused_.insert(c.id);
    }
    return {};
  }

  const Context& ctx_;
  detail::SolverSet solvers_;
  std::map<std::int64_t, Serving> serving_;
  std::set<std::int64_t> refused_;  // acked as not served: not tried again
  UnixTime last_beat_ = 0;
};

}  // namespace

void answer_challenges(const Context& ctx, int stop_fd) {
  Answerer answerer(ctx);
  std::optional<store::Inventory> inv;
  std::optional<store::InventoryWatch> ear;
  bool lost = false;
  auto lose = [&](const Error& e) {
    if (!lost) {
      log::warn("certkeeper: challenge answerer: the inventory cannot be reached: " + text::printable(e.what()) +
                "; answering again once it can");
    }
    lost = true;
    inv.reset();
    ear.reset();
    answerer.forget_served();
  };
  for (;;) {
    if (!inv) {
      auto opened = ctx.inventory(store::OpenMode::existing);
      if (opened) {
        inv.emplace(std::move(*opened));
      } else {
        lose(opened.error());
      }
    }
    if (inv && !ear) {
      // Listening before the round: nothing published meanwhile is missed.
      auto watch = store::InventoryWatch::open(ctx.db_path, store::kChallengeChannel);
      if (watch) ear.emplace(std::move(*watch));
    }
    if (inv) {
      if (auto ok = answerer.round(*inv); !ok) {
        lose(ok.error());
      } else if (lost) {
        log::warn("certkeeper: challenge answerer: the inventory is reachable again");
        lost = false;
      }
    }
    pollfd fds[2] = {{stop_fd, POLLIN, 0}, {ear ? ear->fd() : -1, POLLIN, 0}};
    const int n = ::poll(fds, 2, kAnsweringBeatSeconds * 1000);
    if (n > 0 && (fds[0].revents & POLLIN)) break;
    if (n > 0 && ear && fds[1].revents != 0) {
      if (auto heard = ear->take(); !heard) ear.reset();
    }
  }
  answerer.stop(inv ? &*inv : nullptr);
}

}  // namespace certkeeper::lifecycle
