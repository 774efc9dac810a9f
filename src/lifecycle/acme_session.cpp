#include "acme_session.h"

#include "certkeeper/lifecycle/init.h"

namespace certkeeper::lifecycle::detail {
namespace {

std::string setting_or(store::Inventory& inv, const char* key, const std::string& fallback) {
  auto value = inv.setting(key);
  if (value && *value && !(*value)->empty()) return **value;
  return fallback;
}

}  // namespace

Result<AcmeServer> acme_server_for(store::Inventory& inv, const store::CertificateRecord* def) {
  AcmeServer s;
  s.directory_url = def && !def->acme_server.empty() ? def->acme_server : setting_or(inv, kAcmeServer, kDefaultAcmeServer);
  s.ca_file = def && !def->acme_ca_file.empty() ? def->acme_ca_file : setting_or(inv, kAcmeCaFile, "");
  std::string email = setting_or(inv, kEmail, "");
  if (!email.empty()) s.contact = "mailto:" + email;
  return s;
}

Result<AcmeSession> open_session(store::Inventory& inv, const Context& ctx, const AcmeServer& server,
                                 std::mutex& account_lock) {
  AcmeSession session;
  session.directory_url = server.directory_url;
  session.ca_file = server.ca_file;
  net::HttpOptions options;
  options.ca_file = server.ca_file;
  session.http = net::make_curl_client(options);

  std::lock_guard<std::mutex> lock(account_lock);
  auto found = inv.find_account(server.directory_url, server.contact);
  if (!found) return std::move(found).error();
  store::AccountRecord account;
  if (*found) {
    account = **found;
  } else {
    auto key = crypto::generate_private_key("ec-p256");
    if (!key) return std::move(key).error();
    account.directory_url = server.directory_url;
    account.contact = server.contact;
    account.key_pem = *key;
    auto saved = inv.save_account(account, ctx.actor, ctx.now());
    if (!saved) return std::move(saved).error();
    account = *saved;
  }
  auto signer = crypto::make_signer(account.key_pem);
  if (!signer) return std::move(signer).error();
  session.signer = std::move(*signer);
  session.client = std::make_unique<acme::Client>(*session.http, *session.signer, server.directory_url, *ctx.clock);
  if (account.account_url.empty()) {
    std::vector<std::string> contact;
    if (!server.contact.empty()) contact.push_back(server.contact);
    auto registered = session.client->new_account(contact, /*agree_to_terms=*/true, std::nullopt);
    if (!registered) return std::move(registered).error();
    account.account_url = registered->url;
    account.status = registered->status.empty() ? "valid" : registered->status;
    auto saved = inv.save_account(account, ctx.actor, ctx.now());
    if (!saved) return std::move(saved).error();
    account = *saved;
  } else {
    session.client->set_account_url(account.account_url);
  }
  session.account = account;
  return session;
}

}  // namespace certkeeper::lifecycle::detail
