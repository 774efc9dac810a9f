// A TLS endpoint on 127.0.0.1 for probe tests: serves a given chain and key,
// optionally after the plaintext part of SMTP, IMAP or POP3 STARTTLS, and
// can misbehave in the ways the probe must survive. One thread, one
// connection at a time; it records what clients said (commands, SNI) for
// assertions.
//
// Independent of certkeeper's crypto and deploy modules (OpenSSL C API
// only). Set-up failures throw std::runtime_error (a test bug).
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

namespace certkeeper::testing {

// The plaintext dialogue before TLS.
enum class Dialogue { none, smtp, imap, pop3 };

enum class EndpointFault {
  none,
  // SMTP: STARTTLS missing from the EHLO answer (and "502" to the command);
  // IMAP: "BAD" to STARTTLS; POP3: "-ERR" to STLS.
  no_starttls,
  // SMTP "454", IMAP "NO", POP3 "-ERR" to the STARTTLS command.
  starttls_refused,
  // Accepts the connection, then never sends a byte (with Dialogue::none it
  // never answers the ClientHello).
  silent,
  // The greeting is one line that never ends (a dialogue is required).
  endless_line,
  // SMTP only: "220-" continuation lines without end.
  endless_lines,
};

struct TlsEndpointOptions {
  std::string chain_pem;  // the certificates to serve, leaf first, exactly as the server sends them
  std::string key_pem;    // the leaf's private key
  Dialogue dialogue = Dialogue::none;
  EndpointFault fault = EndpointFault::none;
  // A server that was just reloaded: the connections (counted from 0) in
  // `stale_connections` are answered with this chain and key instead, as a
  // worker from before the reload would.
  std::string stale_chain_pem{};
  std::string stale_key_pem{};
  std::vector<int> stale_connections{};
};

// What one ClientHello carried.
struct ClientHelloSeen {
  std::optional<std::string> sni;  // nullopt: no server_name extension
};

class TlsEndpoint {
 public:
  // Listening on 127.0.0.1 on a free port when it returns.
  explicit TlsEndpoint(TlsEndpointOptions options);
  // Stops the thread (every wait in it also watches a stop pipe, so this
  // takes milliseconds, even mid-connection) and closes the sockets.
  ~TlsEndpoint();
  TlsEndpoint(const TlsEndpoint&) = delete;
  TlsEndpoint& operator=(const TlsEndpoint&) = delete;

  int port() const { return port_; }
  // Every ClientHello so far, in order. Recorded while the hello is
  // processed, so it is complete once a client's handshake has finished.
  std::vector<ClientHelloSeen> hellos() const;
  // Every plaintext command line received (without CRLF), in order.
  std::vector<std::string> commands() const;

  struct State;  // shared with the OpenSSL callbacks

 private:
  void run();

  std::shared_ptr<State> state_;
  int listen_fd_ = -1;
  int wake_read_ = -1;
  int wake_write_ = -1;
  int port_ = 0;
  std::thread thread_;
};

}  // namespace certkeeper::testing
