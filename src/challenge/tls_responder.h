// The TLS listener behind the tls-alpn-01 solver: one thread, one poll()
// loop over the listening socket, a wake-up pipe and the handshakes in
// flight; one per listen address, shared through responder_registry.h.
// Internal to the challenge module.
#pragma once

#include <memory>
#include <string>
#include <thread>

#include "certkeeper/crypto/openssl_ptr.h"
#include "certkeeper/util/result.h"
#include "responder_registry.h"

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

class TlsResponder final : public Listener {
 public:
  // Answers on `listen_fd` (a listening socket it now owns; it is closed
  // when starting fails) until destroyed. `lookup` maps the client's SNI
  // (lower-cased, without a trailing dot) to the TlsIdentity to present, or
  // nullptr to refuse. Errc::crypto or Errc::io when it cannot start.
  static Result<std::unique_ptr<Listener>> start(int listen_fd, AnswerLookup lookup);

  // Stops the thread, aborts handshakes in flight, closes the socket.
  ~TlsResponder() override;
  TlsResponder(const TlsResponder&) = delete;
  TlsResponder& operator=(const TlsResponder&) = delete;

 private:
  TlsResponder() = default;
  void run();

  AnswerLookup lookup_;
  SslCtxPtr ctx_;
  int listen_fd_ = -1;
  int wake_read_ = -1;
  int wake_write_ = -1;
  std::thread thread_;
};

}  // namespace certkeeper::challenge::detail
