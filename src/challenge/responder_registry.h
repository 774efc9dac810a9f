// One built-in responder per listen address for the whole process, shared by
// every solver and so by every order in flight (renew's workers, issue
// --parallel): a registry of answers (an http-01 token's key authorization,
// a tls-alpn-01 name's certificate). present() adds an answer, cleanup()
// removes it, and the address's listener runs while any answer is there.
// Two listeners of one process on one address would fight for the port
// ("Address already in use"); another process on it is waited for.
// Internal to the challenge module.
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <string>

#include "certkeeper/util/result.h"
#include "listen_address.h"

namespace certkeeper::challenge::detail {

// What runs on an address while answers are registered; destroying it
// stops it (joins its thread, closes its socket).
class Listener {
 public:
  virtual ~Listener() = default;
};

// The answer registered under `name` on one address, or nullptr. Called on
// the listener's thread; thread-safe.
using AnswerLookup = std::function<std::shared_ptr<const void>(const std::string& name)>;

// Makes the listener for an address from its listening socket (which it
// then owns, also on failure).
using StartListener = std::function<Result<std::unique_ptr<Listener>>(int listen_fd, AnswerLookup lookup)>;

struct ResponderAddress {
  std::string kind;  // "http-01" or "tls-alpn-01": each kind has its own listeners
  std::string listen;  // ADDR:PORT as configured
  // How long to wait while another program holds the port (another
  // certkeeper validating on it, say); 0 = fail at once.
  std::chrono::seconds port_wait{0};
};

// Registers `answer` under `name` (replacing another answer under that name)
// and makes sure the address's listener runs, starting it with `start` on a
// socket from open_listener_waiting. Errc::usage for a malformed address,
// Errc::io when the port cannot be had (the answer is then not registered).
Status register_answer(const ResponderAddress& address, const std::string& name, std::shared_ptr<const void> answer,
                       const StartListener& start);

// Removes the answer under `name` if it is still `answer` (a later one under
// the same name stays); the listener stops with the address's last answer.
void unregister_answer(const ResponderAddress& address, const std::string& name, const void* answer);

}  // namespace certkeeper::challenge::detail
