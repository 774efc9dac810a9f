// Real ACME for tests: Debian's pebble and pebble-challtestsrv, started on
// free 127.0.0.1 ports by the test process itself and stopped at the end
// (bounded waits). Pebble's default 5% bad-nonce rejection stays on.
#pragma once

#include <map>
#include <memory>
#include <string>

namespace certkeeper::testing {

struct PebbleOptions {
  bool eab = false;                 // externalAccountBindingRequired, with pebble's example keys
  bool always_valid = false;        // PEBBLE_VA_ALWAYS_VALID=1
  int alternate_roots = 0;          // PEBBLE_ALTERNATE_ROOTS
  long certificate_validity = 0;    // certificateValidityPeriod seconds (0 = pebble's default)
  std::map<std::string, std::string> extra_env;  // for pebble; inherited PEBBLE_* variables are dropped
  // "127.0.0.1:PORT": pebble resolves every name through this DNS server
  // (e.g. a real BIND, tests/support/bind.h) and pebble-challtestsrv is not
  // started (set_txt/clear_txt then fail). "" = challtestsrv, as below.
  std::string dns_server;
};

class Pebble {
 public:
  // Starts pebble-challtestsrv (DNS on a free port, management on another,
  // its own http-01/tls-alpn-01/https-01 responders disabled, A = 127.0.0.1,
  // no AAAA) and pebble (-dnsserver pointing at it), each on free loopback
  // ports, with a generated TLS certificate for its listener; waits until
  // both answer (bounded). Throws std::runtime_error when they cannot start.
  explicit Pebble(const PebbleOptions& options = {});
  ~Pebble();  // stops both (SIGTERM, then SIGKILL), removes its files
  Pebble(const Pebble&) = delete;
  Pebble& operator=(const Pebble&) = delete;

  std::string directory_url() const;   // https://127.0.0.1:PORT/dir
  std::string ca_file() const;         // PEM CA that signed pebble's listener certificate
  int http01_port() const;             // where pebble validates http-01
  int tlsalpn01_port() const;          // where pebble validates tls-alpn-01
  // GET management /roots/N (new on every start); N > 0 are the
  // alternate roots of PebbleOptions::alternate_roots.
  std::string issuing_root_pem(int index = 0) const;

  // pebble-challtestsrv management: TXT records for dns-01.
  void set_txt(const std::string& fqdn, const std::string& value) const;
  void clear_txt(const std::string& fqdn) const;
  // An A record: `host` (a name, without the final dot) resolves to
  // `address` for pebble's validations instead of 127.0.0.1.
  void add_a(const std::string& host, const std::string& address) const;
  // The orders pebble made since it started, counted in its log ("Added
  // order ... to the db").
  int orders_in_log() const;
  std::string challtestsrv_management_url() const;  // http://127.0.0.1:PORT
  int dns_port() const;  // pebble-challtestsrv's DNS on 127.0.0.1 (UDP and TCP), pebble's resolver

  // The EAB key pebble's example config accepts (with options.eab).
  static constexpr const char* kEabKid = "kid-1";
  static constexpr const char* kEabHmacKey = "zWNDZM6eQGHWpSRTPal5eIUYFTu7EajVIoguysqZ9wG44nMEtx3MUAsUDkMTQ12W";

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace certkeeper::testing
