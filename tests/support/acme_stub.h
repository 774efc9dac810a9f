// A scripted ACME server (RFC 8555) for the faults pebble cannot produce:
// 5xx and HTML error pages, badNonce and rateLimited problems, missing
// Replay-Nonce, truncated, oversized and slow bodies, a certificate for the
// wrong key, ARI (renewalInfo) and profiles; a CA that forgets its accounts,
// userActionRequired with its URLs, any Retry-After text (on a 503 or on a
// processing order), any problem document.
//
// It serves a minimal but real flow over HTTPS on 127.0.0.1 (a free port,
// a certificate from its own TestPki): directory, nonces, account, order,
// one authorization per identifier with one challenge each, finalize with a
// real certificate issued by the TestPki intermediate for the CSR's key and
// names, and the PEM chain download. It does not verify JWS signatures (that
// is jose_test's job) but parses every flattened JWS and records the decoded
// protected header and payload, so tests assert on what the client sent.
//
// Paths (what fault prefixes match): GET /dir, HEAD|GET /nonce, POST /acct
// (newAccount) and /acct/N, POST /order (newOrder) and /order/N, POST
// /authz/N, /chall/N (authorization N has challenge N), /finalize/N and
// /cert/N (N = the order), POST /revoke and /key-change (acknowledged, 200),
// GET /renewal-info/<certID>. Wildcard identifiers get a dns-01 challenge.
//
// Thread-safety: every public member may be called while the server runs,
// from any thread. Handlers run on httplib's pool (at least 8 threads), so
// at most that many requests can be delayed at once.
#pragma once

#include <chrono>
#include <cstddef>
#include <functional>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "support/test_pki.h"

namespace certkeeper::testing {

// One request as the stub received it.
struct StubRequest {
  std::string method;  // "GET", "HEAD", "POST", ...
  std::string path;    // "/order/1" (no host, no query)
  std::string url;     // "https://127.0.0.1:PORT/order/1"
  std::map<std::string, std::string> headers;  // as sent; keys as the client spelled them
  std::string body;                            // raw bytes
  // For a flattened JWS body ({"protected","payload","signature"}): the
  // decoded protected header, and the payload as JSON. post_as_get: the
  // payload was "" (RFC 8555 §6.3). Both null when the body is not a JWS;
  // payload is null too when it did not parse as JSON (see payload_raw).
  bool jws = false;
  nlohmann::json protected_header;
  nlohmann::json payload;
  std::string payload_raw;
  bool post_as_get = false;
  // Whether the JWS carried a nonce the stub had issued and nobody had used
  // (checked, and the nonce consumed, for every JWS, whatever the answer).
  bool nonce_valid = false;
};

// A scripted answer. Replay-Nonce is added unless `headers` has one or
// omit_nonce is set; Content-Type comes from content_type.
struct StubResponse {
  int status = 200;
  std::map<std::string, std::string> headers;
  std::string body;
  std::string content_type = "application/json";
  bool omit_nonce = false;
  std::chrono::milliseconds delay{0};   // waited before answering (cut short when the stub stops)
  // Declares Content-Length: body.size() but sends only this many bytes,
  // then closes the connection.
  std::optional<std::size_t> truncate_to;

  // application/problem+json with "urn:ietf:params:acme:error:" + type.
  static StubResponse problem(int status, const std::string& type, const std::string& detail);
};

using StubHook = std::function<std::optional<StubResponse>(const StubRequest&)>;

struct AcmeStubOptions {
  // Times written into issued certificates and ARI windows (not the TLS
  // listener's, which is always valid at the wall clock). 0 = wall clock.
  UnixTime now = 0;
  // When set, the stub's time is this clock's (read on every request; it
  // must outlive the stub), overriding `now`: a test that moves a
  // FixedClock gets certificates issued at the moved time.
  const Clock* clock = nullptr;
  std::int64_t certificate_validity = 90 * 86400;  // seconds
  bool renewal_info = false;                       // directory renewalInfo: /renewal-info
  nlohmann::json profiles;                         // meta.profiles when an object
  bool external_account_required = false;          // meta.externalAccountRequired; newAccount needs EAB
  std::string challenge_type = "http-01";          // the one challenge of each authorization
  // Rejections a real server makes: a nonce not issued or already used
  // (badNonce), a protected "url" that is not the request's URL, a kid that
  // is no account URL, a JWS without Content-Type application/jose+json.
  bool strict = true;
  // POST-as-GETs of a processing order that still answer "processing"
  // after finalize (0: the first poll sees "valid").
  int processing_polls = 0;
  // Retry-After seconds on "processing" orders (0: none, as pebble).
  int order_retry_after = 0;
};

// What the stub issued for one finalize.
struct StubIssued {
  int order = 0;
  std::string leaf_pem;
  std::string chain_pem;                // leaf + intermediate, as served
  std::vector<std::string> names;       // SAN dNSName entries
  bool for_csr_key = true;              // false in wrong_certificate mode
};

class AcmeStub {
 public:
  // Listening when constructed; throws std::runtime_error when it cannot.
  explicit AcmeStub(const AcmeStubOptions& options = {});
  ~AcmeStub();  // stops the server and joins its threads (bounded)
  AcmeStub(const AcmeStub&) = delete;
  AcmeStub& operator=(const AcmeStub&) = delete;

  int port() const;
  std::string base_url() const;       // https://127.0.0.1:PORT
  std::string directory_url() const;  // base_url() + "/dir"
  std::string ca_file() const;        // PEM root: trusts the listener and the issued chains
  const TestPki& pki() const;         // root() signs the listener, intermediate() issues

  // ---- the request log
  std::vector<StubRequest> requests() const;
  std::vector<StubRequest> requests_to(const std::string& path_prefix) const;
  void clear_log();

  // ---- scripting
  // Runs for every request before the default handler (after any queued
  // fault that replaces the answer); a value replaces the default answer.
  // An empty function removes the hook.
  void set_override(StubHook hook);

  // Queued one-shot faults: each applies to the next `times` requests whose
  // path starts with `path_prefix` ("" = any), in the order they were added.
  void fail_next(const std::string& path_prefix, int status, std::string body,
                 std::map<std::string, std::string> headers = {}, int times = 1,
                 std::string content_type = "text/html");
  void bad_nonce_next(const std::string& path_prefix, int times = 1);   // 400 badNonce
  void rate_limited_next(const std::string& path_prefix, int retry_after_seconds, int times = 1);  // 429
  // These keep the default answer and change how it is sent.
  void truncate_next(const std::string& path_prefix, int times = 1);    // half the declared bytes, then close
  void oversize_next(const std::string& path_prefix, std::size_t bytes = 2 * 1024 * 1024, int times = 1);
  void delay_next(const std::string& path_prefix, std::chrono::milliseconds delay, int times = 1);
  void omit_nonce_next(const std::string& path_prefix, int times = 1);
  // Any scripted answer, e.g. StubResponse::problem(400, "malformed", detail)
  // with a detail of any length and bytes.
  void respond_next(const std::string& path_prefix, StubResponse response, int times = 1);
  // 403 userActionRequired (RFC 8555 §7.3.3): `instance` in the problem
  // document, `terms` as Link: <terms>;rel="terms-of-service".
  void user_action_required_next(const std::string& path_prefix, const std::string& instance,
                                 const std::string& terms, int times = 1);
  // 503 with an HTML page and "Retry-After: `retry_after`", sent as given
  // ("120", "9223372036854775807", an HTTP date, garbage).
  void unavailable_next(const std::string& path_prefix, const std::string& retry_after, int times = 1);
  // Drops every queued fault.
  void clear_faults();

  // The CA forgets every account (a reset staging CA, expired accounts): a
  // request signed with a kid answers accountDoesNotExist, and newAccount
  // registers a known key again under a new account URL.
  void forget_accounts();
  // "Retry-After: `value`" on every processing order (finalize and polls),
  // as given; "" = none. Overrides AcmeStubOptions::order_retry_after.
  void set_order_retry_after(std::string value);

  // Finalize issues a certificate for a fresh key instead of the CSR's.
  void set_wrong_certificate(bool on);
  // The renewalInfo answer: body and Retry-After (seconds, 0 = none).
  // Default: a window from now + 30 days to now + 32 days, Retry-After 21600.
  void set_renewal_info(nlohmann::json body, int retry_after_seconds);

  // newOrder whose "replaces" names one of these answers 409 alreadyReplaced
  // (RFC 9773 §5); accepted orders echo their "replaces".
  void set_already_replaced(std::vector<std::string> cert_ids);

  std::vector<StubIssued> issued() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace certkeeper::testing
