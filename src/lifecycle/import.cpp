#include <nlohmann/json.hpp>

#include "certkeeper/crypto/names.h"
#include "certkeeper/lifecycle/check.h"

#include "install_new.h"
#include "certkeeper/lifecycle/init.h"
#include "certkeeper/lifecycle/version_record.h"
#include "certkeeper/store/event_kinds.h"
#include "certkeeper/store/inventory.h"
#include "certkeeper/util/log.h"

namespace certkeeper::lifecycle {
namespace {

// The names an import must cover: the definition's declared domains, else
// the host of the external_url setting (the mail-server admin page's rule).
Result<std::pair<std::vector<std::string>, std::string>> names_for_import(
    store::Inventory& inv, const std::optional<store::CertificateRecord>& definition) {
  std::vector<std::string> names;
  if (definition && !definition->domains.empty()) {
    for (const auto& d : definition->domains) {
      if (auto host = crypto::normalize_host(d)) names.push_back(*host);
    }
    return std::pair{names, std::string("declared domains")};
  }
  auto url = inv.setting(kExternalUrl);
  if (!url) return std::move(url).error();
  if (*url && !(*url)->empty()) {
    if (auto host = crypto::host_from_url(**url)) {
      names.push_back(*host);
      return std::pair{names, std::string("external_url setting")};
    }
  }
  return std::pair{names, std::string()};
}

nlohmann::json files_detail(const crypto::Sources& s) {
  nlohmann::json files = nlohmann::json::object();
  if (!s.p12_file.empty()) files["p12"] = s.p12_file;
  if (!s.cert_file.empty()) files["cert"] = s.cert_file;
  if (!s.key_file.empty()) files["key"] = s.key_file;
  if (!s.chain_file.empty()) files["chain"] = s.chain_file;
  return files;
}

// --install: the stored version into the certificate's targets.
void install_into_targets(const Context& ctx, store::Inventory& inv, const std::string& name, ImportOutcome& out) {
  auto installed = install_new_version(ctx, inv, name, out.version);
  if (installed) {
    out.install = std::move(*installed);
  } else {
    out.install_error = std::move(installed).error();
  }
}

}  // namespace

Result<ImportOutcome> import_certificate(const Context& ctx, const ImportRequest& request) {
  if (auto ok = check_certificate_name(request.name); !ok) return std::move(ok).error();
  auto inv = ctx.inventory(store::OpenMode::existing);
  if (!inv) return std::move(inv).error();
  auto definition = inv->find_certificate(request.name);
  if (!definition) return std::move(definition).error();
  if (*definition && (*definition)->source != "manual") {
    return make_error(Errc::conflict,
                      "is managed by " + (*definition)->source +
                          "; import the files under another name",
                      request.name);
  }
  if (request.install) {
    auto targets = *definition ? inv->node_targets(request.name, ctx.node_name())
                               : Result<std::vector<store::TargetRecord>>(std::vector<store::TargetRecord>{});
    if (!targets) return std::move(targets).error();
    if (targets->empty()) {
      return make_error(Errc::usage,
                        "has no install targets, so --install has nothing to do; import without it, add a "
                        "target with 'certkeeper target add " + request.name + " --dir DIR', then run 'certkeeper "
                        "install " + request.name + "'",
                        request.name);
    }
  }
  auto names = names_for_import(*inv, *definition);
  if (!names) return std::move(names).error();

  log::debug("import " + request.name + ": inventory " + ctx.db_path + ", names from " +
             (names->second.empty() ? std::string("nowhere (unchecked)") : names->second));
  ImportOutcome out;
  out.check.names_checked = names->first;
  out.check.names_from = names->second;
  crypto::Policy policy;
  policy.now = ctx.now();
  policy.names = names->first;
  policy.ca_file = request.ca_file;
  policy.require_key = true;
  out.check.verdict = crypto::validate(request.sources, policy);
  auto& verdict = out.check.verdict;
  if (!verdict.accepted() || !verdict.bundle) return out;

  const auto& leaf = verdict.bundle->leaf();
  out.created = !*definition;
  if (*definition && (*definition)->current_version) {
    auto same = inv->version_by_fingerprint(request.name, leaf.fingerprint_sha256);
    if (!same) return std::move(same).error();
    if (*same && **same == *(*definition)->current_version) {
      out.unchanged = true;
      out.version = **same;
      if (request.install) install_into_targets(ctx, *inv, request.name, out);
      return out;
    }
    if ((*definition)->current_not_after && leaf.not_after < *(*definition)->current_not_after) {
      verdict.findings.push_back(crypto::make_finding(
          crypto::Severity::warning, crypto::FindingCode::older_than_current, request.name,
          "expires before the current version " + std::to_string(*(*definition)->current_version) +
              "; it becomes current anyway: check that this is the file you meant"));
    }
  }

  store::CertificateRecord def;
  def.name = request.name;
  def.source = "manual";
  store::VersionRecord version = version_record(*verdict.bundle, verdict);
  nlohmann::json detail = {{"fingerprint_sha256", leaf.fingerprint_sha256},
                           {"serial", leaf.serial_hex},
                           {"not_after", leaf.not_after},
                           {"origin", verdict.origin},
                           {"files", files_detail(request.sources)}};
  // The check above is the fast path; the decision is made again inside the
  // writing transaction, so that the same files imported by several
  // processes at once are stored once and the others say "unchanged".
  auto appended = inv->append_version_if_new(def, std::move(version), store::event::imported, detail.dump(), ctx.actor,
                                             ctx.now());
  if (!appended) return std::move(appended).error();
  out.version = appended->version;
  out.stored = appended->appended;
  out.unchanged = !appended->appended;
  out.created = out.created && appended->appended;
  if (request.install) install_into_targets(ctx, *inv, request.name, out);
  return out;
}

}  // namespace certkeeper::lifecycle
