// Private keys encrypted at rest: AES-256-GCM (OpenSSL EVP) under a 32-byte
// key-encryption key read from a key file. The associated data binds each
// ciphertext to the place it is stored (the store passes its row and
// column), so a ciphertext moved elsewhere does not open. No message ever
// holds a byte of a key or of a plaintext.
#pragma once

#include <array>
#include <cstddef>
#include <string>
#include <string_view>

#include "certkeeper/util/result.h"

namespace certkeeper::crypto {

inline constexpr std::size_t kWrapKeyBytes = 32;
// Stored format 1: this prefix, then the standard base64 of
// nonce (12 bytes, random per write) || ciphertext || tag (16 bytes).
inline constexpr std::string_view kSealedPrefix = "ck-aesgcm-v1:";

// A key-encryption key; its bytes are wiped when it goes.
class WrapKey {
 public:
  WrapKey() = default;
  explicit WrapKey(const std::array<unsigned char, kWrapKeyBytes>& bytes) : bytes_(bytes) {}
  WrapKey(const WrapKey&) = default;
  WrapKey& operator=(const WrapKey&) = default;
  ~WrapKey();
  const unsigned char* data() const { return bytes_.data(); }

 private:
  std::array<unsigned char, kWrapKeyBytes> bytes_{};
};

// Whether `stored` is in a sealed format (of any version this build knows).
bool is_sealed(std::string_view stored);

// Encrypts `plaintext` under `key` with a fresh random nonce, bound to
// `associated_data`. Errc::crypto only if OpenSSL fails.
Result<std::string> seal(const WrapKey& key, std::string_view plaintext, std::string_view associated_data);

// Decrypts what seal made with the same key and associated data. A wrong
// key, other associated data, a changed or truncated value: Errc::crypto
// ("does not open ..."), whatever the cause, with no byte of either.
Result<std::string> open_sealed(const WrapKey& key, std::string_view sealed, std::string_view associated_data);

// A new key from the system's random source.
Result<WrapKey> random_wrap_key();

// The key file `path`: a regular file of exactly 32 bytes that neither its
// group nor others may read (else Errc::io naming it and the chmod that
// fixes it). Missing: Errc::not_found naming it.
Result<WrapKey> read_key_file(const std::string& path);

// Writes a fresh random key to `path`, created with mode 0600; an existing
// file (or symlink) there is never replaced (Errc::conflict naming it).
Status write_new_key_file(const std::string& path);

}  // namespace certkeeper::crypto
