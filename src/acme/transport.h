// Private to acme: signed requests (RFC 8555 §6.2), the nonce (§6.5) and the
// translation of error responses into problems.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "certkeeper/acme/problem.h"
#include "certkeeper/crypto/jose.h"
#include "certkeeper/net/http_client.h"
#include "certkeeper/util/clock.h"

namespace certkeeper::acme::detail {

// §6.5: a badNonce rejection is retried with the nonce that came with it;
// this bounds the retries so a broken server cannot loop us forever.
constexpr int kMaxBadNonceRetries = 10;

// RFC 8555 §6.5.1: a Replay-Nonce value is base64url (RFC 4648 §5, no
// padding); clients MUST ignore invalid ones.
bool valid_replay_nonce(std::string_view value);

// Whether `url` can be requested and signed (it goes into the protected
// header's JSON): non-empty printable ASCII without spaces, as RFC 3986 §2
// spells every URL. A Location or Link header may hold anything.
bool signable_url(std::string_view url);

class Transport {
 public:
  Transport(net::HttpClient& http, const crypto::Signer& key, Clock& clock)
      : http_(http), key_(key), clock_(clock) {}

  void set_new_nonce_url(std::string url) { new_nonce_url_ = std::move(url); }
  void set_kid(std::string kid) { kid_ = std::move(kid); }
  const std::string& kid() const { return kid_; }
  const crypto::Signer& key() const { return key_; }

  // An unsigned GET: the directory (§7.1.1) and renewalInfo (RFC 9773 §4.1).
  Result<net::HttpResponse> get(const std::string& url);
  // A signed POST of `payload` (a JSON text; "" = POST-as-GET, §6.3) with
  // "kid", or with "jwk" when `embed_jwk` (newAccount, revocation by key).
  // An error status becomes an Error and last_problem.
  Result<net::HttpResponse> post(const std::string& url, const std::string& payload, bool embed_jwk = false,
                                 const std::string& accept = "");
  // The protected header this transport would sign for `url` (for tests and
  // for the inner JWS of a key change, which has no nonce).
  std::string protected_header(const std::string& url, const std::string& nonce, bool embed_jwk) const;

  std::optional<Problem> last_problem;
  std::size_t requests() const { return http_.requests_sent(); }
  Clock& clock() { return clock_; }

 private:
  Result<std::string> take_nonce();
  void remember_nonce(const net::HttpResponse& response);
  Error fail(const net::HttpResponse& response, const std::string& url);

  net::HttpClient& http_;
  const crypto::Signer& key_;
  Clock& clock_;
  std::string new_nonce_url_;
  std::string kid_;
  std::string nonce_;
};

}  // namespace certkeeper::acme::detail
