// account register | show | rollover | deactivate: the inventory's ACME
// account for (directory, contact), RFC 8555 §7.3.
#include <nlohmann/json.hpp>

#include "acme_session.h"
#include "certkeeper/lifecycle/account_ops.h"
#include "certkeeper/store/event_kinds.h"
#include "certkeeper/util/json.h"
#include "certkeeper/util/log.h"

namespace certkeeper::lifecycle {
namespace {

using detail::AcmeServer;
using detail::AcmeSession;

// "ec-p256", "ec-p384", "rsa-N" from the public JWK.
std::string key_type_of(const crypto::Signer& signer) {
  auto jwk = parse_json_or_null(signer.jwk_json());
  if (!jwk.is_object()) return "";
  std::string kty = jwk.value("kty", "");
  if (kty == "EC") {
    std::string crv = jwk.value("crv", "");
    if (crv == "P-256") return "ec-p256";
    if (crv == "P-384") return "ec-p384";
    return "ec";
  }
  if (kty == "RSA") {
    auto n = crypto::base64url_decode(jwk.value("n", ""));
    return n ? "rsa-" + std::to_string(n->size() * 8) : "rsa";
  }
  return kty;
}

Result<AccountView> view_of(const store::AccountRecord& a) {
  auto signer = crypto::make_signer(a.key_pem);
  if (!signer) return std::move(signer).error();
  AccountView v;
  v.directory_url = a.directory_url;
  v.contact = a.contact;
  v.account_url = a.account_url;
  v.status = a.account_url.empty() ? "unregistered" : a.status;
  v.key_type = key_type_of(**signer);
  v.key_thumbprint = (*signer)->thumbprint();
  v.created_at = a.created_at;
  return v;
}

struct Opened {
  store::Inventory inv;
  AcmeServer server;
};

Result<Opened> open_inventory(const Context& ctx) {
  auto inv = ctx.inventory(store::OpenMode::existing);
  if (!inv) return std::move(inv).error();
  auto server = detail::acme_server_for(*inv, nullptr);
  if (!server) return std::move(server).error();
  return Opened{std::move(*inv), std::move(*server)};
}

Result<std::optional<acme::ExternalAccountBinding>> eab_of(const RegisterRequest& r) {
  if (r.eab_kid.empty() && r.eab_hmac_key.empty()) return std::optional<acme::ExternalAccountBinding>{};
  if (r.eab_kid.empty() || r.eab_hmac_key.empty()) {
    return make_error(Errc::usage, "give both --eab-kid and --eab-hmac-key (the CA hands out the pair)");
  }
  if (auto key = crypto::base64url_decode(r.eab_hmac_key); !key || key->empty()) {
    return make_error(Errc::usage, "--eab-hmac-key is not base64url; copy it exactly as the CA gave it", r.eab_kid);
  }
  return std::optional<acme::ExternalAccountBinding>{acme::ExternalAccountBinding{r.eab_kid, r.eab_hmac_key}};
}

bool account_unknown(const Error& error) {
  return error.cause.type == acme::problem_type_name(acme::ProblemType::account_does_not_exist);
}

// A stored, registered account: the CA is asked whether it still knows the
// key (§7.3.1); one that forgot it gets the key registered again.
Status confirm_with_ca(AcmeSession& s, store::Inventory& inv, const Context& ctx, const AcmeServer& server,
                       const detail::SessionOptions& options) {
  auto known = s.client->find_account();
  if (!known) {
    if (!account_unknown(known.error())) return std::move(known).error();
    return detail::send_new_account(s, inv, ctx, server, options);
  }
  std::string status = known->status.empty() ? "valid" : known->status;
  if (known->url == s.account.account_url && status == s.account.status) return {};
  s.account.account_url = known->url;
  s.account.status = status;
  auto saved = inv.save_account(s.account, ctx.actor, ctx.now(), store::event::account_refreshed);
  if (!saved) return std::move(saved).error();
  s.account = *saved;
  return {};
}

}  // namespace

Result<AccountView> register_account(const Context& ctx, const RegisterRequest& request) {
  auto eab = eab_of(request);
  if (!eab) return std::move(eab).error();
  auto o = open_inventory(ctx);
  if (!o) return std::move(o).error();
  detail::SessionOptions options;
  options.eab = *eab;
  auto s = detail::open_session(o->inv, ctx, o->server, options);
  if (!s) return std::move(s).error();
  if (!s->registered) {
    if (auto confirmed = confirm_with_ca(*s, o->inv, ctx, o->server, options); !confirmed) {
      return std::move(confirmed).error();
    }
  }
  auto view = view_of(s->account);
  if (!view) return view;
  view->registered = s->registered;
  view->server_status = s->account.status;
  return view;
}

Result<AccountView> show_account(const Context& ctx, bool ask_server) {
  auto o = open_inventory(ctx);
  if (!o) return std::move(o).error();
  auto found = o->inv.find_account(o->server.directory_url, o->server.contact);
  if (!found) return std::move(found).error();
  if (*found && !(*found)->pending_key_pem.empty() && ask_server) {
    // An interrupted rollover: opening a session settles which key is live.
    detail::SessionOptions options;
    options.register_missing = false;
    (void)detail::open_session(o->inv, ctx, o->server, options);
    found = o->inv.find_account(o->server.directory_url, o->server.contact);
    if (!found) return std::move(found).error();
  }
  if (!*found) {
    return make_error(Errc::not_found, "has no ACME account; run 'certkeeper account register'",
                      detail::account_label(o->server));
  }
  auto view = view_of(**found);
  if (!view || !ask_server || (*found)->account_url.empty()) return view;
  // Asked with the key alone (onlyReturnExisting): nothing is created.
  net::HttpOptions http_options;
  http_options.ca_file = o->server.ca_file;
  auto http = ctx.http(http_options);
  auto signer = crypto::make_signer((*found)->key_pem);
  if (!signer) return std::move(signer).error();
  acme::Client client(*http, **signer, o->server.directory_url, *ctx.clock);
  auto known = client.find_account();
  if (known) {
    view->server_status = known->status.empty() ? "valid" : known->status;
  } else if (account_unknown(known.error())) {
    view->server_status = "unknown";
  } else if ((*found)->status == "deactivated" &&
             known.error().cause.type == acme::problem_type_name(acme::ProblemType::unauthorized)) {
    // §7.3.6: the CA refuses every request signed by a deactivated account's key.
    view->server_status = "deactivated";
  } else {
    view->server_error = known.error();
  }
  return view;
}

Result<AccountView> rollover_account(const Context& ctx) {
  auto o = open_inventory(ctx);
  if (!o) return std::move(o).error();
  detail::SessionOptions options;
  options.register_missing = false;
  auto s = detail::open_session(o->inv, ctx, o->server, options);
  if (!s) return std::move(s).error();
  auto new_key = crypto::generate_private_key("ec-p256");
  if (!new_key) return std::move(new_key).error();
  auto new_signer = crypto::make_signer(*new_key);
  if (!new_signer) return std::move(new_signer).error();
  // Two steps, so that no crash can lose the account: the new key is stored
  // as pending before the CA is asked; open_session settles a pending key
  // left by a crash by asking the CA which key it knows.
  store::AccountRecord account = s->account;
  account.pending_key_pem = *new_key;
  auto pending = o->inv.save_account(account, ctx.actor, ctx.now(), store::event::account_rollover_started);
  if (!pending) return std::move(pending).error();
  if (auto changed = s->client->key_change(**new_signer); !changed) {
    account.pending_key_pem.clear();
    if (auto saved = o->inv.save_account(account, ctx.actor, ctx.now(), store::event::account_rollover_refused); !saved) {
      // The pending key stays stored: the next session asks the CA which key it knows.
      log::warn("certkeeper: the refused rollover could not be recorded: " + saved.error().what());
    }
    return std::move(changed).error();
  }
  account.key_pem = *new_key;
  account.pending_key_pem.clear();
  auto saved = o->inv.save_account(account, ctx.actor, ctx.now(), store::event::account_rolled_over);
  if (!saved) return std::move(saved).error();  // the pending key is stored: the next session settles it
  return view_of(*saved);
}

Result<AccountView> deactivate_account(const Context& ctx) {
  auto o = open_inventory(ctx);
  if (!o) return std::move(o).error();
  auto found = o->inv.find_account(o->server.directory_url, o->server.contact);
  if (!found) return std::move(found).error();
  if (*found && (*found)->status == "deactivated") return view_of(**found);
  detail::SessionOptions options;
  options.register_missing = false;
  auto s = detail::open_session(o->inv, ctx, o->server, options);
  if (!s) return std::move(s).error();
  auto account = s->client->deactivate();
  if (!account) return std::move(account).error();
  s->account.status = "deactivated";
  auto saved = o->inv.save_account(s->account, ctx.actor, ctx.now(), store::event::account_deactivated);
  if (!saved) return std::move(saved).error();
  auto view = view_of(*saved);
  if (view) view->server_status = account->status;
  return view;
}

}  // namespace certkeeper::lifecycle
