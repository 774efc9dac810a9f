// Inventory: marking a version revoked. The only change a stored version
// ever takes (db/sqlite/0001_initial.sql lets revoked_at and revoke_reason through
// the append-only trigger).
#include <nlohmann/json.hpp>

#include "certkeeper/util/json.h"
#include "impl.h"

namespace certkeeper::store {

Result<bool> Inventory::mark_revoked(const std::string& name, int version, const std::string& reason,
                                     const std::string& actor, UnixTime now, std::optional<UnixTime> revoked_at,
                                     const std::string& crl_url) {
  return detail::guarded(impl_->path, [&]() -> Result<bool> {
    sql::Transaction tx(impl_->db);
    sql::Statement q(impl_->db,
                        "SELECT c.id, v.id, v.revoked_at, v.serial FROM certificates c "
                        "LEFT JOIN cert_versions v ON v.certificate_id = c.id AND v.version = ? WHERE c.name = ?");
    q.bind(1, version);
    q.bind(2, name);
    if (!q.executeStep()) {
      return make_error(Errc::not_found, "no such certificate; 'certkeeper list' shows the names", name);
    }
    if (q.getColumn(1).isNull()) {
      return make_error(Errc::not_found,
                        "has no version " + std::to_string(version) + "; 'certkeeper history NAME' lists the versions",
                        name);
    }
    if (!q.getColumn(2).isNull()) return false;
    std::int64_t certificate_id = q.getColumn(0).getInt64();
    std::int64_t version_id = q.getColumn(1).getInt64();
    std::string serial = q.getColumn(3).getString();
    sql::Statement u(impl_->db, "UPDATE cert_versions SET revoked_at = ?, revoke_reason = ? WHERE id = ?");
    u.bind(1, static_cast<std::int64_t>(revoked_at.value_or(now)));
    u.bind(2, reason);
    u.bind(3, version_id);
    u.exec();
    nlohmann::json detail = {{"version", version}, {"reason", reason}, {"serial", serial}};
    if (revoked_at) detail["revoked_at"] = *revoked_at;
    if (!crl_url.empty()) detail["crl"] = crl_url;
    detail::insert_event(impl_->db, now, certificate_id, name, event::revoked, actor, detail.dump());
    tx.commit();
    return true;
  });
}

Result<bool> Inventory::record_event_once(const std::string& name, const std::string& kind, int version,
                                          const std::string& detail_json, const std::string& actor, UnixTime now) {
  return detail::guarded(impl_->path, [&]() -> Result<bool> {
    sql::Transaction tx(impl_->db);
    auto id = detail::certificate_id(impl_->db, name);
    if (!id) return make_error(Errc::not_found, "no such certificate; 'certkeeper list' shows the names", name);
    // The details are read here rather than in SQL, the same on both
    // dialects: a certificate has few events of one kind (one a version).
    sql::Statement q(impl_->db, "SELECT detail FROM events WHERE certificate_id = ? AND kind = ?");
    q.bind(1, *id);
    q.bind(2, kind);
    while (q.executeStep()) {
      const auto seen = parse_json_or_null(q.text(0));
      if (seen.is_object() && seen.contains("version") && seen["version"] == version) return false;
    }
    auto detail = parse_json_or_null(detail_json.empty() ? "{}" : detail_json);
    if (!detail.is_object()) detail = nlohmann::json::object();
    detail["version"] = version;
    detail::insert_event(impl_->db, now, *id, name, kind, actor, detail.dump());
    tx.commit();
    return true;
  });
}

}  // namespace certkeeper::store
