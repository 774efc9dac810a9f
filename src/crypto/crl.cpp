// CRLs (RFC 5280 §5): distribution points out of a certificate, and a CRL
// read, verified against the certificate's issuer and searched by serial.
#include "certkeeper/crypto/crl.h"

#include <openssl/pem.h>

#include <algorithm>
#include <array>

#include "facts_internal.h"
#include "openssl_error.h"
#include "openssl_io.h"
#include "pem_reader.h"

namespace certkeeper::crypto {

struct Crl::Impl {
  X509CrlPtr crl;
  std::string der;
};

namespace {

Result<X509Ptr> first_certificate(const std::string& pem) {
  ParsedInput parsed = parse_certs_and_keys(pem, nullptr);
  if (!parsed.error.empty() || parsed.certs.empty()) {
    return make_error(Errc::invalid_input, "holds no readable certificate; give a PEM or DER certificate");
  }
  return std::move(parsed.certs.front());
}

std::string asn1_text(const ASN1_STRING* s) {
  return std::string(reinterpret_cast<const char*>(ASN1_STRING_get0_data(s)),
                     static_cast<std::size_t>(ASN1_STRING_length(s)));
}

X509CrlPtr read_crl(std::string_view bytes) {
  // PEM when it says so (text may surround the block), else DER.
  if (bytes.find("-----BEGIN X509 CRL-----") != std::string_view::npos) {
    BioPtr bio = memory_bio(bytes);
    return X509CrlPtr(bio ? PEM_read_bio_X509_CRL(bio.get(), nullptr, nullptr, nullptr) : nullptr);
  }
  BioPtr bio = memory_bio(bytes);
  return X509CrlPtr(bio ? d2i_X509_CRL_bio(bio.get(), nullptr) : nullptr);
}

}  // namespace

std::string crl_reason_name(int code) {
  // RFC 5280 §5.3.1; 7 is not used.
  static constexpr std::array<const char*, 11> kNames = {
      "unspecified",          "keyCompromise", "cACompromise",       "affiliationChanged",
      "superseded",           "cessationOfOperation", "certificateHold", "unspecified",
      "removeFromCRL",        "privilegeWithdrawn",   "aACompromise"};
  if (code < 0 || code >= static_cast<int>(kNames.size())) return "unspecified";
  return kNames[static_cast<std::size_t>(code)];
}

Result<std::vector<std::string>> crl_distribution_points(const std::string& pem) {
  auto cert = first_certificate(pem);
  if (!cert) return cert.error();
  std::vector<std::string> urls;
  int critical = 0;
  DistPointsPtr points(static_cast<CRL_DIST_POINTS*>(
      X509_get_ext_d2i(cert->get(), NID_crl_distribution_points, &critical, nullptr)));
  clear_openssl_errors();
  if (!points) return urls;
  for (int i = 0; i < sk_DIST_POINT_num(points.get()); ++i) {
    const DIST_POINT* point = sk_DIST_POINT_value(points.get(), i);
    if (!point->distpoint || point->distpoint->type != 0) continue;  // 0: fullName
    const GENERAL_NAMES* names = point->distpoint->name.fullname;
    for (int j = 0; j < sk_GENERAL_NAME_num(names); ++j) {
      const GENERAL_NAME* gn = sk_GENERAL_NAME_value(names, j);
      if (gn->type != GEN_URI) continue;
      std::string url = asn1_text(gn->d.uniformResourceIdentifier);
      if (!url.empty() && std::find(urls.begin(), urls.end(), url) == urls.end()) urls.push_back(std::move(url));
    }
  }
  return urls;
}

Crl::Crl(std::shared_ptr<const Impl> impl) : impl_(std::move(impl)) {}

Result<Crl> Crl::parse(std::string_view bytes) {
  X509CrlPtr crl = read_crl(bytes);
  if (!crl) {
    clear_openssl_errors();
    return make_error(Errc::invalid_input, "is not a certificate revocation list (DER or PEM X509 CRL)");
  }
  unsigned char* der = nullptr;
  const int len = i2d_X509_CRL(crl.get(), &der);
  if (len <= 0 || der == nullptr) {
    clear_openssl_errors();
    return make_error(Errc::invalid_input, "holds a revocation list that cannot be encoded again");
  }
  auto impl = std::make_shared<Impl>();
  impl->der.assign(reinterpret_cast<const char*>(der), static_cast<std::size_t>(len));
  OPENSSL_free(der);
  impl->crl = std::move(crl);
  return Crl(std::move(impl));
}

const std::string& Crl::der() const { return impl_->der; }

std::string Crl::issuer() const { return name_oneline(X509_CRL_get_issuer(impl_->crl.get())); }

UnixTime Crl::this_update() const { return asn1_time_to_unix(X509_CRL_get0_lastUpdate(impl_->crl.get())); }

std::optional<UnixTime> Crl::next_update() const {
  const ASN1_TIME* t = X509_CRL_get0_nextUpdate(impl_->crl.get());
  if (t == nullptr) return std::nullopt;
  return asn1_time_to_unix(t);
}

std::size_t Crl::entries() const {
  const STACK_OF(X509_REVOKED)* revoked = X509_CRL_get_REVOKED(impl_->crl.get());
  return revoked ? static_cast<std::size_t>(sk_X509_REVOKED_num(revoked)) : 0;
}

Status Crl::verify_for(const std::string& leaf_pem, const std::string& chain_pem) const {
  auto leaf = first_certificate(leaf_pem);
  if (!leaf) return leaf.error();
  const X509_NAME* leaf_issuer = X509_get_issuer_name(leaf->get());
  ParsedInput chain = parse_certs_and_keys(chain_pem, nullptr);
  X509* issuer = nullptr;
  for (const auto& c : chain.certs) {
    if (X509_NAME_cmp(X509_get_subject_name(c.get()), leaf_issuer) == 0) {
      issuer = c.get();
      break;
    }
  }
  if (issuer == nullptr) {
    return make_error(Errc::not_found, "the stored chain does not hold the certificate's issuer " +
                                               name_for_message(leaf_issuer) + ", so its CRL cannot be checked");
  }
  const X509_NAME* crl_issuer = X509_CRL_get_issuer(impl_->crl.get());
  if (X509_NAME_cmp(crl_issuer, leaf_issuer) != 0) {
    return make_error(Errc::invalid_input, "the CRL was issued by " + name_for_message(crl_issuer) +
                                               ", not by the certificate's issuer " + name_for_message(leaf_issuer));
  }
  EVP_PKEY* key = X509_get0_pubkey(issuer);
  const int ok = key ? X509_CRL_verify(impl_->crl.get(), key) : -1;
  clear_openssl_errors();
  if (ok != 1) {
    return make_error(Errc::invalid_input, "the CRL's signature does not verify with the key of its issuer " +
                                               name_for_message(leaf_issuer));
  }
  return {};
}

std::optional<RevokedEntry> Crl::find(const std::string& serial_hex) const {
  BIGNUM* raw = nullptr;
  if (serial_hex.empty() || BN_hex2bn(&raw, serial_hex.c_str()) == 0) {
    clear_openssl_errors();
    return std::nullopt;
  }
  BignumPtr bn(raw);
  Asn1IntegerPtr serial(BN_to_ASN1_INTEGER(bn.get(), nullptr));
  X509_REVOKED* entry = nullptr;
  // The lookup sorts a copy of the list once (X509_CRL_get0_by_serial).
  const int found = serial ? X509_CRL_get0_by_serial(impl_->crl.get(), &entry, serial.get()) : 0;
  clear_openssl_errors();
  // 2: a removeFromCRL entry (delta CRLs), which is no revocation.
  if (found != 1 || entry == nullptr) return std::nullopt;
  RevokedEntry out;
  out.revoked_at = asn1_time_to_unix(X509_REVOKED_get0_revocationDate(entry));
  int critical = 0;
  Asn1EnumeratedPtr reason(
      static_cast<ASN1_ENUMERATED*>(X509_REVOKED_get_ext_d2i(entry, NID_crl_reason, &critical, nullptr)));
  out.reason = reason ? crl_reason_name(static_cast<int>(ASN1_ENUMERATED_get(reason.get()))) : "unspecified";
  clear_openssl_errors();
  return out;
}

}  // namespace certkeeper::crypto
