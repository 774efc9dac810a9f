#include "certkeeper/lifecycle/keys.h"

#include "certkeeper/crypto/key_wrap.h"

namespace certkeeper::lifecycle {

Status new_key_file(const std::string& path) {
  if (path.empty()) return make_error(Errc::usage, "--out needs a file name");
  return crypto::write_new_key_file(path);
}

Result<KeyConversion> rotate_keys(const Context& ctx, const std::string& new_key_file) {
  if (new_key_file.empty()) return make_error(Errc::usage, "--new-key-file needs a file name");
  auto inv = ctx.inventory(store::OpenMode::existing);
  if (!inv) return std::move(inv).error();
  return inv->rotate_keys(new_key_file, ctx.actor, ctx.now());
}

}  // namespace certkeeper::lifecycle
