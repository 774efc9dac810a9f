// Inventory: reading versions and the audit log.
#include "impl.h"

namespace certkeeper::store {
namespace {

// Columns of cert_versions without key_pem: the key is read only on demand.
constexpr const char* kVersionColumns =
    "v.id, c.name, v.version, v.leaf_pem, v.chain_pem, v.root_pem, v.fingerprint_sha256, "
    "v.serial, v.subject, v.issuer, v.issuer_cn, v.names, v.key_type, v.not_before, "
    "v.not_after, v.origin, v.findings, v.revoked_at, v.revoke_reason, v.created_at";

VersionRecord read_version(sql::Statement& q) {
  VersionRecord v;
  int i = 0;
  v.id = q.getColumn(i++).getInt64();
  v.certificate_name = q.getColumn(i++).getString();
  v.version = q.getColumn(i++).getInt();
  v.leaf_pem = q.getColumn(i++).getString();
  v.chain_pem = q.getColumn(i++).getString();
  v.root_pem = q.getColumn(i++).getString();
  v.fingerprint_sha256 = q.getColumn(i++).getString();
  v.serial = q.getColumn(i++).getString();
  v.subject = q.getColumn(i++).getString();
  v.issuer = q.getColumn(i++).getString();
  v.issuer_cn = q.getColumn(i++).getString();
  v.names = detail::decode_list(q.getColumn(i++).getString());
  v.key_type = q.getColumn(i++).getString();
  v.not_before = q.getColumn(i++).getInt64();
  v.not_after = q.getColumn(i++).getInt64();
  v.origin = q.getColumn(i++).getString();
  v.findings_json = q.getColumn(i++).getString();
  v.revoked_at = detail::optional_int(q.getColumn(i++));
  v.revoke_reason = q.getColumn(i++).getString();
  v.created_at = q.getColumn(i++).getInt64();
  return v;
}

std::string select_versions(const char* where) {
  return std::string("SELECT ") + kVersionColumns +
         " FROM cert_versions v JOIN certificates c ON c.id = v.certificate_id WHERE " + where;
}

Error no_such_certificate(const std::string& name) {
  return make_error(Errc::not_found, "no such certificate; 'certkeeper list' shows the names", name);
}

}  // namespace

Result<std::vector<VersionRecord>> Inventory::versions(const std::string& name) {
  return detail::guarded(impl_->path, [&]() -> Result<std::vector<VersionRecord>> {
    sql::Statement q(impl_->db, select_versions("c.name = ? ORDER BY v.version"));
    q.bind(1, name);
    std::vector<VersionRecord> out;
    while (q.executeStep()) out.push_back(read_version(q));
    return out;
  });
}

Result<VersionRecord> Inventory::version_with_key(const std::string& name, int version) {
  return detail::guarded(impl_->path, [&]() -> Result<VersionRecord> {
    sql::Statement q(impl_->db, select_versions("c.name = ? AND v.version = ?"));
    q.bind(1, name);
    q.bind(2, version);
    if (!q.executeStep()) {
      return make_error(Errc::not_found,
                        "has no version " + std::to_string(version) +
                            "; 'certkeeper history NAME' lists the versions",
                        name);
    }
    VersionRecord v = read_version(q);
    sql::Statement k(impl_->db, "SELECT key_pem FROM cert_versions WHERE id = ?");
    k.bind(1, static_cast<std::int64_t>(v.id));
    k.executeStep();
    v.key_pem = detail::readable_key(*impl_, k.getColumn(0).getString(), detail::version_key_ad(name, version));
    return v;
  });
}

Result<std::optional<int>> Inventory::version_by_fingerprint(const std::string& name,
                                                             const std::string& fingerprint) {
  return detail::guarded(impl_->path, [&]() -> Result<std::optional<int>> {
    sql::Statement q(impl_->db,
                        "SELECT v.version FROM cert_versions v JOIN certificates c "
                        "ON c.id = v.certificate_id WHERE c.name = ? AND v.fingerprint_sha256 = ? "
                        "ORDER BY v.version DESC LIMIT 1");
    q.bind(1, name);
    q.bind(2, fingerprint);
    if (!q.executeStep()) return std::optional<int>{};
    return std::optional<int>{q.getColumn(0).getInt()};
  });
}

Result<std::vector<EventRecord>> Inventory::events(const std::string& name) {
  return detail::guarded(impl_->path, [&]() -> Result<std::vector<EventRecord>> {
    std::string sql = "SELECT id, at, certificate_name, kind, actor, detail FROM events";
    if (!name.empty()) sql += " WHERE certificate_name = ?";
    sql += " ORDER BY id";
    sql::Statement q(impl_->db, sql);
    if (!name.empty()) q.bind(1, name);
    std::vector<EventRecord> out;
    while (q.executeStep()) {
      EventRecord e;
      e.id = q.getColumn(0).getInt64();
      e.at = q.getColumn(1).getInt64();
      e.certificate_name = q.getColumn(2).getString();
      e.kind = q.getColumn(3).getString();
      e.actor = q.getColumn(4).getString();
      e.detail_json = q.getColumn(5).getString();
      out.push_back(std::move(e));
    }
    if (out.empty() && !name.empty()) {
      sql::Statement c(impl_->db, "SELECT 1 FROM certificates WHERE name = ?");
      c.bind(1, name);
      if (!c.executeStep()) return no_such_certificate(name);
    }
    return out;
  });
}

}  // namespace certkeeper::store
