// Plain facts read out of an X.509 certificate, so that other modules (store,
// report, lifecycle) never need an OpenSSL type.
#pragma once

#include <string>
#include <vector>

#include "certkeeper/util/clock.h"
#include "certkeeper/util/result.h"

namespace certkeeper::crypto {

struct CertificateFacts {
  std::string subject;             // one-line DN, RFC 2253 order ("CN=a.example,O=Org")
  std::string subject_cn;          // the last CN of the subject, or ""
  std::string issuer;              // one-line DN, RFC 2253 order
  std::string issuer_cn;           // the last CN of the issuer, or ""
  std::string serial_hex;          // upper-case hex, no separators, no leading zeros
  std::string fingerprint_sha256;  // lower-case hex of SHA-256 over the DER, 64 chars
  UnixTime not_before = 0;
  UnixTime not_after = 0;
  std::vector<std::string> dns_names;     // subjectAltName dNSName entries, as written
  std::vector<std::string> ip_addresses;  // subjectAltName iPAddress entries, textual (IPv6 compressed)
  std::string key_type;                   // "rsa-2048", "ec-p256", "ec-p384", "ec-p521", "ed25519", ...
  std::string signature_algorithm;        // OpenSSL long name, e.g. "sha256WithRSAEncryption"
  bool is_ca = false;                     // basicConstraints CA:TRUE
  bool self_signed = false;               // issuer == subject and the signature verifies with its own key

  // dns_names followed by ip_addresses: every name the certificate covers.
  std::vector<std::string> names() const;
};

// The facts of the first certificate in `pem`. Errc::invalid_input when it
// holds no readable certificate.
Result<CertificateFacts> read_facts(const std::string& pem);

}  // namespace certkeeper::crypto
