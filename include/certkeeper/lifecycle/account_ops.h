// The ACME account as whole operations (register, show, key rollover,
// deactivate) and revocation with it. The account is the inventory's one
// account for (directory URL, contact) taken from its settings, as issue
// uses it (RFC 8555 §7.3).
//
// Contracts:
// - Errors: Errc::ca_failed when the CA refused, Errc::network when it could
//   not be reached, Errc::not_found when there is no account (or
//   certificate), Errc::usage for bad requests, Errc::conflict when the state
//   forbids the operation.
// - The account key never leaves the store: views carry its type and
//   RFC 7638 thumbprint only.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "certkeeper/lifecycle/context.h"
#include "certkeeper/util/clock.h"
#include "certkeeper/util/result.h"

namespace certkeeper::lifecycle {

struct AccountView {
  std::string directory_url;
  std::string contact;      // "mailto:..." or ""
  std::string account_url;  // "" when the key is stored but not registered
  std::string status;       // as stored: "valid", "deactivated"; "unregistered" before registration
  std::string key_type;     // "ec-p256", ...
  std::string key_thumbprint;  // RFC 7638, base64url
  UnixTime created_at = 0;
  bool registered = false;  // register: a new account was registered by this call
  // The CA's view (§7.3.1 onlyReturnExisting), when it was asked and answered;
  // otherwise why not in server_error.
  std::optional<std::string> server_status;
  std::optional<Error> server_error;
};

struct RegisterRequest {
  // §7.3.4 External Account Binding: both or neither.
  std::string eab_kid;
  std::string eab_hmac_key;  // base64url, as CAs hand it out
};

// Registers the account, or finds the one already stored (idempotent: the
// CA is asked whether it still knows the key, and a CA that forgot it gets
// the same key registered again). A CA that requires External Account
// Binding gets no registration without it (Errc::usage naming the flags).
Result<AccountView> register_account(const Context& ctx, const RegisterRequest& request);

// The stored account; with `ask_server`, also the CA's view of it (a CA that
// cannot be asked is reported in server_error, not as a failure).
// Errc::not_found when there is none.
Result<AccountView> show_account(const Context& ctx, bool ask_server);

// §7.3.5: a new ec-p256 key replaces the account key at the CA, then in the
// store ("account-rolled-over"). When the CA refuses, the old key stays;
// when the store cannot be written after the CA agreed, the CA is rolled
// back to the old key before the error is returned.
Result<AccountView> rollover_account(const Context& ctx);

// §7.3.6: deactivates the account at the CA and stores "deactivated"
// ("account-deactivated"). Deactivation is final; an account already stored
// as deactivated is returned as is. The next issue (or register) replaces it
// with a new account under a fresh key.
Result<AccountView> deactivate_account(const Context& ctx);

// RFC 5280 §5.3.1 reason names accepted by revoke, and their codes:
// unspecified 0, keyCompromise 1, caCompromise 2, affiliationChanged 3,
// superseded 4, cessationOfOperation 5 (matched without regard to case).
const std::vector<std::string>& revocation_reasons();
std::optional<int> revocation_reason_code(const std::string& reason);

struct RevokeRequest {
  std::string name;
  std::string reason = "unspecified";
};

struct RevokeOutcome {
  std::string name;
  int version = 0;
  std::string serial;
  std::string reason;  // the reason stored with the version (the first one given)
  int reason_code = 0;
  UnixTime revoked_at = 0;
  bool newly_marked = true;  // false: the inventory already had it as revoked
};

// §7.6: revokes the current version of an ACME certificate with the account
// key, then marks it revoked in the history ("revoked"). A CA that says
// alreadyRevoked counts as success. Manual certificates are refused
// (Errc::conflict): certkeeper holds no account with their CA.
Result<RevokeOutcome> revoke_certificate(const Context& ctx, const RevokeRequest& request);

}  // namespace certkeeper::lifecycle
