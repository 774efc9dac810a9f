// Inventory: the recent history of every reported certificate, in two
// queries (versions other than the current one; events) instead of two per
// certificate. report_rows_with_history (report_rows.cpp) calls it.
#include <algorithm>

#include "impl.h"
#include "sql/statement.h"

namespace certkeeper::store::detail {
namespace {

// As report_rows: the expiry index's range, and the pinned certificates
// (whose desired version's dates are not in the index); report_rows keeps
// only those whose desired version expires before the bound.
std::string scope(bool filtered) {
  return filtered ? " WHERE c.id IN (SELECT id FROM certificates WHERE current_not_after < :before UNION ALL "
                    "SELECT id FROM certificates WHERE pinned_version IS NOT NULL)"
                  : "";
}

// One row per certificate (certificates first, so each one's versions are
// an index range on (certificate_id, version) read in turn): how many
// versions it has (numbers run 1, 2, 3..., so the highest) and, beside it,
// each of the most recent N other than the desired one (the pinned, else the
// current), which the report row already holds. A certificate with no such version gets one row of
// NULLs from the LEFT JOIN.
std::string versions_sql(bool filtered) {
  return "SELECT b.name, b.top, v.version, v.fingerprint_sha256, v.serial, v.issuer_cn, v.not_before, "
         "v.not_after, v.origin, v.revoked_at, v.revoke_reason, v.created_at "
         "FROM (SELECT c.id AS cid, c.name AS name, coalesce(c.pinned_version, c.current_version) AS cur, "
         "      (SELECT coalesce(max(w.version), 0) FROM cert_versions w WHERE w.certificate_id = c.id) AS top "
         "      FROM certificates c" +
         scope(filtered) +
         ") b LEFT JOIN cert_versions v ON v.certificate_id = b.cid AND v.version > b.top - :versions "
         "AND v.version IS DISTINCT FROM b.cur";
}

// The most recent N events start at the id of the N-th newest (NULL when
// there are fewer: then they are all of them, and no count is needed).
// Materialised, so that each certificate's bound is computed once and its
// events are an index range on (certificate_id, id).
std::string events_sql(bool filtered, bool sqlite) {
  return "WITH b AS MATERIALIZED ("
         "  SELECT cid, name, start, "
         "    CASE WHEN start IS NULL THEN NULL "
         "    ELSE (SELECT count(*) FROM events x WHERE x.certificate_id = cid) END AS total "
         "  FROM (SELECT c.id AS cid, c.name AS name, "
         "        (SELECT x.id FROM events x WHERE x.certificate_id = c.id "
         "         ORDER BY x.id DESC LIMIT 1 OFFSET :events - 1) AS start "
         "        FROM certificates c" +
         scope(filtered) +
         ") AS s) "
         "SELECT b.name, b.total, e.id, e.at, e.kind, e.actor, e.detail "
         "FROM b CROSS JOIN events e WHERE e.certificate_id = b.cid AND e.id >= coalesce(b.start, 0)" +
         // SQLite reads them certificate by certificate as written; a
         // PostgreSQL plan may not, and add_events needs each one's together.
         std::string(sqlite ? "" : " ORDER BY b.cid, e.id");
}

void add_versions(sql::Database& db, std::optional<UnixTime> expiring_before, int max_versions,
                  std::unordered_map<std::string, ReportHistory>& out) {
  sql::Statement q(db, versions_sql(expiring_before.has_value()));
  if (expiring_before) q.bind(":before", static_cast<std::int64_t>(*expiring_before));
  q.bind(":versions", max_versions);
  while (q.executeStep()) {
    auto& h = out[q.text(0)];
    h.versions_total = q.int32(1);
    if (q.is_null(2)) continue;
    VersionRecord& v = h.versions.emplace_back();
    v.certificate_name = q.text(0);
    v.version = q.int32(2);
    v.fingerprint_sha256 = q.text(3);
    v.serial = q.text(4);
    v.issuer_cn = q.text(5);
    v.not_before = q.int64(6);
    v.not_after = q.int64(7);
    v.origin = q.text(8);
    v.revoked_at = q.optional_int(9);
    v.revoke_reason = q.text(10);
    v.created_at = q.int64(11);
  }
  // Oldest first; the current version (added from the row) only when it is
  // among the most recent N (a rollback can make an older one current).
  for (auto& entry : out) {
    auto& versions = entry.second.versions;
    const int floor = entry.second.versions_total - max_versions;
    std::erase_if(versions, [&](const VersionRecord& v) { return v.version <= floor; });
    auto by_number = [](const VersionRecord& a, const VersionRecord& b) { return a.version < b.version; };
    if (!std::is_sorted(versions.begin(), versions.end(), by_number)) {
      std::sort(versions.begin(), versions.end(), by_number);
    }
  }
}

void add_events(sql::Database& db, std::optional<UnixTime> expiring_before, int max_events,
                std::unordered_map<std::string, ReportHistory>& out) {
  sql::Statement q(db, events_sql(expiring_before.has_value(), db.is_sqlite()));
  if (expiring_before) q.bind(":before", static_cast<std::int64_t>(*expiring_before));
  q.bind(":events", max_events);
  // A certificate's events arrive together: one map lookup per certificate.
  ReportHistory* h = nullptr;
  std::string name;
  while (q.executeStep()) {
    if (!h || q.view(0) != name) {
      name = q.view(0);
      h = &out[name];
      h->events.clear();
      h->events_total = q.is_null(1) ? 0 : q.int32(1);
    }
    EventRecord& e = h->events.emplace_back();
    e.certificate_name = name;
    e.id = q.int64(2);
    e.at = q.int64(3);
    e.kind = q.text(4);
    e.actor = q.text(5);
    e.detail_json = q.text(6);
  }
  for (auto& entry : out) {
    auto& events = entry.second.events;
    // Fewer than N: the ones read are all there are.
    entry.second.events_total = std::max<int>(entry.second.events_total, static_cast<int>(events.size()));
    auto by_id = [](const EventRecord& a, const EventRecord& b) { return a.id < b.id; };
    if (!std::is_sorted(events.begin(), events.end(), by_id)) std::sort(events.begin(), events.end(), by_id);
  }
}

}  // namespace

void add_report_history(sql::Database& db, std::optional<UnixTime> expiring_before, int max_versions,
                        int max_events, std::unordered_map<std::string, ReportHistory>& history) {
  if (max_versions > 0) {
    add_versions(db, expiring_before, max_versions, history);
  } else {
    for (auto& entry : history) entry.second.versions.clear();
  }
  if (max_events > 0) add_events(db, expiring_before, max_events, history);
}

}  // namespace certkeeper::store::detail
