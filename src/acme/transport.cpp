#include "transport.h"

#include <nlohmann/json.hpp>

#include "certkeeper/util/json.h"
#include "certkeeper/util/text.h"

namespace certkeeper::acme::detail {
namespace {

// A transport failure, said as one. Anything else the client reports (its
// module could not be loaded: Errc::io) is not the CA's fault and passes
// through unchanged.
Error network_error(const Error& e) {
  if (e.code != Errc::network) return e;
  return make_error(Errc::network, "cannot reach the ACME server: " + e.message + "; check the URL and the network",
                    e.subject);
}

}  // namespace

bool valid_replay_nonce(std::string_view value) {
  return !value.empty() &&
         value.find_first_not_of("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_") ==
             std::string_view::npos;
}

bool signable_url(std::string_view url) {
  if (url.empty()) return false;
  for (unsigned char c : url) {
    if (c <= 0x20 || c >= 0x7f) return false;
  }
  return true;
}

Result<net::HttpResponse> Transport::get(const std::string& url) {
  last_problem.reset();
  auto response = http_.send({"GET", url, {}, {}});
  if (!response) return network_error(response.error());
  remember_nonce(*response);
  if (response->status >= 400) return fail(*response, url);
  return response;
}

std::string Transport::protected_header(const std::string& url, const std::string& nonce, bool embed_jwk) const {
  nlohmann::json header = {{"alg", key_.alg()}, {"url", url}};
  if (!nonce.empty()) header["nonce"] = nonce;
  if (embed_jwk || kid_.empty()) {
    header["jwk"] = parse_json_or_null(key_.jwk_json());
  } else {
    header["kid"] = kid_;
  }
  return header.dump();
}

Result<std::string> Transport::take_nonce() {
  if (!nonce_.empty()) return std::exchange(nonce_, std::string());
  if (new_nonce_url_.empty()) return make_error(Errc::internal, "no newNonce URL: fetch the directory first");
  // §7.2: HEAD newNonce answers with a fresh Replay-Nonce.
  auto response = http_.send({"HEAD", new_nonce_url_, {}, {}});
  if (!response) return network_error(response.error());
  std::string nonce = response->header("replay-nonce");
  if (!valid_replay_nonce(nonce)) {
    return make_error(Errc::ca_failed,
                      std::string(nonce.empty() ? "the ACME server sent no Replay-Nonce (HTTP "
                                                : "the ACME server sent no valid Replay-Nonce (not base64url; HTTP ") +
                          std::to_string(response->status) +
                          "); it is not a working RFC 8555 server, try again later or check --acme-server",
                      new_nonce_url_);
  }
  return nonce;
}

void Transport::remember_nonce(const net::HttpResponse& response) {
  std::string nonce = response.header("replay-nonce");
  if (valid_replay_nonce(nonce)) nonce_ = nonce;
}

Error Transport::fail(const net::HttpResponse& response, const std::string& url) {
  last_problem = parse_problem(response.status, response.body, response.header("retry-after"), clock_.now());
  return make_error(Errc::ca_failed, last_problem->summary(), url);
}

Result<net::HttpResponse> Transport::post(const std::string& url, const std::string& payload, bool embed_jwk,
                                          const std::string& accept) {
  last_problem.reset();
  // Both go into the protected header: JSON cannot hold bytes that are not
  // UTF-8, and no server means a URL that is not printable ASCII.
  if (!signable_url(url)) {
    return make_error(Errc::ca_failed,
                      "the ACME server sent a URL that is not one (bytes outside printable ASCII); it is not a "
                      "working RFC 8555 server, try again later or check --acme-server",
                      text::printable(url));
  }
  if (!embed_jwk && !kid_.empty() && !signable_url(kid_)) {
    return make_error(Errc::ca_failed,
                      "the stored account URL is not a URL; register again with 'certkeeper account register'",
                      text::printable(kid_));
  }
  for (int attempt = 0;; ++attempt) {
    auto nonce = take_nonce();
    if (!nonce) return std::move(nonce).error();
    auto body = crypto::jws_sign(key_, protected_header(url, *nonce, embed_jwk), payload);
    if (!body) return std::move(body).error();
    net::HttpRequest request{"POST", url, {{"Content-Type", "application/jose+json"}}, std::move(*body)};
    if (!accept.empty()) request.headers.push_back({"Accept", accept});
    auto response = http_.send(request);
    if (!response) return network_error(response.error());
    remember_nonce(*response);
    if (response->status < 400) return response;
    Error error = fail(*response, url);
    if (last_problem->type != ProblemType::bad_nonce || attempt + 1 >= kMaxBadNonceRetries) return error;
  }
}

}  // namespace certkeeper::acme::detail
