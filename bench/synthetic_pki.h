// Real X.509 certificates made fast for the benchmark inventory: one root,
// one intermediate, leaves signed with ECDSA P-256 from a small pool of keys.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include <openssl/evp.h>
#include <openssl/x509.h>

namespace certkeeper::bench {

using PkeyPtr = std::unique_ptr<EVP_PKEY, decltype(&EVP_PKEY_free)>;
using X509Ptr = std::unique_ptr<X509, decltype(&X509_free)>;

struct Issued {
  std::string cert_pem;
  std::string key_pem;
};

class SyntheticPki {
 public:
  SyntheticPki();
  const std::string& root_pem() const { return root_pem_; }
  const std::string& intermediate_pem() const { return intermediate_pem_; }
  // A leaf for `host`, valid from not_before to not_after, signed by the
  // intermediate; serial is unique per call.
  Issued leaf(const std::string& host, long not_before, long not_after);

 private:
  PkeyPtr root_key_, intermediate_key_;
  X509Ptr root_, intermediate_;
  std::string root_pem_, intermediate_pem_;
  std::vector<PkeyPtr> leaf_keys_;
  std::vector<std::string> leaf_key_pems_;
  long serial_ = 1000;
};

}  // namespace certkeeper::bench
