// import --from-certbot: each lineage through the gate and into the
// inventory with its account; see certkeeper/lifecycle/certbot.h.
#include "certkeeper/lifecycle/certbot.h"

#include <map>

#include <nlohmann/json.hpp>

#include "acme_session.h"
#include "certbot_read.h"
#include "certkeeper/crypto/jose.h"
#include "certkeeper/lifecycle/init.h"
#include "certkeeper/lifecycle/version_record.h"
#include "certkeeper/store/event_kinds.h"
#include "certkeeper/store/inventory.h"

namespace certkeeper::lifecycle {
namespace {

using detail::LineageConf;

struct Migration {
  const Context& ctx;
  store::Inventory& inv;
  bool dry_run;
  std::string root;
  std::string contact;  // the inventory's ACME contact: the key its accounts are found by
  std::string ca_file;  // the acme_ca_file setting: trust for a private CA's chains
  std::map<std::string, std::size_t> accounts;  // server + "\n" + certbot id -> index in out.accounts
  CertbotMigration out;
};

// The account a lineage names, taken over once per (server, id).
const CertbotAccount& ensure_account(Migration& m, const std::string& server, const std::string& id) {
  const std::string key = server + "\n" + id;
  if (auto it = m.accounts.find(key); it != m.accounts.end()) return m.out.accounts[it->second];
  CertbotAccount a{id, server, "", "", "", ""};
  detail::AccountFiles files = detail::read_certbot_account(m.root, server, id);
  a.account_url = files.url;
  a.key_type = files.alg;
  if (!files.error.empty()) {
    a.status = "unusable";
    a.reason = files.error + "; renewals will register a new account";
  } else if (auto existing = m.inv.find_account(server, m.contact); !existing) {
    a.status = "unusable";
    a.reason = existing.error().what();
  } else if (*existing && (*existing)->account_url == files.url) {
    a.status = "unchanged";
  } else if (*existing) {
    a.status = "kept-existing";
    a.reason = "the inventory already has the account " + (*existing)->account_url +
               " for this CA; it stays, and renewals use it";
  } else if (m.dry_run) {
    a.status = "would-import";
  } else {
    store::AccountRecord record;
    record.directory_url = server;
    record.contact = m.contact;
    record.account_url = files.url;
    record.key_pem = files.key_pem;
    auto added = m.inv.add_account_if_absent(record, m.ctx.actor, m.ctx.now(), store::event::account_imported);
    if (!added) {
      a.status = "unusable";
      a.reason = added.error().what();
    } else {
      a.status = *added ? "imported" : "kept-existing";
      if (!*added) {  // another process stored one after we looked: the same one, or another
        auto stored = m.inv.find_account(server, m.contact);
        if (stored && *stored && (*stored)->account_url == files.url) {
          a.status = "unchanged";
        } else {
          a.reason = "another process stored an account for this CA meanwhile; it stays";
        }
      }
    }
  }
  m.accounts[key] = m.out.accounts.size();
  m.out.accounts.push_back(a);
  return m.out.accounts.back();
}

// Already in the inventory: the same certificate migrated before
// ("unchanged"), or another one of that name ("skipped").
void judge_existing(Migration& m, const store::CertificateRecord& existing, CertbotLineage& l) {
  auto same = m.inv.version_by_fingerprint(l.name, l.fingerprint_sha256);
  if (existing.source == "acme" && same && *same && existing.current_version == **same) {
    l.status = "unchanged";
    l.version = **same;
    return;
  }
  l.status = "skipped";
  l.reason = "the inventory already has a " + existing.source + " certificate named " + l.name +
             "; remove the name clash (certbot --cert-name) or migrate that lineage by hand";
}

void migrate_lineage(Migration& m, const std::string& name) {
  CertbotLineage l;
  l.name = name;
  LineageConf conf = detail::read_lineage_conf(m.root, name);
  l.conf = conf.conf_path;
  l.hooks = conf.hooks;
  l.acme_server = conf.server;
  l.renew_before_days = conf.renew_before_days;
  auto finish = [&] { m.out.lineages.push_back(std::move(l)); };
  if (!valid_certificate_name(name)) conf.skip = "its name is not a certkeeper name ([A-Za-z0-9._-], 1-64)";
  if (!conf.skip.empty()) {
    l.status = "skipped";
    l.reason = conf.skip;
    return finish();
  }
  // The same gate as `import`: the lineage's current files, as certbot's live/ links name them.
  crypto::Policy policy;
  policy.now = m.ctx.now();
  policy.ca_file = m.ca_file;
  policy.require_key = true;
  crypto::Verdict verdict = crypto::validate({conf.cert_file, conf.key_file, conf.chain_file, "", "", ""}, policy);
  l.findings = verdict.findings;
  if (!verdict.accepted() || !verdict.bundle) {
    l.status = "rejected";
    return finish();
  }
  const auto& leaf = verdict.bundle->leaf();
  l.domains = leaf.names();
  l.fingerprint_sha256 = leaf.fingerprint_sha256;
  l.not_after = leaf.not_after;
  l.key_type = !conf.key_type.empty() ? conf.key_type
               : crypto::valid_key_type(leaf.key_type) ? leaf.key_type
                                                       : std::string("ec-p256");
  l.challenge = "http-01";
  std::string why;
  l.challenge_config = conf.authenticator == "standalone" ? nlohmann::json{{"listen", conf.listen}}.dump()
                                                          : detail::webroot_config(conf, l.domains, why);
  if (l.challenge_config.empty()) {
    l.status = "skipped";
    l.reason = why;
    return finish();
  }
  auto existing = m.inv.find_certificate(name);
  if (!existing) {
    l.status = "skipped";
    l.reason = existing.error().what();
    return finish();
  }
  if (*existing) {
    judge_existing(m, **existing, l);
    return finish();
  }
  const CertbotAccount& account = ensure_account(m, conf.server, conf.account_id);
  l.account_url = account.status == "unusable" ? "" : account.account_url;
  if (m.dry_run) {
    l.status = "would-import";
    return finish();
  }
  store::CertificateRecord def;
  def.name = name;
  def.source = "acme";
  def.domains = l.domains;
  def.key_type = l.key_type;
  def.challenge = l.challenge;
  def.challenge_config = l.challenge_config;
  def.acme_server = conf.server;
  def.renew_before_days = l.renew_before_days;
  nlohmann::json detail = {{"from", "certbot"},
                           {"conf", conf.conf_path},
                           {"files", {{"cert", conf.cert_file}, {"chain", conf.chain_file}, {"key", conf.key_file}}},
                           {"fingerprint_sha256", leaf.fingerprint_sha256},
                           {"serial", leaf.serial_hex},
                           {"not_after", leaf.not_after},
                           {"account_url", l.account_url}};
  auto stored = m.inv.append_first_version(def, version_record(*verdict.bundle, verdict), store::event::migrated, detail.dump(),
                                            m.ctx.actor, m.ctx.now());
  if (!stored) {
    l.status = "skipped";
    l.reason = stored.error().what();
  } else if (!*stored) {  // another process took the name after we looked
    if (auto now_there = m.inv.find_certificate(name); now_there && *now_there) judge_existing(m, **now_there, l);
  } else {
    l.status = "imported";
    l.version = **stored;
  }
  finish();
}

}  // namespace

std::size_t CertbotMigration::not_migrated() const {
  std::size_t n = 0;
  for (const auto& l : lineages) n += l.status == "rejected" || l.status == "skipped";
  return n;
}

Result<CertbotMigration> migrate_from_certbot(const Context& ctx, const CertbotRequest& request) {
  auto names = detail::certbot_lineages(request.dir);
  if (!names) return std::move(names).error();
  auto inv = ctx.inventory(request.dry_run ? store::OpenMode::read_only : store::OpenMode::existing);
  if (!inv) return std::move(inv).error();
  auto server = detail::acme_server_for(*inv, nullptr);
  if (!server) return std::move(server).error();
  const std::string ca_file = request.ca_file.empty() ? server->ca_file : request.ca_file;
  Migration m{ctx, *inv, request.dry_run, request.dir, server->contact, ca_file, {}, {}};
  m.out.dir = request.dir;
  m.out.dry_run = request.dry_run;
  for (const auto& name : *names) migrate_lineage(m, name);
  m.out.hooks = detail::certbot_global_hooks(request.dir);
  return std::move(m.out);
}

}  // namespace certkeeper::lifecycle
