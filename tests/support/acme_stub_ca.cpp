#include "support/acme_stub_ca.h"

#include <arpa/inet.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/x509v3.h>

#include "support/ossl_ptr.h"

namespace certkeeper::testing::stub {
namespace {

using namespace ossl;

constexpr const char* kAlphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

int b64url_value(char c) {
  if (c >= 'A' && c <= 'Z') return c - 'A';
  if (c >= 'a' && c <= 'z') return c - 'a' + 26;
  if (c >= '0' && c <= '9') return c - '0' + 52;
  if (c == '-') return 62;
  if (c == '_') return 63;
  return -1;
}

using Req = std::unique_ptr<X509_REQ, Deleter<X509_REQ, X509_REQ_free>>;
void free_ext_stack(STACK_OF(X509_EXTENSION)* s) { sk_X509_EXTENSION_pop_free(s, X509_EXTENSION_free); }
using ExtStack = std::unique_ptr<STACK_OF(X509_EXTENSION), Deleter<STACK_OF(X509_EXTENSION), free_ext_stack>>;
using Names = std::unique_ptr<GENERAL_NAMES, Deleter<GENERAL_NAMES, GENERAL_NAMES_free>>;

std::string asn1_text(const ASN1_STRING* s) {
  return std::string(reinterpret_cast<const char*>(ASN1_STRING_get0_data(s)),
                     static_cast<std::size_t>(ASN1_STRING_length(s)));
}

std::string ip_text(const ASN1_OCTET_STRING* s) {
  char buf[INET6_ADDRSTRLEN] = {};
  const int n = ASN1_STRING_length(s);
  const int family = n == 4 ? AF_INET : n == 16 ? AF_INET6 : -1;
  if (family < 0 || !inet_ntop(family, ASN1_STRING_get0_data(s), buf, sizeof buf)) return "?";
  return buf;
}

void read_names(X509_REQ* req, Csr& csr) {
  ExtStack exts(X509_REQ_get_extensions(req));
  if (exts) {
    Names names(static_cast<GENERAL_NAMES*>(X509V3_get_d2i(exts.get(), NID_subject_alt_name, nullptr, nullptr)));
    for (int i = 0; names && i < sk_GENERAL_NAME_num(names.get()); ++i) {
      const GENERAL_NAME* n = sk_GENERAL_NAME_value(names.get(), i);
      if (n->type == GEN_DNS) csr.dns.push_back(asn1_text(n->d.dNSName));
      if (n->type == GEN_IPADD) csr.ips.push_back(ip_text(n->d.iPAddress));
    }
  }
  if (!csr.dns.empty() || !csr.ips.empty()) return;
  X509_NAME* subject = X509_REQ_get_subject_name(req);
  int idx = X509_NAME_get_index_by_NID(subject, NID_commonName, -1);
  if (idx >= 0) csr.dns.push_back(asn1_text(X509_NAME_ENTRY_get_data(X509_NAME_get_entry(subject, idx))));
}

void add_ext(X509* x, X509V3_CTX* ctx, int nid, const std::string& value) {
  Extension ext(check(X509V3_EXT_conf_nid(nullptr, ctx, nid, value.c_str()), "X509V3_EXT_conf_nid"));
  check(X509_add_ext(x, ext.get(), -1), "X509_add_ext");
}

}  // namespace

std::string b64url_encode(const std::string& bytes) {
  std::string out;
  unsigned bits = 0;
  int nbits = 0;
  for (unsigned char c : bytes) {
    bits = (bits << 8) | c;
    nbits += 8;
    while (nbits >= 6) {
      nbits -= 6;
      out += kAlphabet[(bits >> nbits) & 0x3f];
    }
  }
  if (nbits > 0) out += kAlphabet[(bits << (6 - nbits)) & 0x3f];
  return out;
}

std::optional<std::string> b64url_decode(const std::string& text) {
  std::string out;
  unsigned bits = 0;
  int nbits = 0;
  for (char c : text) {
    int v = b64url_value(c);
    if (v < 0) return std::nullopt;
    bits = (bits << 6) | static_cast<unsigned>(v);
    nbits += 6;
    if (nbits >= 8) {
      nbits -= 8;
      out += static_cast<char>((bits >> nbits) & 0xff);
    }
  }
  if (text.size() % 4 == 1) return std::nullopt;
  return out;
}

std::optional<Csr> parse_csr(const std::string& der, std::string& error) {
  const auto* p = reinterpret_cast<const unsigned char*>(der.data());
  Req req(d2i_X509_REQ(nullptr, &p, static_cast<long>(der.size())));
  if (!req) {
    ERR_clear_error();
    error = "the CSR is not DER PKCS#10";
    return std::nullopt;
  }
  EVP_PKEY* key = X509_REQ_get_pubkey(req.get());  // a new reference
  if (!key) {
    ERR_clear_error();
    error = "the CSR has no readable public key";
    return std::nullopt;
  }
  Csr csr;
  csr.key = std::shared_ptr<EVP_PKEY>(key, EVP_PKEY_free);
  if (X509_REQ_verify(req.get(), key) != 1) {
    ERR_clear_error();
    error = "the CSR's signature does not verify";
    return std::nullopt;
  }
  read_names(req.get(), csr);
  if (csr.dns.empty() && csr.ips.empty()) {
    error = "the CSR names no identifier";
    return std::nullopt;
  }
  return csr;
}

std::string issue_leaf(const TestPki& pki, const Csr& csr, EVP_PKEY* key, UnixTime now, std::int64_t validity) {
  const Cert& issuer = pki.intermediate();
  X509Ptr x(check(X509_new(), "X509_new"));
  check(X509_set_version(x.get(), 2), "X509_set_version");
  unsigned char serial[16];
  check(RAND_bytes(serial, sizeof serial), "RAND_bytes");
  serial[0] &= 0x7f;
  Bignum bn(check(BN_bin2bn(serial, sizeof serial, nullptr), "BN_bin2bn"));
  check(BN_to_ASN1_INTEGER(bn.get(), X509_get_serialNumber(x.get())) ? 1 : 0, "serial");

  const std::string cn = csr.dns.empty() ? csr.ips.front() : csr.dns.front();
  X509_NAME* name = X509_get_subject_name(x.get());
  check(X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_UTF8, reinterpret_cast<const unsigned char*>(cn.c_str()),
                                   -1, -1, 0),
        "subject");
  check(X509_set_issuer_name(x.get(), X509_get_subject_name(issuer.get())), "issuer");
  check(ASN1_TIME_set(X509_getm_notBefore(x.get()), static_cast<time_t>(now)) ? 1 : 0, "notBefore");
  check(ASN1_TIME_set(X509_getm_notAfter(x.get()), static_cast<time_t>(now + validity)) ? 1 : 0, "notAfter");
  check(X509_set_pubkey(x.get(), key), "X509_set_pubkey");

  X509V3_CTX ctx;
  X509V3_set_ctx(&ctx, issuer.get(), x.get(), nullptr, nullptr, 0);
  add_ext(x.get(), &ctx, NID_basic_constraints, "critical,CA:FALSE");
  const bool rsa = EVP_PKEY_is_a(key, "RSA");
  add_ext(x.get(), &ctx, NID_key_usage, rsa ? "critical,digitalSignature,keyEncipherment" : "critical,digitalSignature");
  add_ext(x.get(), &ctx, NID_ext_key_usage, "serverAuth");
  std::string san;
  for (const auto& d : csr.dns) san += (san.empty() ? "DNS:" : ",DNS:") + d;
  for (const auto& ip : csr.ips) san += (san.empty() ? "IP:" : ",IP:") + ip;
  add_ext(x.get(), &ctx, NID_subject_alt_name, san);
  add_ext(x.get(), &ctx, NID_subject_key_identifier, "hash");
  add_ext(x.get(), &ctx, NID_authority_key_identifier, "keyid:always");
  check(X509_sign(x.get(), issuer.key().get(), EVP_sha256()), "X509_sign");

  Bio bio = mem_bio();
  check(PEM_write_bio_X509(bio.get(), x.get()), "PEM certificate");
  return bio_string(bio.get());
}

}  // namespace certkeeper::testing::stub
