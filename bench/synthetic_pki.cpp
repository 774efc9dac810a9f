#include "synthetic_pki.h"

#include <openssl/ec.h>
#include <openssl/pem.h>
#include <openssl/x509v3.h>

#include <stdexcept>
#include <vector>

namespace certkeeper::bench {
namespace {

PkeyPtr ec_key() {
  EVP_PKEY* k = EVP_EC_gen("P-256");
  if (!k) throw std::runtime_error("EVP_EC_gen");
  return PkeyPtr(k, EVP_PKEY_free);
}

std::string pem_of(X509* x) {
  BIO* b = BIO_new(BIO_s_mem());
  PEM_write_bio_X509(b, x);
  char* data = nullptr;
  long n = BIO_get_mem_data(b, &data);
  std::string s(data, static_cast<std::size_t>(n));
  BIO_free(b);
  return s;
}

std::string pem_of(EVP_PKEY* k) {
  BIO* b = BIO_new(BIO_s_mem());
  PEM_write_bio_PrivateKey(b, k, nullptr, nullptr, 0, nullptr, nullptr);
  char* data = nullptr;
  long n = BIO_get_mem_data(b, &data);
  std::string s(data, static_cast<std::size_t>(n));
  BIO_free(b);
  return s;
}

void add_ext(X509* cert, X509* issuer, int nid, const char* value) {
  X509V3_CTX ctx;
  X509V3_set_ctx(&ctx, issuer, cert, nullptr, nullptr, 0);
  X509_EXTENSION* ext = X509V3_EXT_conf_nid(nullptr, &ctx, nid, value);
  if (!ext) throw std::runtime_error("extension");
  X509_add_ext(cert, ext, -1);
  X509_EXTENSION_free(ext);
}

X509Ptr make(const std::string& cn, EVP_PKEY* key, X509* issuer, EVP_PKEY* issuer_key, long serial,
             long not_before, long not_after, bool ca, const std::string& san) {
  X509Ptr x(X509_new(), X509_free);
  X509_set_version(x.get(), 2);
  ASN1_INTEGER_set(X509_get_serialNumber(x.get()), serial);
  X509_time_adj_ex(X509_getm_notBefore(x.get()), 0, not_before, nullptr);
  X509_time_adj_ex(X509_getm_notAfter(x.get()), 0, not_after, nullptr);
  X509_NAME* name = X509_get_subject_name(x.get());
  X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC, reinterpret_cast<const unsigned char*>(cn.c_str()), -1, -1, 0);
  X509_set_issuer_name(x.get(), issuer ? X509_get_subject_name(issuer) : name);
  X509_set_pubkey(x.get(), key);
  X509* signer = issuer ? issuer : x.get();
  add_ext(x.get(), signer, NID_basic_constraints, ca ? "critical,CA:TRUE" : "critical,CA:FALSE");
  add_ext(x.get(), signer, NID_key_usage, ca ? "critical,keyCertSign,cRLSign" : "critical,digitalSignature");
  if (!ca) {
    add_ext(x.get(), signer, NID_ext_key_usage, "serverAuth");
    add_ext(x.get(), signer, NID_subject_alt_name, san.c_str());
  }
  if (!X509_sign(x.get(), issuer_key ? issuer_key : key, EVP_sha256())) throw std::runtime_error("sign");
  return x;
}

}  // namespace

SyntheticPki::SyntheticPki()
    : root_key_(ec_key()), intermediate_key_(ec_key()), root_(nullptr, X509_free), intermediate_(nullptr, X509_free) {
  root_ = make("Bench Root", root_key_.get(), nullptr, nullptr, 1, -365L * 86400, 3650L * 86400, true, "");
  intermediate_ = make("Bench Intermediate", intermediate_key_.get(), root_.get(), root_key_.get(), 2,
                       -365L * 86400, 1825L * 86400, true, "");
  root_pem_ = pem_of(root_.get());
  intermediate_pem_ = pem_of(intermediate_.get());
  for (int i = 0; i < 8; ++i) {
    leaf_keys_.push_back(ec_key());
    leaf_key_pems_.push_back(pem_of(leaf_keys_.back().get()));
  }
}

Issued SyntheticPki::leaf(const std::string& host, long not_before, long not_after) {
  long serial = ++serial_;
  std::size_t k = static_cast<std::size_t>(serial) % leaf_keys_.size();
  auto x = make(host, leaf_keys_[k].get(), intermediate_.get(), intermediate_key_.get(), serial, not_before,
                not_after, false, "DNS:" + host);
  return {pem_of(x.get()), leaf_key_pems_[k]};
}

}  // namespace certkeeper::bench
