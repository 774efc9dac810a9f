// The post-install probe: connect to an endpoint (optionally through a
// STARTTLS dialogue), read the certificate chain it serves, and judge it:
// is the leaf the installed one, does the served chain verify, does the
// leaf cover the name asked for.
#pragma once

#include <chrono>
#include <string>
#include <vector>

#include "certkeeper/crypto/facts.h"
#include "certkeeper/deploy/target.h"
#include "certkeeper/util/result.h"

namespace certkeeper::deploy {

struct ProbeOptions {
  std::chrono::milliseconds timeout{10'000};  // connect + STARTTLS + handshake, per attempt
  // Extra trust anchors (PEM, one or more certificates) besides the system
  // store, e.g. the root stored with the installed version. When
  // `partial_chain` is set, any of them ends a valid path even if it is not
  // self-signed (the top of a chain whose root the CA did not send).
  std::string trust_pem;
  bool partial_chain = false;
  std::string ca_file;  // an extra CA file to trust ("" = none)
  // The name the leaf must cover and the SNI to send: probe.servername when
  // set, else this. An IP literal is checked as an IP and sends no SNI.
  std::string default_name;
};

struct ProbeReport {
  std::string endpoint;                      // "HOST:PORT" as probed
  std::string servername;                    // the name sent as SNI / checked ("" when none)
  std::vector<crypto::CertificateFacts> served;  // the chain as served, leaf first
  std::vector<std::string> served_pem;           // the same certificates as PEM
  std::string leaf_fingerprint_sha256;       // served[0].fingerprint_sha256
  bool chain_verifies = false;
  std::string verify_error;                  // why not (OpenSSL's reason in words), "" when it verifies
  bool name_covered = false;
  std::string tls_version;                   // "TLSv1.3", ...
};

// One attempt. Errc::network when the endpoint cannot be reached, the
// STARTTLS dialogue fails or the handshake fails (the message says which,
// naming the endpoint); Errc::timeout when the attempt ran out of time. A
// certificate that does not verify or does not cover the name is not an
// error: it is reported in the ProbeReport.
Result<ProbeReport> probe_endpoint(const ProbeSpec& probe, const ProbeOptions& options);

}  // namespace certkeeper::deploy
