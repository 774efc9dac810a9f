// Key material for orders (jose.h): generated keys, CSRs and the tls-alpn-01
// certificate, each parsed back and checked with OpenSSL alone.
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <openssl/core_names.h>
#include <openssl/pem.h>
#include <openssl/x509v3.h>

#include <ctime>
#include <string>
#include <vector>

#include "certkeeper/crypto/jose.h"
#include "support/ossl_ptr.h"
#include "support/test_pki.h"

namespace certkeeper::crypto {
namespace {

using testing::Key;
using testing::KeyType;
namespace ossl = testing::ossl;

int no_passphrase(char*, int, int, void*) { return 0; }

ossl::Pkey read_key(const std::string& pem) {
  ossl::Bio bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
  return ossl::Pkey(PEM_read_bio_PrivateKey(bio.get(), nullptr, no_passphrase, nullptr));
}

std::string curve_of(EVP_PKEY* key) {
  char name[64] = {};
  std::size_t len = 0;
  if (EVP_PKEY_get_utf8_string_param(key, OSSL_PKEY_PARAM_GROUP_NAME, name, sizeof name, &len) != 1) return {};
  return std::string(name, len);
}

struct Sans {
  std::vector<std::string> dns;
  std::vector<std::string> ips;  // printable form
};

Sans read_sans(const GENERAL_NAMES* names) {
  Sans out;
  for (int i = 0; names && i < sk_GENERAL_NAME_num(names); ++i) {
    const GENERAL_NAME* gn = sk_GENERAL_NAME_value(names, i);
    if (gn->type == GEN_DNS) {
      out.dns.emplace_back(reinterpret_cast<const char*>(ASN1_STRING_get0_data(gn->d.dNSName)),
                           static_cast<std::size_t>(ASN1_STRING_length(gn->d.dNSName)));
    } else if (gn->type == GEN_IPADD) {
      const int len = ASN1_STRING_length(gn->d.iPAddress);
      char text[INET6_ADDRSTRLEN] = {};
      inet_ntop(len == 4 ? AF_INET : AF_INET6, ASN1_STRING_get0_data(gn->d.iPAddress), text, sizeof text);
      out.ips.emplace_back(text);
    }
  }
  return out;
}

std::string common_name(const X509_NAME* name) {
  const int i = X509_NAME_get_index_by_NID(name, NID_commonName, -1);
  if (i < 0) return {};
  const ASN1_STRING* s = X509_NAME_ENTRY_get_data(X509_NAME_get_entry(name, i));
  return std::string(reinterpret_cast<const char*>(ASN1_STRING_get0_data(s)),
                     static_cast<std::size_t>(ASN1_STRING_length(s)));
}

struct ParsedCsr {
  std::string cn;
  Sans sans;
  bool signature_ok = false;
  bool key_is_ours = false;
  int sig_md_nid = 0;
};

ParsedCsr parse_csr(const std::string& der, EVP_PKEY* key) {
  ParsedCsr out;
  const auto* p = reinterpret_cast<const unsigned char*>(der.data());
  X509_REQ* req = d2i_X509_REQ(nullptr, &p, static_cast<long>(der.size()));
  EXPECT_NE(req, nullptr);
  if (!req) return out;
  EXPECT_EQ(p, reinterpret_cast<const unsigned char*>(der.data()) + der.size()) << "trailing bytes";
  out.cn = common_name(X509_REQ_get_subject_name(req));
  STACK_OF(X509_EXTENSION)* exts = X509_REQ_get_extensions(req);
  auto* sans = static_cast<GENERAL_NAMES*>(X509V3_get_d2i(exts, NID_subject_alt_name, nullptr, nullptr));
  out.sans = read_sans(sans);
  GENERAL_NAMES_free(sans);
  sk_X509_EXTENSION_pop_free(exts, X509_EXTENSION_free);
  EVP_PKEY* pub = X509_REQ_get0_pubkey(req);
  out.signature_ok = pub && X509_REQ_verify(req, pub) == 1;
  out.key_is_ours = pub && EVP_PKEY_eq(pub, key) == 1;
  int pknid = 0;
  OBJ_find_sigid_algs(X509_REQ_get_signature_nid(req), &out.sig_md_nid, &pknid);
  X509_REQ_free(req);
  return out;
}

// ---------------------------------------------------------------- key generation

TEST(GeneratePrivateKey, EachTypeIsUnencryptedPkcs8OfTheRightShape) {
  struct Case {
    const char* type;
    const char* curve;
    int bits;
    const char* alg;
  };
  for (const Case& c : {Case{"ec-p256", "prime256v1", 256, "ES256"}, Case{"ec-p384", "secp384r1", 384, "ES384"},
                        Case{"rsa-2048", "", 2048, "RS256"}, Case{"rsa-3072", "", 3072, "RS256"},
                        Case{"rsa-4096", "", 4096, "RS256"}}) {
    EXPECT_TRUE(valid_key_type(c.type));
    Result<std::string> pem = generate_private_key(c.type);
    ASSERT_TRUE(pem) << c.type << ": " << pem.error().what();
    EXPECT_EQ(pem->rfind("-----BEGIN PRIVATE KEY-----\n", 0), 0u) << c.type;
    ossl::Pkey key = read_key(*pem);
    ASSERT_TRUE(key) << c.type;
    EXPECT_EQ(EVP_PKEY_get_bits(key.get()), c.bits) << c.type;
    EXPECT_EQ(curve_of(key.get()), c.curve) << c.type;
    EXPECT_TRUE(EVP_PKEY_is_a(key.get(), c.curve[0] ? "EC" : "RSA")) << c.type;
    Result<std::unique_ptr<Signer>> signer = make_signer(*pem);
    ASSERT_TRUE(signer) << c.type << ": " << signer.error().what();
    EXPECT_EQ((*signer)->alg(), c.alg);
  }
}

TEST(GeneratePrivateKey, FreshEachTime) {
  Result<std::string> a = generate_private_key("ec-p256");
  Result<std::string> b = generate_private_key("ec-p256");
  ASSERT_TRUE(a && b);
  EXPECT_NE(*a, *b);
}

TEST(GeneratePrivateKey, RejectsUnknownTypes) {
  for (const char* type : {"rsa-1024", "ec-p521", "ed25519", "", "RSA-2048", "ec-p256 "}) {
    EXPECT_FALSE(valid_key_type(type)) << type;
    Result<std::string> pem = generate_private_key(type);
    ASSERT_FALSE(pem) << type;
    EXPECT_EQ(pem.error().code, Errc::invalid_input);
  }
}

// ---------------------------------------------------------------- CSR

TEST(Csr, NamesBecomeSansAndTheFirstIsTheCn) {
  const Key key = Key::shared(KeyType::ec_p256);
  Result<std::string> der =
      make_csr_der(key.pem(), {"www.example.test", "example.test", "192.0.2.7", "2001:db8::1"});
  ASSERT_TRUE(der) << der.error().what();
  const ParsedCsr csr = parse_csr(*der, key.get());
  EXPECT_EQ(csr.cn, "www.example.test");
  EXPECT_EQ(csr.sans.dns, (std::vector<std::string>{"www.example.test", "example.test"}));
  EXPECT_EQ(csr.sans.ips, (std::vector<std::string>{"192.0.2.7", "2001:db8::1"}));
  EXPECT_TRUE(csr.signature_ok);
  EXPECT_TRUE(csr.key_is_ours);
  EXPECT_EQ(csr.sig_md_nid, NID_sha256);
}

TEST(Csr, RsaKeyAndIpFirst) {
  const Key key = Key::shared(KeyType::rsa2048);
  Result<std::string> der = make_csr_der(key.traditional_pem(), {"127.0.0.1"});
  ASSERT_TRUE(der) << der.error().what();
  const ParsedCsr csr = parse_csr(*der, key.get());
  EXPECT_EQ(csr.cn, "127.0.0.1");
  EXPECT_TRUE(csr.sans.dns.empty());
  EXPECT_EQ(csr.sans.ips, std::vector<std::string>{"127.0.0.1"});
  EXPECT_TRUE(csr.signature_ok);
  EXPECT_TRUE(csr.key_is_ours);
  EXPECT_EQ(csr.sig_md_nid, NID_sha256);
}

TEST(Csr, NoCnWhenTheFirstNameIsLongerThan64) {
  const std::string long_name = std::string(60, 'a') + ".example.test";  // 73 characters
  const Key key = Key::shared(KeyType::ec_p384);
  Result<std::string> der = make_csr_der(key.pem(), {long_name, "short.example.test"});
  ASSERT_TRUE(der) << der.error().what();
  const ParsedCsr csr = parse_csr(*der, key.get());
  EXPECT_EQ(csr.cn, "");
  EXPECT_EQ(csr.sans.dns, (std::vector<std::string>{long_name, "short.example.test"}));
  EXPECT_TRUE(csr.signature_ok);
}

TEST(Csr, RejectsNoNamesAndBadKeys) {
  const Key key = Key::shared(KeyType::ec_p256);
  Result<std::string> none = make_csr_der(key.pem(), {});
  ASSERT_FALSE(none);
  EXPECT_EQ(none.error().code, Errc::invalid_input);
  Result<std::string> empty = make_csr_der(key.pem(), {"a.test", ""});
  ASSERT_FALSE(empty);
  EXPECT_EQ(empty.error().code, Errc::invalid_input);
  Result<std::string> no_key = make_csr_der("not a key", {"a.test"});
  ASSERT_FALSE(no_key);
  EXPECT_EQ(no_key.error().code, Errc::invalid_input);
}

// ---------------------------------------------------------------- tls-alpn-01

struct AlpnCert {
  ossl::X509Ptr cert;
  ossl::Pkey key;
};

AlpnCert make_alpn(const std::string& name, const std::string& key_authorization) {
  Result<std::pair<std::string, std::string>> made = make_tls_alpn_certificate(name, key_authorization);
  EXPECT_TRUE(made) << made.error().what();
  if (!made) return {};
  ossl::Bio bio(BIO_new_mem_buf(made->first.data(), static_cast<int>(made->first.size())));
  return AlpnCert{ossl::X509Ptr(PEM_read_bio_X509(bio.get(), nullptr, no_passphrase, nullptr)),
                  read_key(made->second)};
}

TEST(TlsAlpnCertificate, CarriesTheCriticalAcmeIdentifier) {
  const std::string key_auth = "evaGxfADs6pSRb2LAv9IZf17Dt3juxGJ-PCt92wr-oA.NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs";
  AlpnCert alpn = make_alpn("www.example.test", key_auth);
  ASSERT_TRUE(alpn.cert && alpn.key);

  unsigned char digest[32];
  unsigned int len = 0;
  ASSERT_EQ(EVP_Digest(key_auth.data(), key_auth.size(), digest, &len, EVP_sha256(), nullptr), 1);
  std::string expected = {'\x04', '\x20'};
  expected.append(reinterpret_cast<const char*>(digest), 32);

  ASN1_OBJECT* oid = OBJ_txt2obj("1.3.6.1.5.5.7.1.31", 1);
  const int at = X509_get_ext_by_OBJ(alpn.cert.get(), oid, -1);
  ASN1_OBJECT_free(oid);
  ASSERT_GE(at, 0);
  X509_EXTENSION* ext = X509_get_ext(alpn.cert.get(), at);
  EXPECT_EQ(X509_EXTENSION_get_critical(ext), 1);
  const ASN1_OCTET_STRING* value = X509_EXTENSION_get_data(ext);
  EXPECT_EQ(std::string(reinterpret_cast<const char*>(ASN1_STRING_get0_data(value)),
                        static_cast<std::size_t>(ASN1_STRING_length(value))),
            expected);

  auto* sans = static_cast<GENERAL_NAMES*>(X509_get_ext_d2i(alpn.cert.get(), NID_subject_alt_name, nullptr, nullptr));
  const Sans read = read_sans(sans);
  GENERAL_NAMES_free(sans);
  EXPECT_EQ(read.dns, std::vector<std::string>{"www.example.test"});
  EXPECT_TRUE(read.ips.empty());

  EXPECT_EQ(X509_check_private_key(alpn.cert.get(), alpn.key.get()), 1);
  EXPECT_EQ(X509_verify(alpn.cert.get(), alpn.key.get()), 1);  // self-signed
  EXPECT_EQ(curve_of(alpn.key.get()), "prime256v1");
  const std::time_t now = std::time(nullptr);
  EXPECT_LT(X509_cmp_time(X509_get0_notBefore(alpn.cert.get()), const_cast<std::time_t*>(&now)), 0);
  EXPECT_GT(X509_cmp_time(X509_get0_notAfter(alpn.cert.get()), const_cast<std::time_t*>(&now)), 0);
}

TEST(TlsAlpnCertificate, IpAddressGoesIntoAnIpSan) {
  AlpnCert alpn = make_alpn("127.0.0.1", "token.thumb");
  ASSERT_TRUE(alpn.cert);
  auto* sans = static_cast<GENERAL_NAMES*>(X509_get_ext_d2i(alpn.cert.get(), NID_subject_alt_name, nullptr, nullptr));
  const Sans read = read_sans(sans);
  GENERAL_NAMES_free(sans);
  EXPECT_TRUE(read.dns.empty());
  EXPECT_EQ(read.ips, std::vector<std::string>{"127.0.0.1"});
}

TEST(TlsAlpnCertificate, FreshKeyEachTime) {
  AlpnCert a = make_alpn("a.example.test", "k");
  AlpnCert b = make_alpn("a.example.test", "k");
  ASSERT_TRUE(a.key && b.key);
  EXPECT_NE(EVP_PKEY_eq(a.key.get(), b.key.get()), 1);
}

}  // namespace
}  // namespace certkeeper::crypto
