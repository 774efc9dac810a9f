// The TLS listener behind the tls-alpn-01 solver: one thread, one poll()
// loop over the listening socket, a wake-up pipe and the handshakes in
// flight. Internal to the challenge module.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <thread>

#include "certkeeper/crypto/openssl_ptr.h"
#include "certkeeper/util/result.h"

namespace certkeeper::challenge::detail {

using crypto::BioPtr;
using crypto::EvpPkeyPtr;
using crypto::SslCtxPtr;
using crypto::SslPtr;
using crypto::X509Ptr;

struct TlsIdentity {
  X509Ptr cert;
  EvpPkeyPtr key;
};

// Maps the client's SNI to the identity to present, or nullptr to refuse.
// Called on the responder thread; must be thread-safe.
using IdentityLookup = std::function<std::shared_ptr<const TlsIdentity>(const std::string& sni)>;

class TlsResponder {
 public:
  // Listens on `listen` ("ADDR:PORT") and answers until destroyed.
  // Errc::usage for a malformed address, Errc::io when it cannot listen.
  static Result<std::unique_ptr<TlsResponder>> start(const std::string& listen, IdentityLookup lookup);

  // Stops the thread, aborts handshakes in flight, closes the socket.
  ~TlsResponder();
  TlsResponder(const TlsResponder&) = delete;
  TlsResponder& operator=(const TlsResponder&) = delete;

 private:
  TlsResponder() = default;
  void run();

  IdentityLookup lookup_;
  SslCtxPtr ctx_;
  int listen_fd_ = -1;
  int wake_read_ = -1;
  int wake_write_ = -1;
  std::thread thread_;
};

}  // namespace certkeeper::challenge::detail
