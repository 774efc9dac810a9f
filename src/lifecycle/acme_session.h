// Private to lifecycle: everything one certificate's ACME conversation needs
// (HTTP client, account key, client), with the account ensured.
#pragma once

#include <memory>
#include <mutex>
#include <string>

#include "certkeeper/acme/client.h"
#include "certkeeper/lifecycle/context.h"
#include "certkeeper/store/inventory.h"

namespace certkeeper::lifecycle::detail {

struct AcmeSession {
  std::string directory_url;
  std::string ca_file;  // trust for the server's TLS and for the issued chain
  std::unique_ptr<net::HttpClient> http;
  std::unique_ptr<crypto::Signer> signer;
  std::unique_ptr<acme::Client> client;
  store::AccountRecord account;
};

// The directory URL and CA file for a definition: its own, else the
// inventory's settings, else the embedded default (pebble on loopback).
struct AcmeServer {
  std::string directory_url;
  std::string ca_file;
  std::string contact;  // "mailto:" + the email setting, or ""
};
Result<AcmeServer> acme_server_for(store::Inventory& inv, const store::CertificateRecord* def);

// Connects and makes sure an account exists for (directory, contact): the
// account key is generated and stored before registration, so a crash never
// loses a registered key. Serialised per process by `account_lock`.
Result<AcmeSession> open_session(store::Inventory& inv, const Context& ctx, const AcmeServer& server,
                                 std::mutex& account_lock);

}  // namespace certkeeper::lifecycle::detail
