// revoke: the current version of an ACME certificate, with the account key
// (RFC 8555 §7.6), then marked in the history.
#include <algorithm>
#include <cctype>

#include "acme_session.h"
#include "certkeeper/crypto/certificate_der.h"
#include "certkeeper/lifecycle/account_ops.h"

namespace certkeeper::lifecycle {
namespace {

// RFC 5280 §5.3.1 CRLReason names, indexed by code; "" for codes revoke does
// not offer (certificateHold 6 is not a revocation, 7 is unused).
const std::vector<std::string>& reason_table() {
  static const std::vector<std::string> table = {"unspecified",        "keyCompromise", "caCompromise",
                                                 "affiliationChanged", "superseded",    "cessationOfOperation"};
  return table;
}

bool same_ignoring_case(const std::string& a, const std::string& b) {
  return std::equal(a.begin(), a.end(), b.begin(), b.end(), [](unsigned char x, unsigned char y) {
    return std::tolower(x) == std::tolower(y);
  });
}

Error no_reason(const std::string& reason) {
  std::string names;
  for (const auto& r : reason_table()) names += (names.empty() ? "" : ", ") + r;
  return make_error(Errc::usage, "is not a revocation reason; use one of " + names, reason);
}

Result<store::VersionRecord> current_version(store::Inventory& inv, const store::CertificateRecord& def) {
  if (!def.current_version) {
    return make_error(Errc::not_found, "has no version to revoke; 'certkeeper history NAME' shows what happened",
                      def.name);
  }
  auto versions = inv.versions(def.name);
  if (!versions) return std::move(versions).error();
  for (auto& v : *versions) {
    if (v.version == *def.current_version) return std::move(v);
  }
  return make_error(Errc::internal, "the current version is missing from the history", def.name);
}

}  // namespace

const std::vector<std::string>& revocation_reasons() { return reason_table(); }

std::optional<int> revocation_reason_code(const std::string& reason) {
  const auto& table = reason_table();
  for (std::size_t code = 0; code < table.size(); ++code) {
    if (same_ignoring_case(table[code], reason)) return static_cast<int>(code);
  }
  return std::nullopt;
}

Result<RevokeOutcome> revoke_certificate(const Context& ctx, const RevokeRequest& request) {
  auto code = revocation_reason_code(request.reason);
  if (!code) return no_reason(request.reason);
  auto inv = ctx.inventory(store::OpenMode::existing);
  if (!inv) return std::move(inv).error();
  auto def = inv->find_certificate(request.name);
  if (!def) return std::move(def).error();
  if (!*def) return make_error(Errc::not_found, "no such certificate; 'certkeeper list' shows the names", request.name);
  if ((*def)->source != "acme") {
    return make_error(Errc::conflict,
                      "is a " + (*def)->source +
                          " certificate; certkeeper revokes only certificates it obtained over ACME, so ask the CA "
                          "that issued it",
                      request.name);
  }
  auto version = current_version(*inv, **def);
  if (!version) return std::move(version).error();
  auto der = crypto::certificate_der(version->leaf_pem);
  if (!der) {
    return make_error(Errc::internal, "the stored certificate does not parse: " + der.error().message, request.name);
  }

  auto server = detail::acme_server_for(*inv, &**def);
  if (!server) return std::move(server).error();
  detail::SessionOptions options;
  options.register_missing = false;  // a new account could not revoke it anyway
  auto session = detail::open_session(*inv, ctx, *server, options);
  if (!session) return std::move(session).error();
  const std::string canonical = reason_table()[static_cast<std::size_t>(*code)];
  if (auto revoked = session->client->revoke(*der, *code); !revoked) {
    Error e = std::move(revoked).error();
    e.message = "the CA did not revoke version " + std::to_string(version->version) + ": " + e.message;
    e.subject = request.name;
    return e;
  }
  auto marked = inv->mark_revoked(request.name, version->version, canonical, ctx.actor, ctx.now());
  if (!marked) return std::move(marked).error();

  RevokeOutcome out;
  out.name = request.name;
  out.version = version->version;
  out.serial = version->serial;
  out.newly_marked = *marked;
  out.reason = canonical;
  out.reason_code = *code;
  out.revoked_at = ctx.now();
  if (!*marked) {  // the first mark stands
    out.reason = version->revoke_reason;
    out.reason_code = revocation_reason_code(version->revoke_reason).value_or(0);
    out.revoked_at = version->revoked_at.value_or(0);
  }
  return out;
}

}  // namespace certkeeper::lifecycle
