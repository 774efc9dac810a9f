// A Bundle: leaf + chain + private key, parsed, checked to belong together and
// owned. Manual imports and (later) ACME orders both produce one; only the
// validation gate (validation.h) creates them.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "certkeeper/crypto/facts.h"

namespace certkeeper::crypto {

class Bundle {
 public:
  struct Impl;  // OpenSSL objects in RAII holders; defined in src/crypto.
  explicit Bundle(std::shared_ptr<const Impl> impl);

  const CertificateFacts& leaf() const;
  // Intermediates in path order: the leaf's issuer first. Never the leaf,
  // never a self-signed root.
  const std::vector<CertificateFacts>& chain() const;
  // The trust anchor the chain was verified up to, when one was found.
  const std::optional<CertificateFacts>& root() const;
  // True when the root was supplied in the user's chain/CA file (as the
  // mail-server admin page asks for), false when it came from a trust store.
  bool root_from_input() const;

  std::string leaf_pem() const;
  std::string chain_pem() const;  // the intermediates, concatenated, path order
  std::string root_pem() const;   // "" when there is no root
  bool has_key() const;
  // The private key as unencrypted PKCS#8 PEM. Secret: never log or print it.
  std::string key_pem() const;

 private:
  std::shared_ptr<const Impl> impl_;
};

}  // namespace certkeeper::crypto
