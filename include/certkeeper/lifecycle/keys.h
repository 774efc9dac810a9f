// Key files for private keys encrypted at rest (crypto/key_wrap.h).
#pragma once

#include <string>

#include "certkeeper/lifecycle/context.h"
#include "certkeeper/store/inventory.h"
#include "certkeeper/util/result.h"

namespace certkeeper::lifecycle {

// `keys new --out F`: a fresh random 32-byte key file, created with mode
// 0600; an existing file is never replaced (Errc::conflict naming it).
Status new_key_file(const std::string& path);

using KeyConversion = store::Inventory::KeyConversion;

// `keys rotate --new-key-file F`: every private key of the inventory
// re-encrypted under F in one transaction (store::Inventory::rotate_keys);
// the context's key file (or the setting key_file) must open them.
Result<KeyConversion> rotate_keys(const Context& ctx, const std::string& new_key_file);

}  // namespace certkeeper::lifecycle
