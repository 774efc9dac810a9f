#include "acme_session.h"

#include "certkeeper/lifecycle/init.h"
#include "certkeeper/store/event_kinds.h"
#include "renew_locks.h"

namespace certkeeper::lifecycle::detail {
namespace {

std::string setting_or(store::Inventory& inv, const char* key, const std::string& fallback) {
  auto value = inv.setting(key);
  if (value && *value && !(*value)->empty()) return **value;
  return fallback;
}

// §7.1.6: a deactivated (by us) or revoked (by the CA) account is final.
bool retired(const store::AccountRecord& a) { return a.status == "deactivated" || a.status == "revoked"; }

// How long a session waits for another run's registration (a newAccount
// round trip, or a CA that answers slowly).
constexpr int kAccountLockWaitMs = 120'000;

// Whether opening a session may write the account row: there is none yet, it
// is retired, its key is not registered, or a rollover is to be settled.
bool changes_account(const std::optional<store::AccountRecord>& a) {
  return !a || retired(*a) || a->account_url.empty() || !a->pending_key_pem.empty();
}

// A fresh key for (directory, contact), stored before anything is sent so
// that a crash after registration never loses it. `replaced`: the row of a
// retired account, which keeps its id.
Result<store::AccountRecord> store_new_key(store::Inventory& inv, const Context& ctx, const AcmeServer& server,
                                           const std::optional<store::AccountRecord>& replaced) {
  auto key = crypto::generate_private_key("ec-p256");
  if (!key) return std::move(key).error();
  store::AccountRecord account = replaced.value_or(store::AccountRecord{});
  account.directory_url = server.directory_url;
  account.contact = server.contact;
  account.key_pem = *key;
  account.account_url.clear();
  account.status = "valid";
  return inv.save_account(account, ctx.actor, ctx.now(),
                          replaced ? store::event::account_key_replaced : store::event::account_key_stored);
}

}  // namespace

std::string account_label(const AcmeServer& server) {
  return server.contact.empty() ? server.directory_url : server.directory_url + " (" + server.contact + ")";
}

Result<AcmeServer> acme_server_for(store::Inventory& inv, const store::CertificateRecord* def) {
  AcmeServer s;
  s.directory_url = def && !def->acme_server.empty() ? def->acme_server : setting_or(inv, kAcmeServer, kDefaultAcmeServer);
  s.ca_file = def && !def->acme_ca_file.empty() ? def->acme_ca_file : setting_or(inv, kAcmeCaFile, "");
  std::string email = setting_or(inv, kEmail, "");
  if (!email.empty()) s.contact = "mailto:" + email;
  return s;
}

Status send_new_account(AcmeSession& session, store::Inventory& inv, const Context& ctx, const AcmeServer& server,
                        const SessionOptions& options) {
  auto dir = session.client->directory();
  if (!dir) return std::move(dir).error();
  if (dir->external_account_required && !options.eab) {
    return make_error(Errc::usage,
                      "the CA requires an external account binding; run 'certkeeper account register --eab-kid KID "
                      "--eab-hmac-key KEY' with the values the CA gave you",
                      server.directory_url);
  }
  std::vector<std::string> contact;
  if (!server.contact.empty()) contact.push_back(server.contact);
  auto registered = session.client->new_account(contact, /*agree_to_terms=*/true, options.eab);
  if (!registered) return std::move(registered).error();
  session.account.account_url = registered->url;
  session.account.status = registered->status.empty() ? "valid" : registered->status;
  auto saved = inv.save_account(session.account, ctx.actor, ctx.now(), store::event::account_registered);
  if (!saved) return std::move(saved).error();
  session.account = *saved;
  session.registered = true;
  return {};
}

// A rollover interrupted between storing the new key and storing the CA's
// answer: keep whichever key the CA knows the account by (§7.3.1
// onlyReturnExisting with the pending key), drop the other.
Status settle_pending_key(store::Inventory& inv, const Context& ctx, AcmeSession& session,
                          store::AccountRecord& account) {
  auto pending = crypto::make_signer(account.pending_key_pem);
  bool promote = false;
  if (pending) {
    acme::Client probe(*session.http, **pending, session.directory_url, *ctx.clock);
    auto found = probe.find_account();
    if (!found && found.error().code == Errc::network) return std::move(found).error();  // ask again next time
    promote = found && found->url == account.account_url;
  }
  if (promote) account.key_pem = account.pending_key_pem;
  account.pending_key_pem.clear();
  auto saved = inv.save_account(account, ctx.actor, ctx.now(),
                                promote ? store::event::account_rolled_over : store::event::account_rollover_abandoned);
  if (!saved) return std::move(saved).error();
  account = *saved;
  return {};
}

Result<RunLock> lock_account(const Context& ctx, const AcmeServer& server) {
  // Silent: the workers of one pass wait here for each other's registration.
  return acquire_or_wait(ctx.db_path, account_lock(), kAccountLockWaitMs, account_label(server), "",
                         "another certkeeper is still registering this ACME account; try again when it has "
                         "finished");
}

Result<AcmeSession> open_session(store::Inventory& inv, const Context& ctx, const AcmeServer& server,
                                 const SessionOptions& options) {
  AcmeSession session;
  session.directory_url = server.directory_url;
  session.ca_file = server.ca_file;
  net::HttpOptions http_options;
  http_options.ca_file = server.ca_file;
  session.http = ctx.http(http_options);

  auto found = inv.find_account(server.directory_url, server.contact);
  if (!found) return std::move(found).error();
  std::optional<RunLock> held;
  if (changes_account(*found)) {
    auto taken = lock_account(ctx, server);
    if (!taken) return std::move(taken).error();
    held.emplace(std::move(*taken));
    // What a run that held the lock did decides: it may have registered.
    found = inv.find_account(server.directory_url, server.contact);
    if (!found) return std::move(found).error();
  }
  std::optional<store::AccountRecord> stored = *found;
  if (!options.register_missing) {
    if (stored && retired(*stored)) {
      return make_error(Errc::conflict,
                        "the ACME account " + stored->account_url + " is " + stored->status +
                            "; 'certkeeper account register' registers a new one",
                        account_label(server));
    }
    if (!stored || stored->account_url.empty()) {
      return make_error(Errc::not_found, "has no registered ACME account; run 'certkeeper account register'",
                        account_label(server));
    }
  }
  if (!stored || retired(*stored)) {
    auto fresh = store_new_key(inv, ctx, server, stored);
    if (!fresh) return std::move(fresh).error();
    stored = *fresh;
  }
  if (!stored->pending_key_pem.empty() && !stored->account_url.empty()) {
    if (auto settled = settle_pending_key(inv, ctx, session, *stored); !settled) return std::move(settled).error();
  }
  session.account = *stored;
  auto signer = crypto::make_signer(session.account.key_pem);
  if (!signer) return std::move(signer).error();
  session.signer = std::move(*signer);
  session.client = std::make_unique<acme::Client>(*session.http, *session.signer, server.directory_url, *ctx.clock);
  if (session.account.account_url.empty()) {
    // A failed registration's error carries the CA's problem (Retry-After
    // included) as its cause.
    if (auto registered = send_new_account(session, inv, ctx, server, options); !registered) {
      return std::move(registered).error();
    }
  } else {
    session.client->set_account_url(session.account.account_url);
  }
  return session;
}

}  // namespace certkeeper::lifecycle::detail
