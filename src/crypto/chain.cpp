#include "chain.h"

#include <cstdlib>

#include "certkeeper/util/text.h"
#include "facts_internal.h"
#include "openssl_error.h"
#include "openssl_io.h"

namespace certkeeper::crypto {
namespace {

struct VerifyState {
  int error = X509_V_OK;
  X509Ptr cert;  // the certificate the first path error is about
};

// Errors that mean "no valid path to a trust anchor". Everything else
// (purpose, key strength, digests) is the gate's own business.
bool breaks_path(int err) {
  switch (err) {
    case X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT:
    case X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY:
    case X509_V_ERR_UNABLE_TO_VERIFY_LEAF_SIGNATURE:
    case X509_V_ERR_DEPTH_ZERO_SELF_SIGNED_CERT:
    case X509_V_ERR_SELF_SIGNED_CERT_IN_CHAIN:
    case X509_V_ERR_CERT_UNTRUSTED:
    case X509_V_ERR_CERT_REJECTED:
    case X509_V_ERR_CERT_SIGNATURE_FAILURE:
    case X509_V_ERR_UNABLE_TO_DECRYPT_CERT_SIGNATURE:
    case X509_V_ERR_UNABLE_TO_DECODE_ISSUER_PUBLIC_KEY:
    case X509_V_ERR_INVALID_CA:
    case X509_V_ERR_KEYUSAGE_NO_CERTSIGN:
    case X509_V_ERR_PATH_LENGTH_EXCEEDED:
    case X509_V_ERR_PERMITTED_VIOLATION:
    case X509_V_ERR_EXCLUDED_VIOLATION:
    case X509_V_ERR_UNHANDLED_CRITICAL_EXTENSION:
      return true;
    default:
      return false;
  }
}

bool is_missing_issuer(int err) {
  return err == X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT || err == X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY ||
         err == X509_V_ERR_UNABLE_TO_VERIFY_LEAF_SIGNATURE;
}

// Records the first path error and carries on, so that the whole path that
// can be built is there to inspect afterwards.
int verify_cb(int ok, X509_STORE_CTX* ctx) {
  if (ok) return 1;
  auto* state = static_cast<VerifyState*>(X509_STORE_CTX_get_app_data(ctx));
  const int err = X509_STORE_CTX_get_error(ctx);
  if (state && state->error == X509_V_OK && breaks_path(err)) {
    state->error = err;
    state->cert = share(X509_STORE_CTX_get_current_cert(ctx));
  }
  return 1;
}

bool contains(const std::vector<X509*>& certs, X509* cert) {
  for (X509* c : certs) {
    if (same_cert(c, cert)) return true;
  }
  return false;
}

X509StorePtr system_store(const std::string& dir) {
  X509StorePtr store(X509_STORE_new());
  if (!store || dir.empty()) return store;
  X509_LOOKUP* lookup = X509_STORE_add_lookup(store.get(), X509_LOOKUP_hash_dir());
  if (lookup) X509_LOOKUP_add_dir(lookup, dir.c_str(), X509_FILETYPE_PEM);
  clear_openssl_errors();
  return store;
}

bool in_system_store(const std::string& dir, X509* anchor) {
  if (dir.empty()) return false;
  X509StorePtr store = system_store(dir);
  X509StoreCtxPtr ctx(X509_STORE_CTX_new());
  if (!store || !ctx || X509_STORE_CTX_init(ctx.get(), store.get(), nullptr, nullptr) != 1) return false;
  X509StackPtr found(X509_STORE_CTX_get1_certs(ctx.get(), X509_get_subject_name(anchor)));
  clear_openssl_errors();
  for (int i = 0; found && i < sk_X509_num(found.get()); ++i) {
    if (same_cert(sk_X509_value(found.get(), i), anchor)) return true;
  }
  return false;
}

std::string failure_text(int err, X509* cert) {
  if (!cert) return "no trusted root was found";
  const std::string who = name_for_message(X509_get_subject_name(cert));
  if (is_missing_issuer(err)) {
    const X509_NAME* issuer = X509_get_issuer_name(cert);
    return "the issuer " + name_for_message(issuer) + " (" + text::printable(name_oneline(issuer)) + ") of " + who +
           " is missing";
  }
  switch (err) {
    case X509_V_ERR_DEPTH_ZERO_SELF_SIGNED_CERT:
    case X509_V_ERR_SELF_SIGNED_CERT_IN_CHAIN:
    case X509_V_ERR_CERT_UNTRUSTED:
    case X509_V_ERR_CERT_REJECTED: return "the root " + who + " is not trusted";
    case X509_V_ERR_INVALID_CA:
    case X509_V_ERR_KEYUSAGE_NO_CERTSIGN: return who + " is not a CA certificate but issued the next one";
    case X509_V_ERR_PATH_LENGTH_EXCEEDED: return who + " exceeds its issuer's path length limit";
    case X509_V_ERR_PERMITTED_VIOLATION:
    case X509_V_ERR_EXCLUDED_VIOLATION: return who + " violates its issuer's name constraints";
    case X509_V_ERR_UNHANDLED_CRITICAL_EXTENSION: return who + " has an unsupported critical extension";
    default: return "the signature on " + who + " does not verify with its issuer's key";
  }
}

void set_parameters(X509_STORE_CTX* ctx) {
  X509_VERIFY_PARAM* param = X509_STORE_CTX_get0_param(ctx);
  X509_VERIFY_PARAM_set_flags(param, X509_V_FLAG_TRUSTED_FIRST | X509_V_FLAG_NO_CHECK_TIME);
  X509_VERIFY_PARAM_set_auth_level(param, 0);
  X509_STORE_CTX_set_verify_cb(ctx, verify_cb);
}

}  // namespace

std::string system_store_dir(const std::string& configured) {
  if (!configured.empty()) return configured;
  if (const char* env = std::getenv(X509_get_default_cert_dir_env()); env && *env) return env;
  return X509_get_default_cert_dir();
}

PathResult build_path(const PathInput& input) {
  PathResult result;
  X509StorePtr store = system_store(input.system_dir);
  X509StackPtr untrusted(sk_X509_new_null());
  X509StoreCtxPtr ctx(X509_STORE_CTX_new());
  if (!store || !untrusted || !ctx) return result;
  for (X509* c : input.ca_file_anchors) X509_STORE_add_cert(store.get(), c);
  for (X509* c : input.input_anchors) X509_STORE_add_cert(store.get(), c);
  for (X509* c : input.untrusted) {
    if (sk_X509_push(untrusted.get(), c) > 0) X509_up_ref(c);
  }
  clear_openssl_errors();
  VerifyState state;
  if (X509_STORE_CTX_init(ctx.get(), store.get(), input.leaf, untrusted.get()) != 1) return result;
  set_parameters(ctx.get());
  X509_STORE_CTX_set_app_data(ctx.get(), &state);
  const int ok = X509_verify_cert(ctx.get());
  X509StackPtr chain(X509_STORE_CTX_get1_chain(ctx.get()));
  clear_openssl_errors();
  for (int i = 0; chain && i < sk_X509_num(chain.get()); ++i) result.path.push_back(share(sk_X509_value(chain.get(), i)));
  if (result.path.empty()) result.path.push_back(share(input.leaf));
  result.complete = ok == 1 && state.error == X509_V_OK;
  if (!result.complete) {
    const int err = state.error == X509_V_OK ? X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT : state.error;
    result.issuer_missing = is_missing_issuer(err);
    result.failure = failure_text(err, state.cert ? state.cert.get() : result.path.back().get());
    return result;
  }
  X509* anchor = result.path.back().get();
  result.anchor_in_input = contains(input.input_anchors, anchor);
  result.anchor_in_ca_file = contains(input.ca_file_anchors, anchor);
  result.anchor_in_system = in_system_store(input.system_dir, anchor);
  return result;
}

}  // namespace certkeeper::crypto
