// The HTTP listener behind the http-01 standalone solver (RFC 8555 §8.3):
// one thread, one poll() loop over the listening socket, a wake-up pipe and
// the connections in flight. It answers exactly one request per connection:
//
//   GET|HEAD /.well-known/acme-challenge/TOKEN HTTP/1.x
//     200 with the key authorization (application/octet-stream) when TOKEN is
//     registered, 404 otherwise; 405 for another method, 400 for anything
//     that is not such a request line; always "Connection: close".
//
// Bounded: a request (line and headers) of at most 8 KiB, 10 s per
// connection from accept to the last byte sent, 64 connections at once.
// Internal to the challenge module.
#pragma once

#include <memory>
#include <string>
#include <thread>

#include "certkeeper/util/result.h"
#include "responder_registry.h"

namespace certkeeper::challenge::detail {

class HttpResponder final : public Listener {
 public:
  // Answers on `listen_fd` (a listening socket it now owns; it is closed
  // when starting fails) until destroyed. `lookup` maps a token to its key
  // authorization (a std::string). Errc::io when the thread cannot start.
  static Result<std::unique_ptr<Listener>> start(int listen_fd, AnswerLookup lookup);

  ~HttpResponder() override;  // stops the thread, drops connections, closes the socket
  HttpResponder(const HttpResponder&) = delete;
  HttpResponder& operator=(const HttpResponder&) = delete;

 private:
  HttpResponder() = default;
  void run();

  AnswerLookup lookup_;
  int listen_fd_ = -1;
  int wake_read_ = -1;
  int wake_write_ = -1;
  std::thread thread_;
};

// The response for one complete request head (request line + headers, up to
// the blank line): what the responder sends. `lookup` as for start().
// Exposed for tests.
std::string http01_response(const std::string& request_head, const AnswerLookup& lookup);

}  // namespace certkeeper::challenge::detail
