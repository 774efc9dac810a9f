// The probe's TLS client: a handshake over the probe's connection, within
// its deadline, that accepts whatever certificate the server presents (the
// probe judges the chain itself afterwards, see probe_verify.h). Internal to
// the deploy module.
#pragma once

#include <string>

#include "certkeeper/crypto/openssl_ptr.h"
#include "certkeeper/util/result.h"
#include "probe_socket.h"

namespace certkeeper::deploy::probe_detail {

// TLS runs over a BIO pair whose outer half this code moves to and from the
// socket with send(MSG_NOSIGNAL)/recv: OpenSSL's socket BIO writes with
// write(), and a server that resets the connection would raise SIGPIPE in
// the caller's process.
struct TlsSession {
  crypto::SslCtxPtr ctx;
  crypto::BioPtr network;  // the outer half of the pair
  crypto::SslPtr ssl;      // owns the inner half
};

// `sni` = the server name to send, "" for none. Errc::network when the
// handshake fails (OpenSSL's reason in words) or the server closes the
// connection; Errc::timeout from the connection's deadline.
Result<TlsSession> tls_handshake(Connection& conn, const std::string& sni);

// Sends close_notify, best effort: the server's log should show a clean end.
void tls_goodbye(Connection& conn, TlsSession& session);

}  // namespace certkeeper::deploy::probe_detail
