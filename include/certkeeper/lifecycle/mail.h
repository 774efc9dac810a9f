// Mail: the settings file, and sending a report or an alert through it.
//
// The settings file (docs/manual/mail.md) holds the SMTP password, so it
// must be mode 0600 (or stricter): anything readable by group or others is
// refused before it is used.
//
//   # /etc/certkeeper/mail.conf (comments are whole lines)
//   server   = smtp.example.com
//   # default port: 587 for starttls, 465 for implicit, 25 for none
//   port     = 587
//   tls      = starttls
//   username = certkeeper@example.com
//   password = ...
//   from     = certkeeper@example.com
//   # default recipients
//   to       = ops@example.com, oncall@example.com
//   # optional: trust only these CAs for the mail server
//   ca_file  = /etc/ssl/private-ca.pem
#pragma once

#include <span>
#include <string>
#include <vector>

#include "certkeeper/lifecycle/event_hook.h"
#include "certkeeper/net/mailer.h"
#include "certkeeper/util/clock.h"
#include "certkeeper/util/result.h"

namespace certkeeper::lifecycle {

struct MailSettings {
  net::SmtpOptions smtp;
  std::string from;
  std::vector<std::string> to;  // default recipients
};

// $CERTKEEPER_MAIL_CONFIG, else /etc/certkeeper/mail.conf for root and
// ${XDG_CONFIG_HOME:-~/.config}/certkeeper/mail.conf otherwise.
std::string default_mail_settings_path();

// The keys of the settings file, with their meanings: the parser names them
// in its "unknown key" message and the reference documentation prints them.
struct MailSettingKey {
  const char* key;
  const char* meaning;
};
std::span<const MailSettingKey> mail_setting_keys();

// Parses and checks the file. Errc::io when it cannot be read;
// Errc::invalid_input for a mode other than 0600/0400, an unknown key, a bad
// value or a missing server/from (the message names the line, never the
// password).
Result<MailSettings> load_mail_settings(const std::string& path);
// The parsing step of load_mail_settings: the file's text, `path` naming it
// in errors. The same Errc::invalid_input errors, without the mode check.
Result<MailSettings> parse_mail_settings(const std::string& text, const std::string& path);

// The recipients: `to` when given, else the settings' default ones.
// Errc::usage when neither names anyone or an address is malformed.
Result<std::vector<std::string>> mail_recipients(const MailSettings& settings, const std::vector<std::string>& to);

// This host's name as mail subjects and bodies show it ("localhost" when
// it has none).
std::string mail_host_name();

// Sends one message (text, and HTML as an alternative when not empty).
Status send_mail(const MailSettings& settings, const std::vector<std::string>& to, const std::string& subject,
                 const std::string& text, const std::string& html, UnixTime now);

// An alert for a scheduler event: "certkeeper: EVENT NAME on HOST" and a
// plain text body with the name, event, days left, expiry and error.
Status send_event_mail(const MailSettings& settings, const std::vector<std::string>& to, const HookEvent& event);

}  // namespace certkeeper::lifecycle
