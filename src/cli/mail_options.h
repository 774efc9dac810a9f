// --email [ADDR] and --mail-config F, shared by report, renew and run.
#pragma once

#include <CLI/CLI.hpp>

#include <optional>
#include <string>
#include <vector>

#include "certkeeper/lifecycle/mail.h"
#include "certkeeper/util/result.h"

namespace certkeeper::cli {

struct MailOptions {
  std::vector<std::string> email;  // recipients; empty with --email given = the settings' `to`
  std::string config;              // "" = lifecycle::default_mail_settings_path()
  CLI::Option* email_option = nullptr;

  bool wanted() const { return email_option != nullptr && email_option->count() > 0; }
  std::vector<std::string> recipients() const;  // without the empty values of a bare --email
};

// Adds both options; `what` ends "Mail ..." in --email's help.
void add_mail_options(CLI::App* app, MailOptions& options, const std::string& what);

// The settings and recipients, checked before any work when --email was
// given; nullopt when it was not.
Result<std::optional<lifecycle::MailSettings>> load_mail(const MailOptions& options);

}  // namespace certkeeper::cli
