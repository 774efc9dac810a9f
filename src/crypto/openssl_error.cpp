#include "openssl_error.h"

#include <openssl/err.h>

namespace certkeeper::crypto {

std::string drain_openssl_errors() {
  constexpr int kMaxReasons = 4;
  std::string out;
  int kept = 0;
  unsigned long code = 0;
  while ((code = ERR_get_error()) != 0) {
    if (kept == kMaxReasons) continue;  // keep draining, report only the first few
    const char* reason = ERR_reason_error_string(code);
    if (!out.empty()) out += "; ";
    out += reason ? reason : "unknown OpenSSL error";
    ++kept;
  }
  return out;
}

void clear_openssl_errors() { ERR_clear_error(); }

}  // namespace certkeeper::crypto
