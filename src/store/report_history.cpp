// Inventory: the recent history of every reported certificate, in two
// queries (one for versions, one for events) instead of two per certificate.
#include <algorithm>

#include "impl.h"

namespace certkeeper::store {
namespace {

std::string scope(bool filtered) { return filtered ? "c.current_not_after < :before AND " : ""; }

// Version numbers run 1, 2, 3... per certificate, so the most recent N are
// those above max - N: an index range on (certificate_id, version).
std::string versions_sql(bool filtered) {
  return "SELECT c.name, v.version, v.fingerprint_sha256, v.serial, v.issuer_cn, v.not_before, v.not_after, "
         "v.origin, v.revoked_at, v.revoke_reason, v.created_at, "
         "(SELECT max(w.version) FROM cert_versions w WHERE w.certificate_id = c.id) "
         "FROM certificates c JOIN cert_versions v ON v.certificate_id = c.id WHERE " +
         scope(filtered) +
         "v.version > (SELECT coalesce(max(w.version), 0) FROM cert_versions w WHERE w.certificate_id = c.id) "
         "- :versions";
}

// The most recent N events start at the id of the N-th newest: an index
// range on (certificate_id, id).
std::string events_sql(bool filtered) {
  return "SELECT c.name, e.id, e.at, e.kind, e.actor, e.detail, "
         "(SELECT count(*) FROM events x WHERE x.certificate_id = c.id) "
         "FROM certificates c JOIN events e ON e.certificate_id = c.id WHERE " +
         scope(filtered) +
         "e.id >= coalesce((SELECT x.id FROM events x WHERE x.certificate_id = c.id "
         "ORDER BY x.id DESC LIMIT 1 OFFSET :events - 1), 0)";
}

}  // namespace

Result<std::unordered_map<std::string, ReportHistory>> Inventory::report_history(
    std::optional<UnixTime> expiring_before, int max_versions, int max_events) {
  using Out = std::unordered_map<std::string, ReportHistory>;
  return detail::guarded(impl_->path, [&]() -> Result<Out> {
    Out out;
    if (max_versions > 0) {
      SQLite::Statement q(impl_->db, versions_sql(expiring_before.has_value()));
      if (expiring_before) q.bind(":before", static_cast<std::int64_t>(*expiring_before));
      q.bind(":versions", max_versions);
      while (q.executeStep()) {
        auto& h = out[q.getColumn(0).getString()];
        VersionRecord v;
        int i = 0;
        v.certificate_name = q.getColumn(i++).getString();
        v.version = q.getColumn(i++).getInt();
        v.fingerprint_sha256 = q.getColumn(i++).getString();
        v.serial = q.getColumn(i++).getString();
        v.issuer_cn = q.getColumn(i++).getString();
        v.not_before = q.getColumn(i++).getInt64();
        v.not_after = q.getColumn(i++).getInt64();
        v.origin = q.getColumn(i++).getString();
        v.revoked_at = detail::optional_int(q.getColumn(i++));
        v.revoke_reason = q.getColumn(i++).getString();
        v.created_at = q.getColumn(i++).getInt64();
        h.versions_total = q.getColumn(i++).getInt();
        h.versions.push_back(std::move(v));
      }
    }
    if (max_events > 0) {
      SQLite::Statement q(impl_->db, events_sql(expiring_before.has_value()));
      if (expiring_before) q.bind(":before", static_cast<std::int64_t>(*expiring_before));
      q.bind(":events", max_events);
      while (q.executeStep()) {
        auto& h = out[q.getColumn(0).getString()];
        EventRecord e;
        e.certificate_name = q.getColumn(0).getString();
        e.id = q.getColumn(1).getInt64();
        e.at = q.getColumn(2).getInt64();
        e.kind = q.getColumn(3).getString();
        e.actor = q.getColumn(4).getString();
        e.detail_json = q.getColumn(5).getString();
        h.events_total = q.getColumn(6).getInt();
        h.events.push_back(std::move(e));
      }
    }
    // Oldest first, whatever order the plan produced them in.
    for (auto& entry : out) {
      auto& h = entry.second;
      std::sort(h.versions.begin(), h.versions.end(),
                [](const VersionRecord& a, const VersionRecord& b) { return a.version < b.version; });
      std::sort(h.events.begin(), h.events.end(), [](const EventRecord& a, const EventRecord& b) { return a.id < b.id; });
    }
    return out;
  });
}

}  // namespace certkeeper::store
