// How the probe judges the chain a server served: against the system trust
// store plus the anchors the caller names, for a TLS server, now. Internal
// to the deploy module.
#pragma once

#include <string>

#include "certkeeper/crypto/openssl_ptr.h"
#include "certkeeper/deploy/probe.h"
#include "certkeeper/util/result.h"

namespace certkeeper::deploy::probe_detail {

// The system default paths, every certificate in options.trust_pem and
// options.ca_file; X509_V_FLAG_TRUSTED_FIRST always, X509_V_FLAG_PARTIAL_CHAIN
// when options.partial_chain. Errc::invalid_input when trust_pem is not
// empty but holds no readable certificate (or an unreadable one), Errc::io
// when ca_file cannot be loaded, Errc::crypto when OpenSSL fails.
Result<crypto::X509StorePtr> probe_trust_store(const ProbeOptions& options);

struct ChainVerdict {
  bool verifies = false;
  std::string error;  // X509_verify_cert_error_string of the failure, "" when it verifies
};

// Verifies `leaf` with only the `intermediates` the server sent as
// untrusted helpers. Errc::crypto when OpenSSL cannot even start.
Result<ChainVerdict> verify_served_chain(X509_STORE* store, X509* leaf, STACK_OF(X509) * intermediates);

}  // namespace certkeeper::deploy::probe_detail
