#include "certkeeper/crypto/finding_codes.h"

#include <cstddef>
#include <iterator>

namespace certkeeper::crypto {
namespace {

constexpr unsigned kError = 1u << static_cast<unsigned>(Severity::error);
constexpr unsigned kWarning = 1u << static_cast<unsigned>(Severity::warning);
constexpr unsigned kInfo = 1u << static_cast<unsigned>(Severity::info);

// In FindingCode order (checked by finding_code_info).
constexpr FindingCodeInfo kCodes[] = {
    {FindingCode::unreadable, "unreadable", kError,
     "a file is missing, empty, not a regular file (FIFO, device, directory), over 1 MiB, garbage, truncated, or "
     "holds no certificate; or the certificate's public key cannot be decoded",
     "give the right file; convert PKCS#7 (.p7b) with 'openssl pkcs7 -print_certs -in F -out F.pem'"},
    {FindingCode::key_encrypted, "key-encrypted", kError,
     "the private key is encrypted and no passphrase was given (or it was wrong)",
     "decrypt it with 'openssl pkey -in KEY -out key-plain.pem', or pass --key-passphrase-file"},
    {FindingCode::key_mismatch, "key-mismatch", kError,
     "no key matches the certificate (with a hint when the certificate and key files look swapped, or the key "
     "belongs to a chain certificate)",
     "give the key that was generated with this certificate's request"},
    {FindingCode::key_missing, "key-missing", kError,
     "import found no private key in any file (for a PKCS#12 file without its key, the message gives the "
     "'openssl pkcs12 -export' line that puts it in: --key does not go with --p12)",
     "add --key KEY (or a PKCS#12 file that holds the key)"},
    {FindingCode::key_unchecked, "key-unchecked", kInfo, "check was given no key (or a PKCS#12 file without one)",
     "add --key KEY to check it too"},
    {FindingCode::p12_bad_password, "p12-bad-password", kError, "the PKCS#12 password is wrong",
     "put the export password in a file and pass --password-file"},
    {FindingCode::chain_incomplete, "chain-incomplete", kError,
     "no path from the certificate to a trust anchor (chain file + system store + --ca-file)",
     "give the CA file: the issuing CA, with the root appended; or --ca-file for a private root"},
    {FindingCode::chain_reordered, "chain-reordered", kWarning, "the CA file is out of order; stored in path order",
     "nothing: the chain is stored in order; fix the file for other programs"},
    {FindingCode::chain_extra, "chain-extra", kWarning,
     "the CA file holds certificates not on the path (or duplicates); dropped",
     "nothing: they are dropped; remove them from the file for other programs"},
    {FindingCode::root_missing, "root-missing", kWarning | kInfo,
     "the CA file lacks the root (warning when the issuer is subordinate, info when the root issued the "
     "certificate directly)",
     "append the root to the CA file when clients need it"},
    {FindingCode::root_private, "root-private", kInfo,
     "the root came only from the given files, not from a trust store",
     "nothing, if clients trust that root themselves"},
    {FindingCode::self_signed, "self-signed", kError, "the certificate is self-signed",
     "get a certificate from a CA (an ACME CA with 'certkeeper add', or your private CA)"},
    {FindingCode::expired, "expired", kError, "the certificate or a chain certificate has expired",
     "get a new certificate, or the CA's current intermediate"},
    {FindingCode::not_yet_valid, "not-yet-valid", kError | kWarning,
     "not valid for more than 5 minutes yet (error) or within 5 minutes (warning)",
     "check this host's clock, or wait until the certificate's notBefore"},
    {FindingCode::chain_expires_first, "chain-expires-first", kWarning,
     "a chain certificate expires before the certificate", "ask the CA for its current intermediate"},
    {FindingCode::expires_soon, "expires-soon", kWarning,
     "less than a third of the lifetime, at most 30 days, is left", "renew or replace the certificate soon"},
    {FindingCode::leaf_usage, "leaf-usage", kError,
     "the certificate is a CA, its EKU lacks serverAuth, or its keyUsage is wrong",
     "request a TLS server certificate (serverAuth)"},
    {FindingCode::weak_key, "weak-key", kError, "RSA under 2048 bits (or an EC curve under 256 bits)",
     "request a new certificate with a stronger key"},
    {FindingCode::weak_signature, "weak-signature", kError, "signed with SHA-1 or MD5",
     "request a new certificate signed with SHA-256 or better"},
    {FindingCode::name_mismatch, "name-mismatch", kError,
     "a required name is not covered (a certificate with only a CN gets an explanation)",
     "request a certificate whose subjectAltName covers the name, or fix --external-url / --host"},
    {FindingCode::name_invalid, "name-invalid", kError,
     "a subjectAltName entry is no host name: bytes that are not UTF-8, control characters (NUL, ESC, line "
     "feed, ...), not a valid IDN, or characters other than letters, digits, `-` and `_` (`*` only as the whole "
     "left-most label); no client can match it and some refuse the whole certificate (RFC 5280 §4.2.1.6)",
     "get a certificate whose subjectAltName lists only host names"},
    {FindingCode::name_unchecked, "name-unchecked", kInfo, "no name to check was given or configured",
     "give --host, or set 'certkeeper init --external-url'"},
    {FindingCode::older_than_current, "older-than-current", kWarning,
     "import of a certificate that expires before the current version",
     "check that this is the file you meant; roll back with 'certkeeper rollback' otherwise"},
    {FindingCode::internal_error, "internal-error", kError,
     "a bug in certkeeper stopped the check; nothing is stored", "please report it"},
};

}  // namespace

const char* severity_name(Severity s) {
  switch (s) {
    case Severity::error: return "error";
    case Severity::warning: return "warning";
    case Severity::info: return "info";
  }
  return "?";
}

std::span<const FindingCodeInfo> finding_codes() { return kCodes; }

constexpr bool rows_in_enum_order() {
  if (std::size(kCodes) != static_cast<std::size_t>(FindingCode::internal_error) + 1) return false;
  for (std::size_t i = 0; i < std::size(kCodes); ++i) {
    if (static_cast<std::size_t>(kCodes[i].code) != i) return false;
  }
  return true;
}
static_assert(rows_in_enum_order(), "kCodes: one row per FindingCode, in enum order");

const FindingCodeInfo& finding_code_info(FindingCode code) { return kCodes[static_cast<std::size_t>(code)]; }

std::string severities_text(const FindingCodeInfo& info) {
  std::string text;
  for (Severity s : {Severity::error, Severity::warning, Severity::info}) {
    if (!allows(info, s)) continue;
    if (!text.empty()) text += " / ";
    text += severity_name(s);
  }
  return text;
}

}  // namespace certkeeper::crypto
