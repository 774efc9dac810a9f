#include "install_new.h"

namespace certkeeper::lifecycle {

Result<std::optional<InstallOutcome>> install_new_version(const Context& ctx, store::Inventory& inv,
                                                          const std::string& name, int version, bool beat) {
  auto targets = inv.node_targets(name, ctx.node_name());
  if (!targets) return std::move(targets).error();
  if (targets->empty()) return std::optional<InstallOutcome>{};
  InstallRequest request;
  request.name = name;
  request.version = version;
  // Storing it ended any pin (store: "pin-ended"); an operator who pinned
  // again since keeps that pin.
  request.set_desired = false;
  request.beat = beat;
  auto done = install(ctx, request);
  if (!done) return std::move(done).error();
  return std::optional<InstallOutcome>(std::move(*done));
}

}  // namespace certkeeper::lifecycle
