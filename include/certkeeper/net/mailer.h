// Mail over SMTP (libcurl, in the certkeeper-curl.so module): expiry reports
// (`report --email`) and the scheduler's alerts (`renew`/`run --email`).
//
// Contracts:
// - TLS is verified against the system store, or only `ca_file`; never off.
// - `tls` = starttls demands STARTTLS (a server without it is an error, the
//   password is never sent in clear); implicit connects with TLS (smtps, 465);
//   none is plain SMTP, for a relay on this host.
// - The password is never part of an error message.
#pragma once

#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "certkeeper/util/clock.h"
#include "certkeeper/util/result.h"

namespace certkeeper::net {

enum class SmtpTls { starttls, implicit, none };

struct SmtpOptions {
  std::string host;
  int port = 587;
  SmtpTls tls = SmtpTls::starttls;
  std::string username;  // "" = no AUTH
  std::string password;
  std::string ca_file;   // trust only these CAs (PEM)
  std::chrono::milliseconds timeout{60'000};
};

// One message as it goes on the wire: the envelope and the RFC 5322 text.
struct MailEnvelope {
  std::string from;             // envelope sender (MAIL FROM)
  std::vector<std::string> to;  // recipients (RCPT TO), at least one
  std::string message;          // headers and body, CRLF line ends
};

class Mailer {
 public:
  virtual ~Mailer() = default;
  // Errc::network when the server cannot be reached, refuses TLS, the login
  // or a recipient (the message says which, with "HOST:PORT" as subject).
  virtual Status send(const MailEnvelope& mail) = 0;
};

std::unique_ptr<Mailer> make_curl_mailer(const SmtpOptions& options);

// The parts of a report or an alert.
struct MailContent {
  std::string from;
  std::vector<std::string> to;
  std::string subject;  // any UTF-8; encoded per RFC 2047 when not ASCII
  std::string text;     // text/plain; charset=utf-8
  std::string html;     // text/html alternative, "" for none
  UnixTime date = 0;
  std::string message_id;  // "<...@...>", "" = none
};

// The RFC 5322 message: Date, From, To, Subject, Message-ID, MIME-Version,
// and a text/plain body (with a text/html alternative when given), each part
// base64 in lines of 76, so that no line ever exceeds SMTP's 998 octets and
// no line begins with a dot. CRLF line ends.
std::string compose_mail(const MailContent& content);

// Whether `address` is a plain addr-spec we accept (local@domain, printable
// ASCII, no spaces, angle brackets, commas or CR/LF).
bool valid_mail_address(const std::string& address);

}  // namespace certkeeper::net
