// The error for a token that fails valid_token(). Internal to the module.
#pragma once

#include "certkeeper/challenge/solver.h"

namespace certkeeper::challenge::detail {

// Errc::ca_failed: the server broke RFC 8555 §8.3; the token itself is not
// repeated (it may be anything), only its length.
inline Error unsafe_token_error(const Task& task) {
  return make_error(Errc::ca_failed,
                    "the ACME server sent an unsafe " + task.type + " token (" + std::to_string(task.token.size()) +
                        " characters; base64url of at least 22 required); refusing it; report this to the CA",
                    task.identifier);
}

}  // namespace certkeeper::challenge::detail
