// certkeeper account register|show|rollover|deactivate: the ACME account of
// the inventory's settings (directory, contact).
#include <fmt/format.h>

#include "app.h"
#include "certkeeper/lifecycle/account_ops.h"

namespace certkeeper::cli {
namespace {

nlohmann::json account_json(const lifecycle::AccountView& a) {
  nlohmann::json j = {{"directory_url", a.directory_url},
                      {"contact", a.contact},
                      {"account_url", a.account_url},
                      {"status", a.status},
                      {"key_type", a.key_type},
                      {"key_thumbprint", a.key_thumbprint},
                      {"created_at", format_utc(a.created_at)},
                      {"server_status", nullptr},
                      {"server_error", nullptr}};
  if (a.server_status) j["server_status"] = *a.server_status;
  if (a.server_error) {
    j["server_error"] = {{"code", errc_name(a.server_error->code)}, {"message", a.server_error->message}};
  }
  return j;
}

std::string account_text(const lifecycle::AccountView& a) {
  std::string status = a.status;
  if (a.server_status) {
    status += fmt::format(" (the CA says: {})", *a.server_status);
  } else if (a.server_error) {
    status += fmt::format(" (the CA could not be asked: {})", a.server_error->message);
  }
  return fmt::format(
      "directory:  {}\ncontact:    {}\naccount:    {}\nstatus:     {}\nkey:        {}, thumbprint {}\n"
      "created:    {}\n",
      a.directory_url, a.contact.empty() ? "(none)" : a.contact,
      a.account_url.empty() ? "(not registered)" : a.account_url, status, a.key_type, a.key_thumbprint,
      format_utc(a.created_at));
}

// One JSON document or a headline and the account's fields.
int print_account(const Globals& g, const char* action, const lifecycle::AccountView& a, const std::string& headline) {
  if (g.json) {
    nlohmann::json doc = {{"ok", true}, {"action", action}, {"account", account_json(a)}};
    if (std::string(action) == "register") doc["registered"] = a.registered;
    print_json(doc);
  } else {
    out(g, headline.empty() ? account_text(a) : headline + "\n" + account_text(a));
  }
  return kOk;
}

}  // namespace

Command add_account(CLI::App& root, Globals& g) {
  auto* app = root.add_subcommand("account", "The ACME account: register, show, rollover, deactivate");
  app->require_subcommand(1, 1);
  auto* reg = app->add_subcommand("register", "Register the account (or find the one already registered)");
  auto request = std::make_shared<lifecycle::RegisterRequest>();
  reg->add_option("--eab-kid", request->eab_kid, "External Account Binding key id, from the CA")
      ->type_name("KID");
  reg->add_option("--eab-hmac-key", request->eab_hmac_key,
                  "External Account Binding HMAC key (base64url), from the CA")
      ->type_name("KEY");
  auto* show = app->add_subcommand("show", "Show the stored account and the CA's view of it");
  auto offline = std::make_shared<bool>(false);
  show->add_flag("--offline", *offline, "Do not ask the CA");
  auto* rollover = app->add_subcommand("rollover", "Replace the account key with a new ec-p256 key");
  auto* deactivate = app->add_subcommand("deactivate", "Deactivate the account at the CA (final)");
  return {app, [&g, reg, request, show, offline, rollover, deactivate] {
            auto ctx = g.context();
            if (reg->parsed()) {
              auto a = lifecycle::register_account(ctx, *request);
              if (!a) return fail_ca(g, a.error());
              return print_account(g, "register", *a,
                                   a->registered ? "registered a new ACME account" : "the ACME account is registered");
            }
            if (show->parsed()) {
              auto a = lifecycle::show_account(ctx, !*offline);
              if (!a) return fail_ca(g, a.error());
              return print_account(g, "show", *a, "");
            }
            if (rollover->parsed()) {
              auto a = lifecycle::rollover_account(ctx);
              if (!a) return fail_ca(g, a.error());
              return print_account(g, "rollover", *a, "rolled the account over to a new key");
            }
            if (deactivate->parsed()) {
              auto a = lifecycle::deactivate_account(ctx);
              if (!a) return fail_ca(g, a.error());
              return print_account(g, "deactivate", *a,
                                   "deactivated the ACME account; the next 'certkeeper issue' or 'certkeeper "
                                   "account register' registers a new one");
            }
            return int(kUsage);
          }};
}

}  // namespace certkeeper::cli
