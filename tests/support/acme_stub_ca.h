// The acme stub's certificate authority and encodings: base64url, CSR
// parsing and certificate issuance with the TestPki intermediate. Internal
// to the stub (acme_stub.cpp); tests use AcmeStub.
#pragma once

#include <openssl/types.h>

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "support/test_pki.h"

namespace certkeeper::testing::stub {

std::string b64url_encode(const std::string& bytes);
// nullopt when `text` has a character outside the base64url alphabet or
// padding ('=' is rejected: RFC 8555 §6.1 forbids it).
std::optional<std::string> b64url_decode(const std::string& text);

struct Csr {
  std::vector<std::string> dns;  // SAN dNSName entries (or the CN when there is no SAN)
  std::vector<std::string> ips;  // SAN iPAddress entries, textual
  std::shared_ptr<EVP_PKEY> key;
};

// Parses a DER CSR and checks its self-signature; nullopt and `error` set
// when it is not a valid CSR.
std::optional<Csr> parse_csr(const std::string& der, std::string& error);

// A leaf for `key` with the CSR's names, signed by pki.intermediate(), valid
// from `now` for `validity` seconds. PEM.
std::string issue_leaf(const TestPki& pki, const Csr& csr, EVP_PKEY* key, UnixTime now,
                       std::int64_t validity);

}  // namespace certkeeper::testing::stub
