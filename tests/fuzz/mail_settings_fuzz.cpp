// The mail settings file (README "Mail settings"): key = value lines. What
// parses must name a server and a sender, and a username never goes with
// tls = none.
#include "certkeeper/lifecycle/mail.h"
#include "fuzz_input.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace certkeeper;
  auto settings = lifecycle::parse_mail_settings(std::string(fuzz::as_text(data, size)), "/etc/certkeeper/mail.conf");
  if (!settings) return 0;
  if (settings->smtp.host.empty() || settings->from.empty()) fuzz::property_failed("settings without server or from");
  if (settings->smtp.port < 1 || settings->smtp.port > 65535) fuzz::property_failed("a port out of range");
  if (!settings->smtp.username.empty() && settings->smtp.tls == net::SmtpTls::none) {
    fuzz::property_failed("a password would go in clear");
  }
  for (const auto& to : settings->to) {
    if (!net::valid_mail_address(to)) fuzz::property_failed("an invalid default recipient");
  }
  return 0;
}
