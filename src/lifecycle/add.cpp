#include <algorithm>

#include <nlohmann/json.hpp>

#include "anonymous_client.h"

#include "certkeeper/crypto/jose.h"
#include "certkeeper/crypto/names.h"
#include "certkeeper/lifecycle/acme_ops.h"
#include "certkeeper/store/inventory.h"
#include "certkeeper/util/files.h"
#include "certkeeper/util/safe_path.h"

namespace certkeeper::lifecycle {
namespace {

Error usage(const std::string& what, const std::string& subject) { return make_error(Errc::usage, what, subject); }

Result<std::vector<std::string>> normalized_domains(const AddRequest& r) {
  if (r.domains.empty()) return usage("give at least one --domain", r.name);
  std::vector<std::string> out;
  for (const auto& d : r.domains) {
    bool wildcard = d.rfind("*.", 0) == 0;
    auto host = crypto::normalize_host(wildcard ? d.substr(2) : d);
    if (!host) return usage("--domain is not a valid host name or IP address", d);
    if (wildcard && r.challenge != "dns-01") return usage("a wildcard needs --challenge dns-01 (RFC 8555 §7.1.3)", d);
    if (wildcard && (host->find('.') == std::string::npos || crypto::is_public_suffix(*host))) {
      return usage("a wildcard over a public suffix would cover every domain under it: no CA issues it and no client "
                   "matches it (CA/Browser Forum BR 3.2.2.6); name your own domain below it",
                   d);
    }
    out.push_back(wildcard ? "*." + *host : *host);
  }
  return out;
}

Result<std::string> challenge_config(const AddRequest& r) {
  nlohmann::json config = nlohmann::json::object();
  bool standalone = (r.challenge == "http-01" && r.webroot.empty()) || r.challenge == "tls-alpn-01";
  if (r.listen_wait_seconds && !standalone) {
    return usage("--listen-wait is for the built-in responder (http-01 without --webroot, tls-alpn-01)", r.name);
  }
  if (r.listen_wait_seconds && (*r.listen_wait_seconds < 0 || *r.listen_wait_seconds > 3600)) {
    return usage("--listen-wait must be 0 to 3600 seconds", r.name);
  }
  if (r.listen_wait_seconds) config["listen_wait_seconds"] = *r.listen_wait_seconds;
  if (r.challenge == "http-01") {
    if (!r.webroot.empty() && !r.listen.empty()) return usage("give --webroot or --listen, not both", r.name);
    if (!r.webroot.empty()) {
      config["webroot"] = r.webroot;
    } else {
      config["listen"] = r.listen.empty() ? std::string("0.0.0.0:80") : r.listen;
    }
  } else if (r.challenge == "tls-alpn-01") {
    config["listen"] = r.listen.empty() ? std::string("0.0.0.0:443") : r.listen;
  } else if (r.challenge == "dns-01") {
    if (r.dns_hook.empty()) return usage("dns-01 needs --dns-hook PROG", r.name);
    // A hook someone else could change would run their code as us at each
    // renewal (util/safe_path.h); one that does not exist yet is checked
    // when it runs.
    auto trusted = trusted_program(r.dns_hook, "--dns-hook");
    if (!trusted && trusted.error().code == Errc::rejected) return trusted.error();
    config["dns_hook"] = r.dns_hook;
    config["propagation_seconds"] = r.dns_propagation_seconds;
  } else {
    return usage("unknown --challenge; use http-01, tls-alpn-01 or dns-01", r.challenge);
  }
  return config.dump();
}

}  // namespace

Result<store::CertificateRecord> add_certificate(const Context& ctx, const AddRequest& r) {
  if (auto ok = check_certificate_name(r.name); !ok) return std::move(ok).error();
  auto domains = normalized_domains(r);
  if (!domains) return std::move(domains).error();
  auto config = challenge_config(r);
  if (!config) return std::move(config).error();
  if (!crypto::valid_key_type(r.key_type)) {
    return usage("unknown --key-type; use ec-p256, ec-p384, rsa-2048, rsa-3072 or rsa-4096", r.key_type);
  }
  if (!r.acme_server.empty() && r.acme_server.rfind("https://", 0) != 0) {
    return usage("--acme-server must be an https:// directory URL", r.acme_server);
  }
  if (!r.acme_ca_file.empty()) {
    if (auto read = read_input_file(r.acme_ca_file); !read) return usage("--acme-ca-file: " + read.error().message, r.acme_ca_file);
  }
  if (r.renew_before_days && *r.renew_before_days < 1) return usage("--renew-before must be at least 1 day", r.name);

  auto inv = ctx.inventory(store::OpenMode::existing);
  if (!inv) return std::move(inv).error();
  auto existing = inv->find_certificate(r.name);
  if (!existing) return std::move(existing).error();
  if (*existing && (*existing)->source != "acme") {
    return make_error(Errc::conflict,
                      "is a " + (*existing)->source + " certificate; define the ACME one under another name", r.name);
  }
  if (!r.profile.empty()) {
    // The CA says which profiles it offers (directory meta.profiles): a name
    // it does not know is refused now, not at the first renewal.
    store::CertificateRecord probe;
    probe.acme_server = r.acme_server;
    probe.acme_ca_file = r.acme_ca_file;
    auto server = detail::acme_server_for(*inv, &probe);
    if (!server) return std::move(server).error();
    auto anonymous = detail::anonymous_client(ctx, *server);
    if (!anonymous) return std::move(anonymous).error();
    auto dir = anonymous->client->directory();
    if (!dir) {
      return make_error(dir.error().code, "cannot check --profile against the CA: " + dir.error().message,
                        server->directory_url);
    }
    if (std::find(dir->profiles.begin(), dir->profiles.end(), r.profile) == dir->profiles.end()) {
      std::string offered;
      for (const auto& p : dir->profiles) offered += (offered.empty() ? "" : ", ") + p;
      return usage("the CA does not offer this --profile; it offers: " + (offered.empty() ? "none" : offered),
                   r.profile);
    }
  }
  store::CertificateRecord def;
  def.name = r.name;
  def.source = "acme";
  def.domains = *domains;
  def.challenge = r.challenge;
  def.challenge_config = *config;
  def.key_type = r.key_type;
  def.profile = r.profile;
  def.acme_server = r.acme_server;
  def.acme_ca_file = r.acme_ca_file;
  def.renew_before_days = r.renew_before_days;
  def.preferred_chain = r.preferred_chain;
  if (auto s = inv->define_certificate(def, ctx.actor, ctx.now()); !s) return std::move(s).error();
  auto stored = inv->find_certificate(r.name);
  if (!stored) return std::move(stored).error();
  return **stored;
}

}  // namespace certkeeper::lifecycle
