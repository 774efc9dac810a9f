// A TLS client over a Connection, within the connection's deadline: the
// HTTPS client's (verifying the server) and the probe's (accepting whatever
// the server presents, which the probe judges itself afterwards).
#pragma once

#include <string>

#include "certkeeper/crypto/openssl_ptr.h"
#include "certkeeper/net/connection.h"
#include "certkeeper/util/result.h"

namespace certkeeper::net {

// A client context that completes the handshake whatever certificate the
// server presents.
Result<crypto::SslCtxPtr> accepting_client_context();

// A client context that verifies the server's chain, TLS 1.2 at least:
// against the CAs of `ca_file` only when it is given (Errc::network naming it
// when it cannot be read), otherwise against the system store (OpenSSL's
// certificate directory, looked up as needed, or SSL_CERT_FILE/SSL_CERT_DIR
// when the environment names them).
Result<crypto::SslCtxPtr> verifying_client_context(const std::string& ca_file);

struct TlsPeer {
  // The server name to send (RFC 6066 §3), "" for none; never an IP
  // literal, which SNI cannot carry.
  std::string sni;
  // When not empty, the host name or IP address the certificate must be for
  // (RFC 6125); checked only by a verifying context.
  std::string expected_name;
};

// TLS runs over a BIO pair whose outer half this code moves to and from the
// socket with send(MSG_NOSIGNAL)/recv: OpenSSL's socket BIO writes with
// write(), and a server that resets the connection would raise SIGPIPE in
// the caller's process.
class TlsChannel final : public Channel {
 public:
  // Errc::network when the handshake fails (OpenSSL's reason in words; "TLS
  // verify failed: ..." when the certificate was refused) or the server
  // closes the connection; Errc::timeout from the connection's deadline.
  static Result<TlsChannel> handshake(Connection conn, SSL_CTX* ctx, const TlsPeer& peer);

  SSL* ssl() const { return ssl_.get(); }
  Connection& connection() { return conn_; }

  Status send_all(std::string_view data, std::string_view doing) override;
  // 0 when the server closed the TLS session or the connection.
  Result<std::size_t> receive(char* buffer, std::size_t size, std::string_view doing) override;
  Error fail(Errc code, std::string message) const override { return conn_.fail(code, std::move(message)); }

  // Sends close_notify, best effort: the server's log should show a clean end.
  void goodbye();

 private:
  explicit TlsChannel(Connection conn) : conn_(std::move(conn)) {}
  Status flush(std::string_view doing);
  Error broke(std::string_view doing) const;
  Result<std::size_t> pull(std::string_view doing);
  Status fill(std::string_view doing);

  Connection conn_;
  crypto::BioPtr network_;  // the outer half of the pair
  crypto::SslPtr ssl_;      // owns the inner half
};

}  // namespace certkeeper::net
