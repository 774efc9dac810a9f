#include "converge.h"

#include <unistd.h>

#include <algorithm>

#include "certkeeper/util/log.h"

namespace certkeeper::lifecycle::detail {

void beat(const Context& ctx, store::Inventory& inv, const std::string& doing) {
  store::NodeBeat b{ctx.node_name(), ctx.version, doing, static_cast<std::int64_t>(::getpid())};
  if (auto ok = inv.heartbeat(b, ctx.now(), ctx.actor); !ok) {
    log::warn("certkeeper: node " + b.name + ": the heartbeat was not recorded: " + ok.error().what());
  }
}

std::vector<ConvergeItem> converge(const Context& ctx, store::Inventory& inv, const std::vector<std::string>& names,
                                   bool dry_run) {
  std::vector<ConvergeItem> out;
  // Nothing happened since this node last found its targets converged:
  // no query of its targets (an idle pass stays cheap however many it has).
  auto mark = inv.convergence_mark(ctx.node_name());
  if (!mark) {
    out.push_back({"", 0, std::nullopt, std::move(mark).error()});
    return out;
  }
  if (mark->unchanged && names.empty()) return out;
  auto lacking = inv.unconverged(ctx.node_name(), ctx.now());
  if (!lacking) {
    out.push_back({"", 0, std::nullopt, std::move(lacking).error()});
    return out;
  }
  for (const auto& u : *lacking) {
    if (!names.empty() && std::find(names.begin(), names.end(), u.name) == names.end()) continue;
    ConvergeItem item{u.name, u.version, std::nullopt, std::nullopt};
    if (!dry_run) {
      // The transaction decides again under the certificate's install lock
      // (another process may have installed it meanwhile: then it finds
      // the targets current and installs the same files again, harmlessly).
      InstallRequest request;
      request.name = u.name;
      request.version = u.version;
      request.set_desired = false;  // converging follows the desired version, never sets it
      request.beat = false;         // the pass beats for itself
      auto done = install(ctx, request);
      if (done) {
        item.install = std::move(*done);
      } else {
        item.error = std::move(done).error();
      }
    }
    out.push_back(std::move(item));
  }
  // Converged as of the mark read before the query (what this pass
  // installed wrote newer events: the next pass looks once more). A pass
  // for some names only, or one with an install that could not run, marks
  // nothing.
  const bool complete = std::none_of(out.begin(), out.end(), [](const ConvergeItem& i) { return i.error.has_value(); });
  if (!dry_run && names.empty() && complete) {
    if (auto ok = inv.mark_converged(ctx.node_name(), mark->newest_event); !ok) {
      log::warn("certkeeper: node " + ctx.node_name() + ": " + ok.error().what());
    }
  }
  return out;
}

}  // namespace certkeeper::lifecycle::detail
