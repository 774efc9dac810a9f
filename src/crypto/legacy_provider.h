// OpenSSL 3's "legacy" provider (RC2, DES, 3DES), loaded with "default" into a
// library context of its own, made once and kept for the life of the process
// (objects made in it refer to it). Old PKCS#12 files need it both to be read
// (pkcs12_reader.cpp) and to be written for old appliances (pkcs12_writer.cpp).
// Private to src/crypto.
#pragma once

#include <openssl/crypto.h>

namespace certkeeper::crypto {

// The context, or null when the legacy provider is not installed.
OSSL_LIB_CTX* legacy_context();

// Makes `ctx` this thread's default library context for its lifetime.
class ScopedDefaultContext {
 public:
  explicit ScopedDefaultContext(OSSL_LIB_CTX* ctx) : previous_(OSSL_LIB_CTX_set0_default(ctx)) {}
  ~ScopedDefaultContext() { OSSL_LIB_CTX_set0_default(previous_); }
  ScopedDefaultContext(const ScopedDefaultContext&) = delete;
  ScopedDefaultContext& operator=(const ScopedDefaultContext&) = delete;

 private:
  OSSL_LIB_CTX* previous_;
};

}  // namespace certkeeper::crypto
