// The plaintext part of the STARTTLS protocols the probe speaks: SMTP
// (RFC 3207), IMAP (RFC 3501 §6.2.1, RFC 9051 §6.2.1) and POP3 (RFC 2595
// §4), up to the server's "go ahead". Internal to the deploy module.
#pragma once

#include "certkeeper/deploy/target.h"
#include "certkeeper/util/result.h"
#include "certkeeper/net/connection.h"

namespace certkeeper::deploy::probe_detail {

using net::Channel;

// What a server may send before TLS starts, at most: a line longer than
// this or more lines than that ends the dialogue with Errc::network, so a
// broken or hostile server cannot make the probe buffer without end.
inline constexpr std::size_t kMaxLineLength = 4096;
inline constexpr int kMaxLines = 100;

// Runs the dialogue on `conn`; on success the next bytes on the connection
// belong to the TLS handshake. Errc::network when the server does not offer
// STARTTLS, refuses it or answers something else (the message quotes what
// it said); Errc::timeout from the connection's deadline. Nothing to do for
// Starttls::none.
Status run_starttls(Channel& conn, Starttls protocol);

}  // namespace certkeeper::deploy::probe_detail
