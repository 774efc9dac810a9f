// Private to lifecycle: everything one certificate's ACME conversation needs
// (HTTP client, account key, client), with the account ensured.
#pragma once

#include <memory>
#include <optional>
#include <string>

#include "certkeeper/acme/client.h"
#include "certkeeper/lifecycle/context.h"
#include "certkeeper/store/inventory.h"
#include "renew_locks.h"

namespace certkeeper::lifecycle::detail {

struct AcmeSession {
  std::string directory_url;
  std::string ca_file;  // trust for the server's TLS and for the issued chain
  std::unique_ptr<net::HttpClient> http;
  std::unique_ptr<crypto::Signer> signer;
  std::unique_ptr<acme::Client> client;
  store::AccountRecord account;
  bool registered = false;  // this session registered the account (newAccount was sent)
};

// The directory URL and CA file for a definition: its own, else the
// inventory's settings, else the embedded default (pebble on loopback).
struct AcmeServer {
  std::string directory_url;
  std::string ca_file;
  std::string contact;  // "mailto:" + the email setting, or ""
};
Result<AcmeServer> acme_server_for(store::Inventory& inv, const store::CertificateRecord* def);

struct SessionOptions {
  // §7.3.4: sent with newAccount when a new account is registered.
  std::optional<acme::ExternalAccountBinding> eab;
  // false: use only an account that is stored and registered (revoke, the
  // account commands); Errc::not_found otherwise, Errc::conflict when it is
  // deactivated.
  bool register_missing = true;
};

// Connects and makes sure an account exists for (directory, contact): the
// account key is generated and stored before registration, so a crash never
// loses a registered key. A stored account that was deactivated (§7.3.6: it
// can never be used again) is replaced: a fresh key in the same row, then a
// new registration ("account-key-replaced"). A CA whose directory says
// externalAccountRequired gets no registration without `options.eab`
// (Errc::usage naming --eab-kid and --eab-hmac-key).
// Whatever changes the account row (registering, replacing, settling a
// rollover) runs under DB.locks/@accounts, across threads and processes,
// and is decided on the row as read after taking it: however many workers
// or processes start at once, one account is registered and every session
// uses it. An account that is stored and registered needs no lock.
Result<AcmeSession> open_session(store::Inventory& inv, const Context& ctx, const AcmeServer& server,
                                 const SessionOptions& options = {});

// §7.3: registers session.account's key (newAccount, agreeing to the terms)
// and stores the account URL ("account-registered"); the EAB rule of
// open_session applies. For a key the CA already knows it answers with that
// account, so this is also how a stored account the CA forgot is restored.
Status send_new_account(AcmeSession& session, store::Inventory& inv, const Context& ctx, const AcmeServer& server,
                        const SessionOptions& options);

// DB.locks/@accounts, taken before anything changes the account row (see
// open_session); Errc::conflict when another run keeps it past the wait.
Result<RunLock> lock_account(const Context& ctx, const AcmeServer& server);

// "DIRECTORY (mailto:CONTACT)": the subject of account errors.
std::string account_label(const AcmeServer& server);

}  // namespace certkeeper::lifecycle::detail
