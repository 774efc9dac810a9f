// Private to lifecycle: reading a certbot configuration directory into what
// the migration needs (certbot.h), without touching the inventory.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "certbot_conf.h"
#include "certkeeper/lifecycle/certbot.h"

namespace certkeeper::lifecycle::detail {

// certbot's own default server, when a renewal configuration names none.
inline constexpr const char* kCertbotDefaultServer = "https://acme-v02.api.letsencrypt.org/directory";

// The lineage names: renewal/*.conf, sorted. Errc::usage when `root` has no
// renewal/ directory.
Result<std::vector<std::string>> certbot_lineages(const std::string& root);

// What one renewal configuration says, before the certificate is read.
struct LineageConf {
  std::string conf_path;
  std::string cert_file, chain_file, key_file;  // live/NAME/*.pem
  std::string server;
  std::string account_id;
  std::string authenticator;
  std::string listen;                 // standalone: "ADDR:PORT"
  std::vector<std::string> webroot_path;
  std::map<std::string, std::string> webroot_map;
  std::string key_type;               // "" = take the current key's
  std::optional<int> renew_before_days;
  std::vector<CertbotHook> hooks;
  std::string skip;                   // why it cannot be carried over, or ""
};
LineageConf read_lineage_conf(const std::string& root, const std::string& name);

// The challenge configuration (as `add` stores it) of a webroot lineage for
// `domains`, or "" with `why` set when a name has no document root.
std::string webroot_config(const LineageConf& conf, const std::vector<std::string>& domains, std::string& why);

// accounts/SERVER_PATH/ID/: its key as PEM, its URL, or `error`.
struct AccountFiles {
  std::string key_pem;  // secret
  std::string url;
  std::string alg;      // "RS256", "ES256", ...
  std::string error;
};
AccountFiles read_certbot_account(const std::string& root, const std::string& server, const std::string& id);

// Scripts in renewal-hooks/{pre,deploy,post}/, which certbot runs for every lineage.
std::vector<CertbotHook> certbot_global_hooks(const std::string& root);

// The settings that replace a lineage's hook, filled into hook.replacement.
void describe_replacement(const std::string& name, CertbotHook& hook);

}  // namespace certkeeper::lifecycle::detail
