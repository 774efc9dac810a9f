#include "certkeeper/challenge/solver.h"
#include "certkeeper/crypto/jose.h"

namespace certkeeper::challenge {

bool valid_token(std::string_view token) {
  // RFC 8555 §8.3: the token holds at least 128 bits of entropy and only
  // base64url characters, which is what lets it name a file safely.
  if (token.size() < 22) return false;
  for (char c : token) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
              c == '_';
    if (!ok) return false;
  }
  return true;
}

std::string dns01_value(const std::string& key_authorization) {
  return crypto::base64url_encode(crypto::sha256(key_authorization));
}

CleanupGuard::~CleanupGuard() {
  for (auto it = tasks_.rbegin(); it != tasks_.rend(); ++it) solver_.cleanup(*it);
}

}  // namespace certkeeper::challenge
