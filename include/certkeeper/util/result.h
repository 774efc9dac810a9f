// Result<T>: a value or an Error, the shape of std::expected (C++23), used at
// every module boundary instead of exceptions.
#pragma once

#include <string>
#include <utility>
#include <variant>

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

// One failure: a stable code, a one-line message that says what is wrong and
// what to do, and the subject (file path or certificate name) it is about.
// Messages never contain private key material.
struct Error {
  Errc code = Errc::internal;
  std::string message;
  std::string subject;

  // "subject: message", or just the message when there is no subject.
  std::string what() const;
};

inline Error make_error(Errc code, std::string message, std::string subject = {}) {
  return Error{code, std::move(message), std::move(subject)};
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
