// Bundle::Impl: the OpenSSL objects of a bundle, in RAII holders, with their
// facts read once. Immutable after construction (Bundles share it).
#pragma once

#include <optional>
#include <vector>

#include "certkeeper/crypto/bundle.h"
#include "certkeeper/crypto/openssl_ptr.h"

namespace certkeeper::crypto {

struct Bundle::Impl {
  X509Ptr leaf;
  std::vector<X509Ptr> chain;  // intermediates in path order
  X509Ptr root;                // may be null
  EvpPkeyPtr key;              // may be null
  bool root_from_input = false;

  CertificateFacts leaf_facts;
  std::vector<CertificateFacts> chain_facts;
  std::optional<CertificateFacts> root_facts;
};

}  // namespace certkeeper::crypto
