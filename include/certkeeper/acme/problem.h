// RFC 8555 §6.7 problem documents as a type (RFC 7807 format).
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "certkeeper/util/clock.h"
#include "certkeeper/util/result.h"

namespace certkeeper::acme {

// Every error type of RFC 8555 §6.7 (urn:ietf:params:acme:error:NAME), plus
// RFC 9773's alreadyReplaced, and `other` for anything else.
enum class ProblemType {
  account_does_not_exist,   // accountDoesNotExist
  already_replaced,         // alreadyReplaced (RFC 9773)
  already_revoked,          // alreadyRevoked
  bad_csr,                  // badCSR
  bad_nonce,                // badNonce: re-sign with a fresh nonce (§6.5)
  bad_public_key,           // badPublicKey
  bad_revocation_reason,    // badRevocationReason
  bad_signature_algorithm,  // badSignatureAlgorithm
  caa,                      // caa
  compound,                 // compound: see subproblems
  connection,               // connection
  dns,                      // dns
  external_account_required,  // externalAccountRequired
  incorrect_response,       // incorrectResponse
  invalid_contact,          // invalidContact
  malformed,                // malformed
  order_not_ready,          // orderNotReady
  rate_limited,             // rateLimited: honour Retry-After
  rejected_identifier,      // rejectedIdentifier
  server_internal,          // serverInternal
  tls,                      // tls
  unauthorized,             // unauthorized
  unsupported_contact,      // unsupportedContact
  unsupported_identifier,   // unsupportedIdentifier
  user_action_required,     // userActionRequired
  other,                    // not an ACME URN, or not a problem document at all
};

// "badNonce" for ProblemType::bad_nonce; "other" for other.
const char* problem_type_name(ProblemType type);
ProblemType parse_problem_type(const std::string& urn);

// Every string below came from the CA: it is stored as one printable line
// of valid UTF-8 (util/text.h), details shortened on a character boundary.
struct Subproblem {
  ProblemType type = ProblemType::other;
  std::string detail;
  std::string identifier;  // identifier.value, when given
};

struct Problem {
  ProblemType type = ProblemType::other;
  std::string type_urn;      // as sent
  std::string detail;
  int status = 0;            // HTTP status of the response
  std::vector<Subproblem> subproblems;
  std::optional<UnixTime> retry_after;  // from the Retry-After header, absolute, clamped (parse_retry_after)
  std::string instance;          // RFC 7807 "instance" (userActionRequired: where to agree, §7.3.3)
  std::string terms_of_service;  // the answer's Link rel="terms-of-service" (§7.3.3), "" when none

  // One line for people: "rateLimited: too many certificates (retry after
  // 2026-...)", with the instance and terms-of-service URLs when given.
  std::string summary() const;
  // Whether retrying the same request later can succeed (rate limits, server
  // trouble, connection/dns/tls validation failures) or never will until the
  // definition changes (badCSR, rejectedIdentifier, userActionRequired, ...).
  bool transient() const;
  // The problem as an Error's cause (util/result.h), and as the Error itself:
  // Errc::ca_failed, summary() as message, `subject` (the URL asked).
  Cause cause() const;
  Error to_error(const std::string& subject) const;
};

// Reads a problem document from an error response body (any content type;
// a body that is not JSON, e.g. an HTML error page, gives type `other` with
// a detail naming the status and saying the body was not a problem document).
// `retry_after_header` is the raw Retry-After value (seconds or HTTP date).
Problem parse_problem(int status, const std::string& body, const std::string& retry_after_header,
                      UnixTime now);

// The bounds of every Retry-After that outlives the request: stored as a
// next check, shown, scheduled. Below a minute would hammer the CA from a
// timer; beyond 30 days a typo in a header would silence renewals past most
// certificates' renewal window.
constexpr std::int64_t kRetryAfterMin = 60;
constexpr std::int64_t kRetryAfterMax = 30 * kSecondsPerDay;

// Retry-After (RFC 9110 §10.2.3): delay-seconds or an HTTP-date, as the
// delay from `now` in seconds, saturated to [0, kRetryAfterMax] before any
// arithmetic (so "9223372036854775807" or a date in the year 9999 cannot
// overflow); nullopt when absent or unreadable.
std::optional<std::int64_t> parse_retry_after_delay(const std::string& value, UnixTime now);

// The same as an absolute time clamped to [now + kRetryAfterMin, now +
// kRetryAfterMax]: what a problem's retry_after holds.
std::optional<UnixTime> parse_retry_after(const std::string& value, UnixTime now);

}  // namespace certkeeper::acme
