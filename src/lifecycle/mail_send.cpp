// Sending reports and alerts through the mail settings.
#include <unistd.h>

#include <random>

#include <fmt/format.h>

#include "certkeeper/lifecycle/mail.h"
#include "certkeeper/util/expiry.h"
#include "certkeeper/util/text.h"

namespace certkeeper::lifecycle {
namespace {

std::string message_id(const std::string& from, UnixTime now) {
  std::random_device random;
  return fmt::format("<certkeeper.{}.{:08x}{:08x}@{}>", now, random(), random(), from.substr(from.rfind('@') + 1));
}

}  // namespace

std::string mail_host_name() {
  char name[256] = {};
  if (::gethostname(name, sizeof name - 1) != 0 || name[0] == '\0') return "localhost";
  return name;
}

Result<std::vector<std::string>> mail_recipients(const MailSettings& settings, const std::vector<std::string>& to) {
  const std::vector<std::string>& list = to.empty() ? settings.to : to;
  if (list.empty()) {
    return make_error(Errc::usage, "no recipient: give --email ADDRESS or a 'to = ...' line in the mail settings");
  }
  for (const auto& address : list) {
    if (!net::valid_mail_address(address)) {
      return make_error(Errc::usage, "'" + address + "' is not a mail address like ops@example.com");
    }
  }
  return list;
}

Status send_mail(const MailSettings& settings, const std::vector<std::string>& to, const std::string& subject,
                 const std::string& text, const std::string& html, UnixTime now) {
  auto recipients = mail_recipients(settings, to);
  if (!recipients) return recipients.error();
  net::MailContent content{settings.from, *recipients, subject, text, html, now, message_id(settings.from, now)};
  return net::make_curl_mailer(settings.smtp)->send({settings.from, *recipients, net::compose_mail(content)});
}

Status send_event_mail(const MailSettings& settings, const std::vector<std::string>& to, const HookEvent& e) {
  const std::string host = mail_host_name();
  std::string text = fmt::format("certkeeper on {}: {} for {}\n\n", host, e.event, e.name);
  text += fmt::format("certificate:  {}\nevent:        {}\n", e.name, e.event);
  if (e.not_after) {
    const std::int64_t left = days_left(*e.not_after, e.now);
    text += fmt::format("expires:      {} ({} day{} left)\n", format_utc(*e.not_after), left, left == 1 ? "" : "s");
  }
  if (!e.error.empty()) text += "error:        " + text::printable(e.error) + "\n";
  text += fmt::format("at:           {}\n\nSee 'certkeeper history {}' on {}.\n", format_utc(e.now), e.name, host);
  return send_mail(settings, to, fmt::format("certkeeper: {} {} on {}", e.event, e.name, host), text, "", e.now);
}

}  // namespace certkeeper::lifecycle
