// Result<T>: a value or an Error, the shape of std::expected (C++23), used at
// every module boundary instead of exceptions.
#pragma once

#include <optional>
#include <string>
#include <utility>
#include <variant>
#include <vector>

#include "certkeeper/util/clock.h"

namespace certkeeper {

// Stable error codes. The CLI maps them to exit codes (docs/reference/exit-codes.md).
enum class Errc {
  usage,              // bad arguments or options (exit 2)
  io,                 // a file or directory could not be read or written (exit 1)
  not_found,          // a named thing does not exist (exit 1)
  invalid_input,      // input rejected before or by validation (exit 3)
  rejected,           // the validation gate found errors (exit 3)
  crypto,             // an OpenSSL operation failed unexpectedly (exit 1)
  database,           // SQLite failed (exit 1)
  database_corrupt,   // the database file is not a usable certkeeper database (exit 1)
  database_newer,     // the database was written by a newer certkeeper (exit 1)
  conflict,           // the request contradicts existing state (exit 1)
  network,            // a connection failed, timed out or broke (exit 1; 4 when talking to a CA)
  ca_failed,          // the ACME server refused or failed the request (exit 4)
  timeout,            // a bounded wait ran out (exit 1)
  internal,           // a bug: an invariant did not hold (exit 1)
};

const char* errc_name(Errc code) noexcept;

// What an outside party said about a failure, carried inside the Error as
// plain values, so that the caller decides on it (retry, back off, halt,
// show a URL) without reading anything back afterwards and without parsing
// the message (lego's typed errors, STYLE.md). util knows no ACME: the acme
// module fills it from a problem document (RFC 8555 §6.7), lifecycle from
// the validation gate's finding. Every string in it is valid UTF-8 and one
// printable line (util/text.h), because it came from outside.
enum class CauseKind {
  none,        // the code and the message are all there is
  ca_problem,  // an ACME server's error answer (a problem document, or only an HTTP status)
  finding,     // a validation finding of the gate
};

struct SubCause {  // RFC 8555 §6.7.1 subproblems
  std::string type;        // the ACME error name ("rejectedIdentifier"), as Cause::type
  std::string detail;
  std::string identifier;  // the identifier's value, "" when not given
};

struct Cause {
  CauseKind kind = CauseKind::none;
  // Stable, for scripts and decisions: the ACME error name without its URN
  // prefix ("rateLimited", "userActionRequired"), the whole type for a
  // problem that is not an ACME one, "" for an answer that was no problem
  // document; a finding's code ("key-mismatch").
  std::string type;
  int http_status = 0;       // ca_problem: the HTTP status of the answer
  // Whether trying again later can succeed without anyone changing the
  // definition (rate limits, server trouble, a failed validation). False
  // for a problem that needs the operator (badCSR, userActionRequired, ...).
  bool transient = true;
  // The CA's Retry-After, as an absolute time, already clamped to
  // [received + kRetryAfterMin, received + kRetryAfterMax] (acme/problem.h).
  std::optional<UnixTime> retry_after;
  std::string instance;          // RFC 7807 "instance": a URL about this occurrence
  std::string terms_of_service;  // RFC 8555 §7.3.3: the Link rel="terms-of-service" URL
  std::vector<SubCause> subproblems;
};

// One failure: a stable code, a one-line message that says what is wrong and
// what to do, and the subject (file path or certificate name) it is about.
// Messages never contain private key material.
struct Error {
  Errc code = Errc::internal;
  std::string message;
  std::string subject;
  Cause cause;  // kind none unless an outside party said more

  // "subject: message", or just the message when there is no subject.
  std::string what() const;
};

inline Error make_error(Errc code, std::string message, std::string subject = {}) {
  return Error{code, std::move(message), std::move(subject), {}};
}

template <class T>
class [[nodiscard]] Result {
 public:
  Result(T value) : state_(std::in_place_index<0>, std::move(value)) {}  // NOLINT: implicit by design
  Result(Error error) : state_(std::in_place_index<1>, std::move(error)) {}  // NOLINT

  bool has_value() const noexcept { return state_.index() == 0; }
  explicit operator bool() const noexcept { return has_value(); }

  T& value() & { return std::get<0>(state_); }
  const T& value() const& { return std::get<0>(state_); }
  T&& value() && { return std::get<0>(std::move(state_)); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }

  const Error& error() const& { return std::get<1>(state_); }
  Error&& error() && { return std::get<1>(std::move(state_)); }

 private:
  std::variant<T, Error> state_;
};

template <>
class [[nodiscard]] Result<void> {
 public:
  Result() = default;
  Result(Error error) : error_(std::move(error)), ok_(false) {}  // NOLINT

  bool has_value() const noexcept { return ok_; }
  explicit operator bool() const noexcept { return ok_; }
  const Error& error() const& { return error_; }
  Error&& error() && { return std::move(error_); }

 private:
  Error error_;
  bool ok_ = true;
};

using Status = Result<void>;

}  // namespace certkeeper
