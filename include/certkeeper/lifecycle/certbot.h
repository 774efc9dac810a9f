// `import --from-certbot [DIR]`: a certbot installation (its --config-dir,
// /etc/letsencrypt by default) taken over as it stands.
//
// - Each lineage (renewal/NAME.conf) becomes the ACME certificate NAME: its
//   names are the current certificate's, the challenge comes from the
//   authenticator (standalone: http-01 on certbot's address and port;
//   webroot: the document root, or one per name), the key type, the ACME
//   server and renew_before_expiry from the configuration.
// - Its current files (live/NAME/cert.pem, chain.pem, privkey.pem) go
//   through the same validation gate as `import`; a lineage the gate rejects
//   (or whose configuration cannot be carried over) is reported and not
//   imported, and the others still are. Each lineage is stored in one
//   transaction that also checks that the name is new.
// - The certbot account each lineage names (accounts/SERVER/ID/: the JWK in
//   private_key.json, the URL in regr.json) becomes the inventory's account
//   for that server and the inventory's contact, unless it already has one,
//   so renewals keep the account and its rate-limit standing.
// - Hooks (renew_hook, pre_hook, post_hook; renewal-hooks/{pre,deploy,post}/)
//   are listed with the settings that replace them. Nothing is run.
// - dry_run: the same reading and checks, nothing stored.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "certkeeper/crypto/validation.h"
#include "certkeeper/lifecycle/context.h"
#include "certkeeper/util/clock.h"
#include "certkeeper/util/result.h"

namespace certkeeper::lifecycle {

struct CertbotRequest {
  std::string dir = "/etc/letsencrypt";
  bool dry_run = false;
  std::string ca_file;  // trust anchors for the gate; "" = the acme_ca_file setting
};

struct CertbotHook {
  std::string kind;         // "deploy", "pre", "post"
  std::string command;      // as certbot has it (shown through text::printable)
  std::string from;         // "renewal/NAME.conf renew_hook", "renewal-hooks/deploy/NAME"
  std::string replacement;  // the certkeeper setting that does its job, one line
};

struct CertbotAccount {
  std::string certbot_id;
  std::string directory_url;
  std::string account_url;
  std::string key_type;  // "rsa-2048", "ec-p256", ...
  // "imported", "would-import", "unchanged" (already the inventory's),
  // "kept-existing" (the inventory has another account for that CA: it stays
  // and renewals use it), "unusable" (cannot be read: reason).
  std::string status;
  std::string reason;
};

struct CertbotLineage {
  std::string name;
  std::string conf;  // path of renewal/NAME.conf
  // "imported", "would-import", "unchanged" (already migrated), "rejected"
  // (the gate found errors: findings), "skipped" (cannot be carried over:
  // reason).
  std::string status;
  std::string reason;
  std::vector<crypto::Finding> findings;
  int version = 0;
  std::vector<std::string> domains;
  std::string challenge;         // "http-01"
  std::string challenge_config;  // as `add` stores it (JSON)
  std::string key_type;
  std::string acme_server;
  std::optional<int> renew_before_days;
  std::string account_url;  // the account its renewals use
  std::string fingerprint_sha256;
  std::optional<UnixTime> not_after;
  std::vector<CertbotHook> hooks;
};

struct CertbotMigration {
  std::string dir;
  bool dry_run = false;
  std::vector<CertbotAccount> accounts;
  std::vector<CertbotLineage> lineages;
  std::vector<CertbotHook> hooks;  // renewal-hooks/: for every lineage
  // Lineages neither imported, would-import nor unchanged.
  std::size_t not_migrated() const;
};

// Errc::usage when DIR is not a certbot configuration directory (no
// renewal/), Errc::not_found without an inventory; everything about one
// lineage or account is in its entry, not an error.
Result<CertbotMigration> migrate_from_certbot(const Context& ctx, const CertbotRequest& request);

}  // namespace certkeeper::lifecycle
