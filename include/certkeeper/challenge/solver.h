// Challenge solvers (RFC 8555 §8): one interface, four ways to answer.
//
// Contracts:
// - present() makes the answer for one authorization visible; cleanup()
//   removes it, never fails loudly, and is safe to call for a task whose
//   present() failed. Callers run cleanup() on every path (CleanupGuard).
// - No value from the server becomes a path or a shell word unless it passed
//   valid_token(): base64url, at least 128 bits (22 characters).
// - Solvers are thread-safe: parallel orders may share one, and the built-in
//   responders share one listener per address across solvers.
#pragma once

#include <chrono>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "certkeeper/util/clock.h"
#include "certkeeper/util/result.h"

namespace certkeeper::challenge {

struct Task {
  std::string type;               // "http-01", "tls-alpn-01" or "dns-01"
  std::string identifier;         // the name or IP being validated (for dns-01: without "*.")
  std::string token;              // from the server; checked with valid_token()
  std::string key_authorization;  // token "." base64url(account key thumbprint) (RFC 8555 §8.1)
};

// base64url alphabet only, no padding, at least 22 characters (128 bits).
bool valid_token(std::string_view token);

// The dns-01 TXT value: base64url(SHA-256(key_authorization)) (RFC 8555 §8.4).
std::string dns01_value(const std::string& key_authorization);

class Solver {
 public:
  virtual ~Solver() = default;
  virtual std::string type() const = 0;  // the challenge type it answers
  virtual Status present(const Task& task) = 0;
  virtual void cleanup(const Task& task) = 0;
  // Called once after every present() of an order and before the server is
  // asked to validate (the dns-01 propagation wait). Default: nothing.
  virtual Status ready() { return {}; }
};

// http-01: writes WEBROOT/.well-known/acme-challenge/TOKEN (mode 0644,
// creating the two directories 0755) and removes it on cleanup.
std::unique_ptr<Solver> make_webroot_solver(std::string webroot);

// http-01 with one document root per name (certbot's webroot_map): each
// task is written under the root of its identifier (matched without regard
// to case); a name without one fails present() with Errc::usage.
std::unique_ptr<Solver> make_webroot_map_solver(const std::map<std::string, std::string>& webroots);

// The built-in responders below keep one listener per listen address for the
// whole process: every solver made for an address (and so every order in
// flight, in any thread) shares it, and it listens only while at least one
// task is active. While another program holds the port (another certkeeper
// validating on the same address), present() waits for it, at most
// `port_wait`, saying so once on stderr; then Errc::io naming the address.
inline constexpr std::chrono::seconds kDefaultPortWait{60};

// http-01: a built-in HTTP server on ADDR:PORT (e.g. "127.0.0.1:5002") that
// answers GET /.well-known/acme-challenge/TOKEN for active tokens only (404
// for anything else), one request per connection.
std::unique_ptr<Solver> make_http_standalone_solver(std::string listen,
                                                    std::chrono::seconds port_wait = kDefaultPortWait);

// tls-alpn-01 (RFC 8737): a built-in TLS server on ADDR:PORT that completes
// handshakes only for ALPN "acme-tls/1" and an SNI with an active task,
// presenting the certificate from crypto::make_tls_alpn_certificate.
std::unique_ptr<Solver> make_tls_alpn_solver(std::string listen, std::chrono::seconds port_wait = kDefaultPortWait);

// dns-01 through a hook program with lego's exec contract:
//   PROG present _acme-challenge.NAME. VALUE
//   PROG cleanup _acme-challenge.NAME. VALUE
// run with an argument vector (no shell), a timeout, and the environment
// variables CERTKEEPER_DNS_FQDN / CERTKEEPER_DNS_VALUE set too. ready()
// waits `propagation` on `clock` once per order.
std::unique_ptr<Solver> make_dns_hook_solver(std::string program, std::chrono::seconds propagation,
                                             Clock& clock);

// Runs cleanup() for every task it was given when it goes out of scope.
class CleanupGuard {
 public:
  explicit CleanupGuard(Solver& solver) : solver_(solver) {}
  ~CleanupGuard();
  CleanupGuard(const CleanupGuard&) = delete;
  CleanupGuard& operator=(const CleanupGuard&) = delete;
  void add(Task task) { tasks_.push_back(std::move(task)); }

 private:
  Solver& solver_;
  std::vector<Task> tasks_;
};

}  // namespace certkeeper::challenge
