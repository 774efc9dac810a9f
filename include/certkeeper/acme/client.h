// The RFC 8555 client: built from an HTTP client, a Signer and a Clock, it
// returns plain values and knows nothing of SQLite, files or schedules
// (STYLE.md §5).
//
// Contracts:
// - Every URL comes from the directory or from the server's responses.
// - The Replay-Nonce of every response is reused; a badNonce rejection is
//   re-signed with the fresh nonce, at most 10 times, invisibly (§6.5).
// - A failure is Errc::ca_failed (the server refused) or Errc::network (it
//   could not be reached), with the problem's one-line summary as message
//   and the problem itself as the Error's cause (type, Retry-After clamped,
//   instance, terms of service, subproblems: Problem::cause()).
// - Polling honours Retry-After and otherwise backs off from 10 ms to 5 s,
//   within 5 minutes in all; it sleeps on the Clock. A Retry-After beyond
//   what is left of the 5 minutes ends the wait at once with Errc::ca_failed
//   whose cause carries that Retry-After (transient: the next run resumes).
// - Not thread-safe: one Client per order in flight.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "certkeeper/acme/types.h"
#include "certkeeper/crypto/jose.h"
#include "certkeeper/net/http_client.h"
#include "certkeeper/util/clock.h"
#include "certkeeper/util/result.h"

namespace certkeeper::acme {

class Client {
 public:
  Client(net::HttpClient& http, const crypto::Signer& account_key, std::string directory_url, Clock& clock);
  ~Client();
  Client(const Client&) = delete;
  Client& operator=(const Client&) = delete;

  // The directory (fetched once, then cached).
  Result<Directory> directory();

  // §7.3: registers (or, if the key is known, finds) the account, agreeing to
  // the terms when asked. Sets the account URL used as "kid" from then on.
  Result<Account> new_account(const std::vector<std::string>& contact, bool agree_to_terms,
                              const std::optional<ExternalAccountBinding>& eab);
  // §7.3.1 onlyReturnExisting: the account of this key, or accountDoesNotExist.
  Result<Account> find_account();
  void set_account_url(std::string url);
  const std::string& account_url() const;

  // §7.4 (+ RFC 9773 "replaces", draft profiles "profile" when non-empty).
  Result<Order> new_order(const std::vector<Identifier>& identifiers, const std::string& profile = "",
                          const std::string& replaces = "");
  // RFC 9773 §5: new_order with "replaces" = `replaces` (the ari_cert_id
  // of the certificate being renewed). When the server answers
  // alreadyReplaced (another order already replaces it), orders once more
  // without "replaces"; that second answer, success or error, is final.
  // Other errors are returned as they are. The returned Order's `replaces`
  // is what the server echoed ("" after the fallback).
  Result<Order> new_order_replacing(const std::vector<Identifier>& identifiers, const std::string& profile,
                                    const std::string& replaces);
  Result<Order> order(const std::string& url);  // POST-as-GET
  Result<Authorization> authorization(const std::string& url);
  // §7.5.1: tell the server the challenge is ready to be validated.
  Result<Challenge> respond(const std::string& challenge_url);
  // Polls until the authorization is no longer pending.
  Result<Authorization> wait_authorization(const std::string& url);
  // §7.4: finalize with a DER CSR; then polls until the order is valid or invalid.
  Result<Order> finalize(const Order& order, const std::string& csr_der);
  Result<Order> wait_order(const std::string& url);
  // §7.4.2: the PEM chain; when `preferred_issuer_cn` is set and the default
  // chain's top certificate is not issued by it, the Link rel="alternate"
  // chains are fetched and the first whose top issuer CN matches is used.
  Result<std::string> download(const std::string& certificate_url, const std::string& preferred_issuer_cn = "");
  // RFC 9773 §4.1: the CA's suggested renewal window for the certificate
  // `cert_id` (crypto::ari_cert_id), by an unauthenticated GET of
  // {renewalInfo}/{cert_id}; needs no account. Errc::not_found when the
  // directory has no renewalInfo; Errc::invalid_input for an id that is not
  // base64url "." base64url; an error status is Errc::ca_failed (its cause
  // holds the status and the clamped Retry-After), no answer Errc::network;
  // a malformed document (§4.2) Errc::ca_failed.
  Result<RenewalInfo> renewal_info(const std::string& cert_id);
  // §7.6: revoke with the account key. alreadyRevoked counts as success.
  Status revoke(const std::string& certificate_der, int reason);
  // §7.3.5: roll the account over to `new_key` (the caller then uses it).
  Status key_change(const crypto::Signer& new_key);
  // §7.3.6
  Result<Account> deactivate();

  std::size_t requests() const;  // HTTP requests sent so far

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace certkeeper::acme
