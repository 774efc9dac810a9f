// The OpenSSL error queue, drained into one short internal string. It is for
// logs and Error details only: a user-facing message says what is wrong with
// the input in our own words (DESIGN.md "Errors").
#pragma once

#include <string>

namespace certkeeper::crypto {

// Empties this thread's OpenSSL error queue; returns its reasons joined with
// "; " (at most a few), or "" when it was empty.
std::string drain_openssl_errors();

// Empties the queue and forgets it: after an expected failure (e.g. trying a
// DER type that the bytes turn out not to be).
void clear_openssl_errors();

}  // namespace certkeeper::crypto
