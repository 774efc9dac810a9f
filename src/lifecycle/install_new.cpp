#include "install_new.h"

namespace certkeeper::lifecycle {

void install_new_version(const Context& ctx, store::Inventory& inv, const std::string& name, int version,
                         std::optional<InstallOutcome>& outcome, std::optional<Error>& error) {
  auto targets = inv.targets(name);
  if (!targets) {
    error = targets.error();
    return;
  }
  if (targets->empty()) return;
  InstallRequest request;
  request.name = name;
  request.version = version;
  auto done = install(ctx, request);
  if (done) {
    outcome = std::move(*done);
  } else {
    error = done.error();
  }
}

}  // namespace certkeeper::lifecycle
