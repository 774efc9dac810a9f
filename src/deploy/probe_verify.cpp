#include "probe_verify.h"

#include <openssl/err.h>
#include <openssl/pem.h>

namespace certkeeper::deploy::probe_detail {
namespace {

Error crypto_failed(const char* what) {
  ERR_clear_error();
  return make_error(Errc::crypto, std::string("cannot set up chain verification: ") + what);
}

Status add_trust_pem(X509_STORE* store, const std::string& pem) {
  crypto::BioPtr bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
  if (!bio) return crypto_failed("BIO_new_mem_buf");
  int added = 0;
  while (crypto::X509Ptr cert{PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr)}) {
    if (X509_STORE_add_cert(store, cert.get()) != 1) return crypto_failed("X509_STORE_add_cert");
    ++added;
  }
  // The loop ends with "no start line" after the last block; any other
  // error is a damaged certificate, which must not silently drop an anchor.
  const unsigned long err = ERR_peek_last_error();
  ERR_clear_error();
  if (added == 0 || (err != 0 && ERR_GET_REASON(err) != PEM_R_NO_START_LINE)) {
    return make_error(Errc::invalid_input,
                      "the extra trust anchors for the probe are not all readable PEM certificates");
  }
  return {};
}

}  // namespace

Result<crypto::X509StorePtr> probe_trust_store(const ProbeOptions& options) {
  crypto::X509StorePtr store(X509_STORE_new());
  if (!store) return crypto_failed("X509_STORE_new");
  // A missing system bundle is not an error here: the chain then verifies
  // only against the caller's anchors.
  if (X509_STORE_set_default_paths(store.get()) != 1) return crypto_failed("X509_STORE_set_default_paths");
  ERR_clear_error();
  if (!options.trust_pem.empty()) {
    if (auto added = add_trust_pem(store.get(), options.trust_pem); !added) return std::move(added).error();
  }
  if (!options.ca_file.empty() && X509_STORE_load_file(store.get(), options.ca_file.c_str()) != 1) {
    const char* reason = ERR_reason_error_string(ERR_peek_last_error());
    ERR_clear_error();
    return make_error(Errc::io,
                      std::string("cannot load the CA file for the probe") + (reason ? std::string(": ") + reason : ""),
                      options.ca_file);
  }
  // TRUSTED_FIRST: an anchor we hold wins over an expired cross-sign the
  // server sent. PARTIAL_CHAIN: an anchor need not be self-signed.
  unsigned long flags = X509_V_FLAG_TRUSTED_FIRST;
  if (options.partial_chain) flags |= X509_V_FLAG_PARTIAL_CHAIN;
  if (X509_STORE_set_flags(store.get(), flags) != 1) return crypto_failed("X509_STORE_set_flags");
  return store;
}

Result<ChainVerdict> verify_served_chain(X509_STORE* store, X509* leaf, STACK_OF(X509) * intermediates) {
  crypto::X509StoreCtxPtr ctx(X509_STORE_CTX_new());
  if (!ctx || X509_STORE_CTX_init(ctx.get(), store, leaf, intermediates) != 1) {
    return crypto_failed("X509_STORE_CTX_init");
  }
  // What a TLS client checks: serverAuth purpose and trust.
  if (X509_STORE_CTX_set_default(ctx.get(), "ssl_server") != 1) return crypto_failed("X509_STORE_CTX_set_default");
  const int rc = X509_verify_cert(ctx.get());
  const int err = X509_STORE_CTX_get_error(ctx.get());
  ERR_clear_error();
  if (rc == 1) return ChainVerdict{true, ""};
  if (err == X509_V_OK) return ChainVerdict{false, "the chain could not be verified"};
  return ChainVerdict{false, X509_verify_cert_error_string(err)};
}

}  // namespace certkeeper::deploy::probe_detail
