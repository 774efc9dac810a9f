// A private JWK (RFC 7517, members of RFC 7518 §6.2.2 EC and §6.3.2 RSA) as
// PEM: how another ACME client's account key (certbot's private_key.json)
// becomes one certkeeper can sign with.
#include <openssl/core_names.h>
#include <openssl/param_build.h>

#include <nlohmann/json.hpp>

#include "certkeeper/crypto/jose.h"
#include "certkeeper/util/json.h"
#include "openssl_error.h"
#include "openssl_io.h"

namespace certkeeper::crypto {
namespace {

using ParamBldPtr = std::unique_ptr<OSSL_PARAM_BLD, OpensslDeleter<OSSL_PARAM_BLD, OSSL_PARAM_BLD_free>>;
using ParamsPtr = std::unique_ptr<OSSL_PARAM, OpensslDeleter<OSSL_PARAM, OSSL_PARAM_free>>;

Error bad(const std::string& what) { return make_error(Errc::invalid_input, "the JWK " + what); }

// The bytes of the base64url member `name` ("" when absent).
Result<std::string> member(const nlohmann::json& jwk, const char* name, bool required) {
  if (!jwk.contains(name)) {
    if (required) return bad(std::string("has no \"") + name + "\" member");
    return std::string();
  }
  if (!jwk[name].is_string()) return bad(std::string("member \"") + name + "\" is not a string");
  auto bytes = base64url_decode(jwk[name].get<std::string>());
  if (!bytes || bytes->empty()) return bad(std::string("member \"") + name + "\" is not base64url");
  return bytes;
}

// Big-endian bytes as a BIGNUM owned by `keep` (the builder only refers to it).
const BIGNUM* bignum(const std::string& bytes, std::vector<BignumPtr>& keep) {
  keep.emplace_back(BN_bin2bn(reinterpret_cast<const unsigned char*>(bytes.data()), static_cast<int>(bytes.size()),
                              nullptr));
  return keep.back().get();
}

Result<ParamsPtr> rsa_params(const nlohmann::json& jwk, std::vector<BignumPtr>& keep) {
  ParamBldPtr bld(OSSL_PARAM_BLD_new());
  if (!bld) return make_error(Errc::crypto, "out of memory");
  // RFC 7518 §6.3.2: d is required and the CRT members SHOULD be there;
  // certkeeper needs them (OpenSSL checks the pair with them), and every
  // client that writes JWK files (certbot, lego) includes them.
  const std::pair<const char*, const char*> members[] = {
      {"n", OSSL_PKEY_PARAM_RSA_N},           {"e", OSSL_PKEY_PARAM_RSA_E},
      {"d", OSSL_PKEY_PARAM_RSA_D},           {"p", OSSL_PKEY_PARAM_RSA_FACTOR1},
      {"q", OSSL_PKEY_PARAM_RSA_FACTOR2},     {"dp", OSSL_PKEY_PARAM_RSA_EXPONENT1},
      {"dq", OSSL_PKEY_PARAM_RSA_EXPONENT2},  {"qi", OSSL_PKEY_PARAM_RSA_COEFFICIENT1}};
  for (std::size_t i = 0; i < std::size(members); ++i) {
    auto bytes = member(jwk, members[i].first, true);
    if (!bytes) return std::move(bytes).error();
    const BIGNUM* bn = bignum(*bytes, keep);
    if (!bn || OSSL_PARAM_BLD_push_BN(bld.get(), members[i].second, bn) != 1) {
      return make_error(Errc::crypto, "building the RSA key failed (" + drain_openssl_errors() + ")");
    }
  }
  ParamsPtr params(OSSL_PARAM_BLD_to_param(bld.get()));
  if (!params) return make_error(Errc::crypto, "building the RSA key failed (" + drain_openssl_errors() + ")");
  return params;
}

Result<ParamsPtr> ec_params(const nlohmann::json& jwk, std::vector<BignumPtr>& keep, std::string& point) {
  const std::string crv = jwk.value("crv", "");
  const char* group = crv == "P-256" ? "prime256v1" : crv == "P-384" ? "secp384r1" : nullptr;
  if (!group) return bad("curve \"" + crv.substr(0, 20) + "\" is not P-256 or P-384");
  const std::size_t size = crv == "P-256" ? 32 : 48;
  auto x = member(jwk, "x", true);
  if (!x) return std::move(x).error();
  auto y = member(jwk, "y", true);
  if (!y) return std::move(y).error();
  auto d = member(jwk, "d", true);
  if (!d) return std::move(d).error();
  if (x->size() != size || y->size() != size) return bad("point does not fit curve " + crv);
  point = "\x04" + *x + *y;  // SEC 1 §2.3.3 uncompressed
  ParamBldPtr bld(OSSL_PARAM_BLD_new());
  const BIGNUM* priv = bignum(*d, keep);
  if (!bld || !priv ||
      OSSL_PARAM_BLD_push_utf8_string(bld.get(), OSSL_PKEY_PARAM_GROUP_NAME, group, 0) != 1 ||
      OSSL_PARAM_BLD_push_octet_string(bld.get(), OSSL_PKEY_PARAM_PUB_KEY, point.data(), point.size()) != 1 ||
      OSSL_PARAM_BLD_push_BN(bld.get(), OSSL_PKEY_PARAM_PRIV_KEY, priv) != 1) {
    return make_error(Errc::crypto, "building the EC key failed (" + drain_openssl_errors() + ")");
  }
  ParamsPtr params(OSSL_PARAM_BLD_to_param(bld.get()));
  if (!params) return make_error(Errc::crypto, "building the EC key failed (" + drain_openssl_errors() + ")");
  return params;
}

}  // namespace

Result<std::string> private_key_pem_from_jwk(const std::string& jwk_json) {
  const auto jwk = parse_json_or_null(jwk_json);
  if (!jwk.is_object()) return bad("is not a JSON object");
  const std::string kty = jwk.value("kty", "");
  std::vector<BignumPtr> keep;
  std::string point;
  Result<ParamsPtr> params = kty == "RSA" ? rsa_params(jwk, keep)
                             : kty == "EC" ? ec_params(jwk, keep, point)
                                           : Result<ParamsPtr>(bad("key type \"" + kty.substr(0, 20) +
                                                                   "\" is neither RSA nor EC"));
  if (!params) return std::move(params).error();
  EvpPkeyCtxPtr ctx(EVP_PKEY_CTX_new_from_name(nullptr, kty.c_str(), nullptr));
  EVP_PKEY* raw = nullptr;
  if (!ctx || EVP_PKEY_fromdata_init(ctx.get()) != 1 ||
      EVP_PKEY_fromdata(ctx.get(), &raw, EVP_PKEY_KEYPAIR, params->get()) != 1) {
    clear_openssl_errors();
    return bad("does not hold a usable " + kty + " private key");
  }
  EvpPkeyPtr key(raw);
  // The private half must belong to the public one (a damaged file would
  // otherwise sign with a key the CA does not know).
  EvpPkeyCtxPtr check(EVP_PKEY_CTX_new_from_pkey(nullptr, key.get(), nullptr));
  if (!check || EVP_PKEY_pairwise_check(check.get()) != 1) {
    clear_openssl_errors();
    return bad("private and public members do not belong together");
  }
  std::string pem = pkcs8_pem(key.get());
  if (pem.empty()) return make_error(Errc::crypto, "writing the key as PEM failed");
  return pem;
}

}  // namespace certkeeper::crypto
