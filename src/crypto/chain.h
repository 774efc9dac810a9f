// Path building from the leaf to a trust anchor with OpenSSL's X509_STORE:
// anchors are the system store (a hashed directory), --ca-file and the
// self-signed CA certificates the user supplied; every other supplied
// certificate is an untrusted candidate. Dates, key sizes and digests are
// not judged here (X509_V_FLAG_NO_CHECK_TIME, auth level 0): the gate turns
// them into findings of its own.
#pragma once

#include <string>
#include <vector>

#include "certkeeper/crypto/openssl_ptr.h"

namespace certkeeper::crypto {

struct PathInput {
  X509* leaf = nullptr;
  std::vector<X509*> untrusted;        // supplied certificates other than the leaf
  std::vector<X509*> input_anchors;    // self-signed CA certificates from the user's files
  std::vector<X509*> ca_file_anchors;  // Policy::ca_file
  std::string system_dir;              // hashed directory; "" = no system store
};

struct PathResult {
  std::vector<X509Ptr> path;  // leaf first; ends at the trust anchor when complete
  bool complete = false;
  // When not complete: what breaks the path, for a message ("the issuer
  // 'X' (CN=X,O=Y) is missing").
  std::string failure;
  bool issuer_missing = false;  // the failure is a missing issuer certificate
  bool anchor_in_input = false;
  bool anchor_in_ca_file = false;
  bool anchor_in_system = false;
};

PathResult build_path(const PathInput& input);

// The system store directory for a policy: `configured` when set, else
// $SSL_CERT_DIR, else OpenSSL's compiled-in default (Debian: /usr/lib/ssl/certs
// -> /etc/ssl/certs).
std::string system_store_dir(const std::string& configured);

}  // namespace certkeeper::crypto
