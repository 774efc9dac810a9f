#include "certkeeper/lifecycle/keys.h"

#include "certkeeper/crypto/key_wrap.h"

namespace certkeeper::lifecycle {

Status new_key_file(const std::string& path) {
  if (path.empty()) return make_error(Errc::usage, "--out needs a file name");
  return crypto::write_new_key_file(path);
}

}  // namespace certkeeper::lifecycle
