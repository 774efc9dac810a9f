#include <arpa/inet.h>
#include <openssl/core_names.h>
#include <openssl/obj_mac.h>

#include <array>
#include <ctime>

#include "certkeeper/util/text.h"
#include "facts_internal.h"
#include "openssl_error.h"
#include "openssl_io.h"
#include "pem_reader.h"

namespace certkeeper::crypto {
namespace {

std::string hex_lower(const unsigned char* data, unsigned len) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out;
  out.reserve(len * 2);
  for (unsigned i = 0; i < len; ++i) {
    out += kDigits[data[i] >> 4];
    out += kDigits[data[i] & 0x0f];
  }
  return out;
}

std::string serial_hex(X509* cert) {
  BignumPtr bn(ASN1_INTEGER_to_BN(X509_get0_serialNumber(cert), nullptr));
  if (!bn) return {};
  OpensslStringPtr hex(BN_bn2hex(bn.get()));
  return hex ? std::string(hex.get()) : std::string();
}

std::string fingerprint(X509* cert) {
  std::array<unsigned char, EVP_MAX_MD_SIZE> md{};
  unsigned len = 0;
  if (X509_digest(cert, EVP_sha256(), md.data(), &len) != 1) return {};
  return hex_lower(md.data(), len);
}

std::string ip_text(const ASN1_OCTET_STRING* ip) {
  const int len = ASN1_STRING_length(ip);
  const unsigned char* data = ASN1_STRING_get0_data(ip);
  std::array<char, INET6_ADDRSTRLEN> buf{};
  if (len == 4 && inet_ntop(AF_INET, data, buf.data(), buf.size())) return buf.data();
  if (len == 16 && inet_ntop(AF_INET6, data, buf.data(), buf.size())) return buf.data();
  return {};  // a malformed entry names nothing
}

void read_san(X509* cert, CertificateFacts& f) {
  GeneralNamesPtr names(static_cast<GENERAL_NAMES*>(X509_get_ext_d2i(cert, NID_subject_alt_name, nullptr, nullptr)));
  if (!names) return;
  for (int i = 0; i < sk_GENERAL_NAME_num(names.get()); ++i) {
    const GENERAL_NAME* gn = sk_GENERAL_NAME_value(names.get(), i);
    if (gn->type == GEN_DNS) {
      const ASN1_STRING* s = gn->d.dNSName;
      f.dns_names.emplace_back(reinterpret_cast<const char*>(ASN1_STRING_get0_data(s)),
                               static_cast<std::size_t>(ASN1_STRING_length(s)));
    } else if (gn->type == GEN_IPADD) {
      if (std::string ip = ip_text(gn->d.iPAddress); !ip.empty()) f.ip_addresses.push_back(ip);
    }
  }
}

std::string ec_key_type(EVP_PKEY* key) {
  std::array<char, 80> group{};
  std::size_t len = 0;
  if (EVP_PKEY_get_utf8_string_param(key, OSSL_PKEY_PARAM_GROUP_NAME, group.data(), group.size(), &len) != 1) {
    return "ec-unknown";
  }
  const std::string name(group.data(), len);
  if (name == "prime256v1" || name == "P-256" || name == "secp256r1") return "ec-p256";
  if (name == "secp384r1" || name == "P-384") return "ec-p384";
  if (name == "secp521r1" || name == "P-521") return "ec-p521";
  return "ec-" + name;
}

}  // namespace

std::string name_oneline(const X509_NAME* name) {
  BioPtr bio = memory_bio();
  const unsigned long flags = XN_FLAG_RFC2253 & ~ASN1_STRFLGS_ESC_MSB;
  if (!bio || X509_NAME_print_ex(bio.get(), name, 0, flags) < 0) return {};
  return bio_contents(bio.get());
}

std::string name_cn(const X509_NAME* name) {
  int last = -1;
  for (int i = X509_NAME_get_index_by_NID(name, NID_commonName, -1); i >= 0;
       i = X509_NAME_get_index_by_NID(name, NID_commonName, i)) {
    last = i;
  }
  if (last < 0) return {};
  const ASN1_STRING* s = X509_NAME_ENTRY_get_data(X509_NAME_get_entry(name, last));
  unsigned char* utf8 = nullptr;
  const int len = ASN1_STRING_to_UTF8(&utf8, s);
  if (len < 0) return {};
  std::string out(reinterpret_cast<const char*>(utf8), static_cast<std::size_t>(len));
  OPENSSL_free(utf8);
  return out;
}

std::string name_for_message(const X509_NAME* name) {
  std::string raw = name_cn(name);
  if (raw.empty()) raw = name_oneline(name);
  // A certificate's names are outside input: escaped and bounded (text.h).
  const std::string text = text::printable(text::truncate_utf8(raw, 200));
  // Appended into one buffer: g++ 12 at -O3 takes `"'" + s + "'"` for an
  // overlapping memcpy (a false -Wrestrict, an error under -Werror).
  std::string quoted;
  quoted.reserve(text.size() + 2);
  quoted += '\'';
  quoted += text;
  quoted += '\'';
  return quoted;
}

UnixTime asn1_time_to_unix(const ASN1_TIME* t) {
  std::tm tm{};
  if (!t || ASN1_TIME_to_tm(t, &tm) != 1) return 0;
  return static_cast<UnixTime>(timegm(&tm));
}

std::string key_type_of(EVP_PKEY* key) {
  if (!key) return "unknown";
  switch (EVP_PKEY_get_base_id(key)) {
    case EVP_PKEY_RSA:
    case EVP_PKEY_RSA_PSS: return "rsa-" + std::to_string(EVP_PKEY_get_bits(key));
    case EVP_PKEY_EC: return ec_key_type(key);
    case EVP_PKEY_ED25519: return "ed25519";
    case EVP_PKEY_ED448: return "ed448";
    case EVP_PKEY_DSA: return "dsa-" + std::to_string(EVP_PKEY_get_bits(key));
    default: return "unknown";
  }
}

CertificateFacts facts_of(X509* cert) {
  CertificateFacts f;
  f.subject = name_oneline(X509_get_subject_name(cert));
  f.subject_cn = name_cn(X509_get_subject_name(cert));
  f.issuer = name_oneline(X509_get_issuer_name(cert));
  f.issuer_cn = name_cn(X509_get_issuer_name(cert));
  f.serial_hex = serial_hex(cert);
  f.fingerprint_sha256 = fingerprint(cert);
  f.not_before = asn1_time_to_unix(X509_get0_notBefore(cert));
  f.not_after = asn1_time_to_unix(X509_get0_notAfter(cert));
  read_san(cert, f);
  f.key_type = key_type_of(X509_get0_pubkey(cert));
  const char* sig = OBJ_nid2ln(X509_get_signature_nid(cert));
  f.signature_algorithm = sig ? sig : "unknown";
  const uint32_t flags = X509_get_extension_flags(cert);
  f.is_ca = (flags & EXFLAG_BCONS) && (flags & EXFLAG_CA);
  f.self_signed = X509_self_signed(cert, 1) == 1;
  clear_openssl_errors();
  return f;
}

std::vector<std::string> CertificateFacts::names() const {
  std::vector<std::string> out = dns_names;
  out.insert(out.end(), ip_addresses.begin(), ip_addresses.end());
  return out;
}

Result<CertificateFacts> read_facts(const std::string& pem) {
  ParsedInput parsed = parse_certs_and_keys(pem, nullptr);
  if (!parsed.error.empty() || parsed.certs.empty()) {
    return make_error(Errc::invalid_input, "holds no readable certificate; give a PEM or DER certificate");
  }
  return facts_of(parsed.certs.front().get());
}

}  // namespace certkeeper::crypto
