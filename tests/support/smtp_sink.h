// A real SMTP server for the mail tests: Debian's python3-aiosmtpd running
// tests/support/smtp_sink.py on a free 127.0.0.1 port, with optional
// STARTTLS (required), implicit TLS, AUTH (required, only over TLS) and a
// recipient it refuses. Every accepted message is kept as it arrived.
// Started with a bounded wait; stopped (and reaped) by the destructor.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <string>
#include <vector>

namespace certkeeper::testing {

struct SmtpSinkOptions {
  std::string starttls_cert, starttls_key;  // STARTTLS, required before MAIL
  std::string implicit_cert, implicit_key;  // TLS from the first byte
  std::string user, password;               // AUTH required
  std::string reject_rcpt;                  // RCPT TO this address gets 550
};

struct ReceivedMail {
  std::string from;
  std::vector<std::string> to;
  std::string user;  // "" without AUTH
  bool tls = false;
  std::string data;  // the message as received (CRLF)
};

class SmtpSink {
 public:
  // Starts at once; throws std::runtime_error (with the sink's stderr) when
  // it is not listening within 15 s.
  SmtpSink(const std::string& work_dir, SmtpSinkOptions options = {});
  ~SmtpSink();
  SmtpSink(const SmtpSink&) = delete;
  SmtpSink& operator=(const SmtpSink&) = delete;

  int port() const { return port_; }
  // The messages received so far, in order.
  std::vector<ReceivedMail> messages() const;
  // Waits (at most `timeout`) until at least `n` messages arrived.
  std::vector<ReceivedMail> wait_for(std::size_t n, std::chrono::milliseconds timeout = std::chrono::seconds(10)) const;

 private:
  void stop();  // SIGTERM, up to 5 s, then SIGKILL; always reaped

  std::string dir_;
  pid_t pid_ = -1;
  int port_ = 0;
};

// Decodes the base64 body of the part with this Content-Type in a MIME
// message ("text/plain", "text/html"); "" when there is none.
std::string mime_part(const std::string& message, const std::string& content_type);
// The value of a header of the message (first occurrence, unfolded).
std::string mail_header(const std::string& message, const std::string& name);

}  // namespace certkeeper::testing
