// Certificate revocation lists (RFC 5280 §5): where a certificate says its
// CRL is, and a CRL read, checked against its issuer and searched, so that
// other modules never need an OpenSSL type.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "certkeeper/util/clock.h"
#include "certkeeper/util/result.h"

namespace certkeeper::crypto {

// The URI names of the certificate's crlDistributionPoints extension
// (fullName only; LDAP and other schemes included as written), in order,
// without duplicates. Empty when it has none. `pem`: the first certificate
// (DER given as is). Errc::invalid_input when it holds no certificate.
Result<std::vector<std::string>> crl_distribution_points(const std::string& pem);

// One entry of a CRL.
struct RevokedEntry {
  UnixTime revoked_at = 0;
  // The CRL entry's reasonCode as RFC 5280 names it ("keyCompromise",
  // "superseded", ...), "unspecified" when the entry has none.
  std::string reason;
};

class Crl {
 public:
  struct Impl;  // the X509_CRL in its RAII holder; defined in src/crypto.

  // A CRL in DER or PEM ("BEGIN X509 CRL"). Errc::invalid_input when the
  // bytes are no CRL. Nothing is verified yet.
  static Result<Crl> parse(std::string_view bytes);

  const std::string& der() const;      // always DER, whatever was parsed
  std::string issuer() const;          // one-line DN, RFC 2253 order
  UnixTime this_update() const;
  std::optional<UnixTime> next_update() const;
  std::size_t entries() const;

  // Whether the CRL was issued by the issuer of `leaf_pem`: the issuer
  // certificate is looked for in `chain_pem` (PEM blocks: the stored chain
  // and root) by the leaf's issuer name; the CRL's issuer name must be that
  // name and its signature must verify with that certificate's key.
  // Errc::not_found when the chain lacks the issuer (nothing to check
  // with); Errc::invalid_input saying which check fails (no OpenSSL stack).
  Status verify_for(const std::string& leaf_pem, const std::string& chain_pem) const;

  // The entry for the certificate with this serial (upper-case hex, as
  // CertificateFacts::serial_hex spells it), if it is on the list.
  std::optional<RevokedEntry> find(const std::string& serial_hex) const;

 private:
  explicit Crl(std::shared_ptr<const Impl> impl);
  std::shared_ptr<const Impl> impl_;
};

// RFC 5280 §5.3.1 name of a CRLReason code ("keyCompromise" for 1), or
// "unspecified" for unknown codes.
std::string crl_reason_name(int code);

}  // namespace certkeeper::crypto
