#include "mail_options.h"

namespace certkeeper::cli {

std::vector<std::string> MailOptions::recipients() const {
  std::vector<std::string> out;
  for (const auto& e : email) {
    if (!e.empty()) out.push_back(e);
  }
  return out;
}

void add_mail_options(CLI::App* app, MailOptions& options, const std::string& what) {
  options.email_option =
      app->add_option("--email", options.email,
                      "Mail " + what + " to ADDR (repeatable; without ADDR: the 'to' of the mail settings)")
          ->type_name("ADDR")
          ->expected(0, 1)
          ->allow_extra_args(false);
  app->add_option("--mail-config", options.config,
                  "Mail settings file (default $CERTKEEPER_MAIL_CONFIG, /etc/certkeeper/mail.conf for root, "
                  "~/.config/certkeeper/mail.conf otherwise)")
      ->type_name("F");
}

Result<std::optional<lifecycle::MailSettings>> load_mail(const MailOptions& options) {
  if (!options.wanted()) return std::optional<lifecycle::MailSettings>();
  auto settings =
      lifecycle::load_mail_settings(options.config.empty() ? lifecycle::default_mail_settings_path() : options.config);
  if (!settings) return settings.error();
  if (auto to = lifecycle::mail_recipients(*settings, options.recipients()); !to) return to.error();
  return std::optional<lifecycle::MailSettings>(std::move(*settings));
}

}  // namespace certkeeper::cli
