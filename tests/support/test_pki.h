// The generated test PKI (STYLE.md §13): real keys and certificates made with
// the OpenSSL C API for each test, written into a fresh temporary directory,
// each certificate carrying the facts it was made with so that tests assert
// on what the fixture decided, not on what the code under test read back.
//
// Nothing here uses certkeeper's crypto module: the fixture is an independent
// party. Failures inside the fixture throw std::runtime_error (a test bug).
#pragma once

#include <openssl/types.h>

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "certkeeper/util/clock.h"
#include "support/temp_dir.h"

namespace certkeeper::testing {

constexpr std::int64_t days(std::int64_t n) { return n * kSecondsPerDay; }
constexpr std::int64_t minutes(std::int64_t n) { return n * 60; }

// ---------------------------------------------------------------- keys

enum class KeyType { rsa1024, rsa2048, rsa3072, ec_p256, ec_p384, ec_p521, ed25519 };

// As CertificateFacts::key_type spells it: "rsa-2048", "ec-p256", "ed25519".
const char* key_type_name(KeyType type);

// A key pair. Copies share the same EVP_PKEY (immutable once made).
class Key {
 public:
  // Always a new pair.
  static Key generate(KeyType type);
  // One pair per type per process, for speed (RSA generation is slow). Use
  // generate() when a test needs a key nobody else holds.
  static Key shared(KeyType type);

  KeyType type() const { return type_; }
  EVP_PKEY* get() const { return pkey_.get(); }

  std::string pem() const;              // unencrypted PKCS#8, "BEGIN PRIVATE KEY"
  std::string der() const;              // unencrypted PKCS#8, DER
  std::string traditional_pem() const;  // "BEGIN RSA/EC PRIVATE KEY" (not Ed25519)
  std::string public_pem() const;       // "BEGIN PUBLIC KEY"
  // PKCS#8 with AES-256-CBC: "BEGIN ENCRYPTED PRIVATE KEY".
  std::string encrypted_pkcs8_pem(const std::string& passphrase) const;
  // The legacy form: "BEGIN EC PRIVATE KEY" + "Proc-Type: 4,ENCRYPTED" +
  // "DEK-Info: AES-256-CBC,...". RSA and EC only.
  std::string encrypted_legacy_pem(const std::string& passphrase) const;

  // Whether `pem` (a private or public key, PEM) holds this same key pair.
  bool same_as_pem(const std::string& pem) const;

 private:
  Key(KeyType type, std::shared_ptr<EVP_PKEY> pkey) : type_(type), pkey_(std::move(pkey)) {}
  KeyType type_;
  std::shared_ptr<EVP_PKEY> pkey_;
};

// ---------------------------------------------------------------- certificates

enum class Digest { sha256, sha1, md5 };
enum class Eku { server_auth, client_auth_only, none };  // none: no EKU extension

// keyUsage bits for CertOptions::key_usage.
namespace usage {
constexpr unsigned digital_signature = 1u << 0;
constexpr unsigned key_encipherment = 1u << 1;
constexpr unsigned key_cert_sign = 1u << 2;
constexpr unsigned crl_sign = 1u << 3;
}  // namespace usage

struct CertOptions {
  std::string cn = "www.example.test";  // "" = no CN in the subject
  std::vector<std::string> dns = {"www.example.test"};  // SAN dNSName entries
  std::vector<std::string> ips;                          // SAN iPAddress entries ("127.0.0.1", "::1")
  // Absolute times; defaults relative to TestPki::now(): a leaf is valid
  // from now - 10 days to now + 80 days (a 90-day certificate), a CA from
  // now - 365 days to now + 3650 days.
  std::optional<UnixTime> not_before;
  std::optional<UnixTime> not_after;
  bool ca = false;  // basicConstraints CA:TRUE (critical), else CA:FALSE
  // Default: serverAuth for a leaf, no EKU for a CA.
  std::optional<Eku> eku;
  // Bits of `usage::` (critical); 0 = no keyUsage extension. Default: a leaf
  // gets digitalSignature (+ keyEncipherment for RSA), a CA keyCertSign + cRLSign.
  std::optional<unsigned> key_usage;
  Digest digest = Digest::sha256;  // ignored when the signing key is Ed25519
  KeyType key_type = KeyType::ec_p256;
  std::optional<Key> key;  // use this key instead of a new one of key_type
  // crlDistributionPoints: one distribution point with these URIs (none: no extension).
  std::vector<std::string> crl_urls;
  // As a hostile CA writes them: `cn` and each `dns` entry byte for byte
  // (a UTF8String and IA5Strings holding whatever bytes they are given:
  // bytes that are not UTF-8, NULs, ESC, newlines, commas), instead of
  // through OpenSSL's checked text conversion, which refuses such input.
  // The CN may hold NULs and control characters but must still be UTF-8:
  // OpenSSL 3 can neither encode nor parse a name whose UTF8String is not.
  bool raw_names = false;

  // A CA certificate named `cn` with no SAN.
  static CertOptions authority(std::string cn);
};

// What the fixture put into a certificate, spelled like CertificateFacts.
struct PkiFacts {
  std::string serial_hex;          // upper-case, no leading zeros
  std::string fingerprint_sha256;  // lower-case hex of SHA-256 over the DER
  UnixTime not_before = 0;
  UnixTime not_after = 0;
  std::string subject_cn;
  std::string issuer_cn;
  std::vector<std::string> dns_names;
  std::vector<std::string> ip_addresses;
  std::string key_type;  // key_type_name()
};

class Cert {
 public:
  const PkiFacts& facts() const { return facts_; }
  const Key& key() const { return key_; }
  X509* get() const { return x509_.get(); }
  std::string pem() const;
  std::string der() const;

 private:
  friend class TestPki;
  Cert(std::shared_ptr<X509> x509, Key key, PkiFacts facts)
      : x509_(std::move(x509)), key_(std::move(key)), facts_(std::move(facts)) {}
  std::shared_ptr<X509> x509_;
  Key key_;
  PkiFacts facts_;
};

// ---------------------------------------------------------------- CRLs

// One revoked certificate on a CRL.
struct CrlEntry {
  std::string serial_hex;           // as PkiFacts::serial_hex
  UnixTime revoked_at = 0;
  std::optional<int> reason;        // CRLReason code (1 = keyCompromise); none: no reasonCode extension
};

struct CrlOptions {
  std::vector<CrlEntry> revoked;
  std::optional<UnixTime> this_update;  // default TestPki::now() - 1 hour
  std::optional<UnixTime> next_update;  // default this_update + 7 days
  bool omit_next_update = false;        // no nextUpdate field at all
};

// ---------------------------------------------------------------- file formats

// How PEM blocks are laid out in one file.
struct PemStyle {
  bool crlf = false;         // "\r\n" line ends everywhere
  bool bom = false;          // a UTF-8 byte order mark first
  std::string text_before;   // e.g. "subject=CN = www.example.test\n"
  std::string text_between;  // between blocks, e.g. "Bag Attributes\n"
  std::string text_after;
};

// The blocks, in the given order, as one file.
std::string pem_concat(const std::vector<std::string>& blocks, const PemStyle& style = {});

// SHA-256 over the DER of the first certificate in `pem` (lower-case hex, as
// PkiFacts::fingerprint_sha256), or "" when `pem` holds none.
std::string pem_fingerprint_sha256(const std::string& pem);

// A DER CRL as PEM ("BEGIN X509 CRL").
std::string crl_pem(const std::string& der);

// The first PEM block cut in the middle of its base64 body, without END line.
std::string truncated_pem(const std::string& pem);

enum class P12Style {
  modern,  // PBES2 AES-256-CBC for key and certificates, SHA-256 MAC
  legacy,  // an old Windows export: certificates RC2-40, key 3DES, SHA-1 MAC
};

// A PKCS#12 file (DER bytes) holding `leaf`, its key and `chain`. An empty
// password is the empty string, as `openssl pkcs12 -passout pass:` writes it.
std::string pkcs12(const Cert& leaf, const std::vector<Cert>& chain, const std::string& password,
                   P12Style style = P12Style::modern);
// The same without the private key: certificates only (what a browser's or
// a Windows certificate store's export gives when the key is not exportable).
std::string pkcs12_without_key(const Cert& leaf, const std::vector<Cert>& chain, const std::string& password);

// ---------------------------------------------------------------- the PKI

// 2027-03-01T00:00:00Z: deliberately not the wall clock, so code that reads
// the system time instead of Policy::now fails the tests.
constexpr UnixTime kPkiNow = 1803859200;

// A root CA, an intermediate it signed, and an unrelated second root with
// its own intermediate (for "extra" certificates), all EC P-256, plus a
// fresh temporary directory for files; everything is removed at the end.
class TestPki {
 public:
  explicit TestPki(UnixTime now = kPkiNow);

  UnixTime now() const { return now_; }
  const Cert& root() const { return root_; }                   // CN "Certkeeper Test Root"
  const Cert& intermediate() const { return intermediate_; }   // CN "Certkeeper Test Intermediate"
  const Cert& other_root() const { return other_root_; }       // CN "Other Test Root"
  const Cert& other_intermediate() const { return other_intermediate_; }  // signed by other_root

  // A certificate signed by `issuer`'s key.
  Cert issue(const CertOptions& options, const Cert& issuer) const;
  Cert self_signed(const CertOptions& options) const;
  // A v2 CRL (DER) naming `issuer` as its issuer, signed with `signer`, by
  // default the issuer's own key (another key makes a forged CRL).
  std::string crl(const CrlOptions& options, const Cert& issuer, const Key* signer = nullptr) const;
  // A leaf signed by intermediate().
  Cert leaf(const CertOptions& options = {}) const { return issue(options, intermediate_); }

  // Files: all inside dir(). Each returns the absolute path.
  const TempDir& dir() const { return dir_; }
  std::string path(const std::string& name) const { return dir_.file(name); }
  std::string write(const std::string& name, const std::string& bytes) const;
  std::string make_dir(const std::string& name) const;   // an empty directory
  std::string make_fifo(const std::string& name) const;  // a named pipe (mkfifo)

 private:
  Cert make(const CertOptions& options, const Cert* issuer) const;

  UnixTime now_;
  TempDir dir_;
  Cert root_, intermediate_, other_root_, other_intermediate_;
};

}  // namespace certkeeper::testing
