#include "legacy_provider.h"

#include <openssl/provider.h>

#include <mutex>

#include "openssl_error.h"

namespace certkeeper::crypto {

OSSL_LIB_CTX* legacy_context() {
  static OSSL_LIB_CTX* ctx = nullptr;
  static std::once_flag once;
  std::call_once(once, [] {
    OSSL_LIB_CTX* c = OSSL_LIB_CTX_new();
    if (c && OSSL_PROVIDER_load(c, "default") && OSSL_PROVIDER_load(c, "legacy")) {
      ctx = c;
    } else {
      OSSL_LIB_CTX_free(c);
    }
    clear_openssl_errors();
  });
  return ctx;
}

}  // namespace certkeeper::crypto
