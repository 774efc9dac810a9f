#include "certkeeper/lifecycle/db_copy.h"

namespace certkeeper::lifecycle {

Result<CopyReport> copy_inventory(const Context& ctx, const DbCopyRequest& request) {
  if (request.from.empty() || request.to.empty()) {
    return make_error(Errc::usage,
                      "db copy needs both --from and --to (a path, sqlite:PATH or postgresql://...); the source is "
                      "never taken from --db or CERTKEEPER_DB");
  }
  store::CopyOptions options;
  options.key_file = ctx.key_file;
  options.actor = ctx.actor;
  options.now = ctx.now();
  return store::copy_inventory(request.from, request.to, options);
}

}  // namespace certkeeper::lifecycle
