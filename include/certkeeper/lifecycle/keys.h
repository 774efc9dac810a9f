// Key files for private keys encrypted at rest (crypto/key_wrap.h).
#pragma once

#include <string>

#include "certkeeper/util/result.h"

namespace certkeeper::lifecycle {

// `keys new --out F`: a fresh random 32-byte key file, created with mode
// 0600; an existing file is never replaced (Errc::conflict naming it).
Status new_key_file(const std::string& path);

}  // namespace certkeeper::lifecycle
