#include "certkeeper/lifecycle/init.h"
#include "certkeeper/lifecycle/nodes.h"

#include "certkeeper/lifecycle/install.h"

#include "certkeeper/crypto/key_wrap.h"
#include "certkeeper/crypto/names.h"
#include "certkeeper/store/inventory.h"
#include "certkeeper/store/location.h"
#include "certkeeper/util/files.h"
#include "certkeeper/util/text.h"

namespace certkeeper::lifecycle {
namespace {

// The external URL is stored, and an event records it in the append-only
// audit log, where it can never be erased: it must be one printable line,
// and never carry credentials. Neither error echoes the URL (it may hold a
// password).
Status check_external_url(const std::string& url) {
  if (!text::is_printable(url)) {
    return make_error(Errc::usage,
                      "--external-url holds control characters (a line break, an escape, ...); give the URL clients "
                      "use on one line, e.g. https://mail.example.com");
  }
  if (crypto::has_userinfo(url)) {
    return make_error(Errc::usage,
                      "--external-url holds a user name or password before '@', which certkeeper never stores; "
                      "give the URL without them, e.g. https://mail.example.com");
  }
  return {};
}

Status check_request(const InitRequest& r) {
  if (r.external_url) {
    if (auto ok = check_external_url(*r.external_url); !ok) return ok;
    auto host = crypto::host_from_url(*r.external_url);
    if (!host) {
      return make_error(Errc::usage,
                        "--external-url has no host name; give the URL clients use, e.g. "
                        "https://mail.example.com",
                        *r.external_url);
    }
  }
  if (r.acme_server && r.acme_server->rfind("https://", 0) != 0) {
    return make_error(Errc::usage, "--acme-server must be an https:// directory URL",
                      *r.acme_server);
  }
  if (r.acme_ca_file) {
    auto read = read_input_file(*r.acme_ca_file);
    if (!read) return make_error(Errc::usage, "--acme-ca-file: " + read.error().message, *r.acme_ca_file);
    if (read->find("-----BEGIN CERTIFICATE-----") == std::string::npos) {
      return make_error(Errc::usage, "--acme-ca-file holds no PEM certificate; give the CA's PEM file",
                        *r.acme_ca_file);
    }
  }
  if (r.keep_versions && (*r.keep_versions < 1 || *r.keep_versions > 100)) {
    return make_error(Errc::usage, "--keep-versions must be 1 to 100 (installed versions kept on disk per target)");
  }
  if (r.node_down_after && (*r.node_down_after < 60 || *r.node_down_after > 7 * 86400)) {
    return make_error(Errc::usage,
                      "--node-down-after must be 60 to 604800 seconds (how long a node may go unseen before it is "
                      "reported down)");
  }
  if (r.drift_after && (*r.drift_after < 60 || *r.drift_after > 7 * 86400)) {
    return make_error(Errc::usage,
                      "--drift-after must be 60 to 604800 seconds (how long the nodes of a fleet may serve different "
                      "versions before reports say drift)");
  }
  if (r.lease_seconds && (*r.lease_seconds < 5 || *r.lease_seconds > 3600)) {
    return make_error(Errc::usage, "--lease-seconds must be 5 to 3600 (how long a lease to talk to the CA lasts)");
  }
  if (r.challenge_wait && (*r.challenge_wait < 5 || *r.challenge_wait > 3600)) {
    return make_error(Errc::usage,
                      "--challenge-wait must be 5 to 3600 seconds (how long a holder waits for the nodes of a fleet "
                      "to serve its challenge answers)");
  }
  if (r.email && r.email->find('@') == std::string::npos) {
    return make_error(Errc::usage, "--email is not an e-mail address", *r.email);
  }
  return {};
}

}  // namespace

Result<InitOutcome> init(const Context& ctx, const InitRequest& request) {
  if (auto ok = check_request(request); !ok) return std::move(ok).error();
  if (request.encrypt_keys) {
    if (ctx.key_file.empty()) {
      return make_error(Errc::usage, "--encrypt-keys needs the key file: give --key-file F (or CERTKEEPER_KEY_FILE); "
                                     "make one with 'certkeeper keys new --out F'");
    }
    if (auto key = crypto::read_key_file(ctx.key_file); !key) return std::move(key).error();
  }
  InitOutcome out;
  if (store::is_postgresql_location(ctx.db_path)) {
    // A shared database never holds a plaintext private key: an inventory
    // there is made encrypting, or was; decided before anything is written.
    auto before = ctx.inventory(store::OpenMode::read_only);
    if (!before && before.error().code != Errc::not_found) return std::move(before).error();
    out.created = !before;
    bool encrypted = false;
    if (before) {
      auto state = before->keys_encrypted();
      if (!state) return std::move(state).error();
      encrypted = *state;
    }
    if (!encrypted && !request.encrypt_keys) {
      return make_error(Errc::usage,
                        "a PostgreSQL inventory stores its private keys only encrypted: give --encrypt-keys and "
                        "--key-file F (make F with 'certkeeper keys new --out F'); nothing was changed",
                        ctx.db_path);
    }
  } else {
    out.created = !file_exists(ctx.db_path);
  }
  auto inv = ctx.inventory(store::OpenMode::create);
  if (!inv) return std::move(inv).error();

  std::map<std::string, std::string> values;
  if (request.external_url) values[kExternalUrl] = *request.external_url;
  if (request.acme_server) values[kAcmeServer] = *request.acme_server;
  if (request.acme_ca_file) values[kAcmeCaFile] = *request.acme_ca_file;
  if (request.email) values[kEmail] = *request.email;
  if (request.keep_versions) values[kKeepVersions] = std::to_string(*request.keep_versions);
  if (request.node_down_after) values[kNodeDownAfter] = std::to_string(*request.node_down_after);
  if (request.lease_seconds) values[kLeaseSeconds] = std::to_string(*request.lease_seconds);
  if (request.drift_after) values[kDriftAfter] = std::to_string(*request.drift_after);
  if (request.challenge_wait) values[kChallengeWait] = std::to_string(*request.challenge_wait);
  auto existing = inv->settings();
  if (!existing) return std::move(existing).error();
  if (out.created && !existing->count(kAcmeServer) && !values.count(kAcmeServer)) {
    values[kAcmeServer] = kDefaultAcmeServer;
  }
  // Only record an event when something actually changes.
  bool changes = false;
  for (const auto& [k, v] : values) {
    auto it = existing->find(k);
    if (it == existing->end() || it->second != v) changes = true;
  }
  // The keys first: a key file that does not open what is already
  // encrypted must leave the settings as they were too.
  if (request.encrypt_keys) {
    auto converted = inv->encrypt_keys(ctx.actor, ctx.now());
    if (!converted) return std::move(converted).error();
    out.keys_encrypted = converted->keys;
  }
  if (changes) {
    if (auto set = inv->set_settings(values, ctx.actor, ctx.now()); !set) return std::move(set).error();
  }
  auto version = inv->schema_version();
  if (!version) return std::move(version).error();
  out.schema_version = *version;
  auto all = inv->settings();
  if (!all) return std::move(all).error();
  out.settings = std::move(*all);
  return out;
}

}  // namespace certkeeper::lifecycle
