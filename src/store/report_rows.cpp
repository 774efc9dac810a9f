// Inventory: the rows of the expiry report, one query for every format.
#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <unordered_map>
#include <string_view>
#include <unordered_set>

#include "certkeeper/util/json.h"
#include "impl.h"
#include "sql/statement.h"

namespace certkeeper::store {
namespace {

// The install events whose detail records the post-install probes
// (lifecycle/install.cpp: "probes": [{"endpoint", "ok", ...}]).
constexpr const char* kProbeOk =
    // A remote endpoint: its record is the record of probing it.
    "CASE WHEN c.source = 'remote' THEN "
    "  (CASE WHEN c.last_attempt IS NULL THEN NULL ELSE c.failures = 0 END) "
    // Otherwise the latest install, rollback or rolled-back install: ok when
    // it ran probes and all passed; unknown when it ran none.
    "ELSE (SELECT CASE WHEN json_valid(e.detail) AND json_type(e.detail, '$.probes') = 'array' "
    "                   AND json_array_length(e.detail, '$.probes') > 0 "
    "             THEN NOT EXISTS (SELECT 1 FROM json_each(e.detail, '$.probes') p "
    "                              WHERE json_extract(p.value, '$.ok') IS NOT 1) END "
    "      FROM events e WHERE e.certificate_id = c.id "
    // event::installed, event::rolled_back, event::install_rolled_back
    "        AND e.kind IN ('installed', 'rolled-back', 'install-rolled-back') "
    "      ORDER BY e.id DESC LIMIT 1) END";

// PostgreSQL's last column instead: a remote endpoint's record as 'true' or
// 'false', else the latest install event's detail, which read_row judges
// (a detail may hold what jsonb refuses, such as an escaped NUL from a
// hostile certificate, so it is not cast in SQL).
constexpr const char* kProbeOkPostgresql =
    "CASE WHEN c.source = 'remote' THEN "
    "  (CASE WHEN c.last_attempt IS NULL THEN NULL WHEN c.failures = 0 THEN 'true' ELSE 'false' END) "
    "ELSE (SELECT e.detail FROM events e WHERE e.certificate_id = c.id "
    "        AND e.kind IN ('installed', 'rolled-back', 'install-rolled-back') "
    "      ORDER BY e.id DESC LIMIT 1) END";

// Whether an install event's detail says its probes ran and all passed
// (kProbeOk's rule); nullopt when it ran none.
std::optional<bool> probes_passed(std::string_view detail) {
  if (detail == "true") return true;
  if (detail == "false") return false;
  const auto parsed = parse_json_or_null(std::string(detail));
  if (!parsed.is_object() || !parsed.contains("probes")) return std::nullopt;
  const auto& probes = parsed["probes"];
  if (!probes.is_array() || probes.empty()) return std::nullopt;
  for (const auto& p : probes) {
    if (!p.is_object() || !p.contains("ok") || p["ok"] != true) return false;
  }
  return true;
}

// The ids of the certificates a --within report looks at: those whose newest
// version expires before the bound (a range of the expiry index), and the
// pinned ones (a partial index), whose desired version is not the one
// indexed; read_rows keeps those whose desired version expires before the
// bound. One bound parameter.
constexpr const char* kDueOrPinned =
    "SELECT id FROM certificates WHERE current_not_after < ? "
    "UNION ALL SELECT id FROM certificates WHERE pinned_version IS NOT NULL";

// The columns read_row reads, in its order.
std::string report_rows_sql(bool filtered, bool sqlite) {
  std::string sql =
      "SELECT c.name, c.source, c.status, c.last_error, c.failures, c.current_version, c.pinned_version, "
      "v.names, v.issuer_cn, v.issuer, v.serial, v.fingerprint_sha256, v.key_type, "
      "v.not_before, v.not_after, c.last_attempt, c.last_success, c.ari_start, c.ari_end, c.next_check, "
      "v.revoked_at, v.revoke_reason, v.origin, v.created_at, "
      // Correlated lookups on the targets' (certificate_id, dir) index and
      // the events' (certificate_id, id) index: per row shown, never a scan.
      "(SELECT count(*) FROM targets t WHERE t.certificate_id = c.id), "
      "(SELECT min(t.installed_version) FROM targets t WHERE t.certificate_id = c.id), ";
  sql += sqlite ? kProbeOk : kProbeOkPostgresql;
  sql +=
      ", c.id"
      // The desired version (issue 12): the pinned one, else the newest.
      " FROM certificates c LEFT JOIN cert_versions v "
      "ON v.certificate_id = c.id AND v.version = coalesce(c.pinned_version, c.current_version)";
  // current_not_after is indexed: the range scan touches only the rows due.
  // A pinned certificate's desired version is not the one indexed: the few
  // pinned ones are read too (a partial index), and read_rows keeps those
  // whose desired version expires before the bound.
  // No ORDER BY: the whole inventory is read in rowid order, so that the
  // version rows (each holding its PEMs, two to a page) are visited in the
  // order they are stored rather than at random; sort_rows orders them.
  if (filtered) sql += std::string(" WHERE c.id IN (") + kDueOrPinned + ")";
  return sql;
}

// The fleet of every certificate read (issue 12, "Fleet views"): one
// query over targets joined with nodes for the whole report, not one per
// row; per certificate and node, the lowest installed version, whether
// every probe passed (0 when one failed, 1 when all passed, else NULL), the
// newest install and the node's heartbeat (NULL without a row). Targets
// that belong to no node yet (made by an older certkeeper, not adopted)
// are not a node's. One bound parameter when filtered.
std::string fleet_sql(bool filtered) {
  std::string sql =
      "SELECT t.certificate_id, t.node, min(t.installed_version), "
      "CASE WHEN sum(CASE WHEN t.probe_ok = 0 THEN 1 ELSE 0 END) > 0 THEN 0 "
      "     WHEN count(t.probe_ok) = count(*) THEN 1 END, "
      "max(t.installed_at), max(n.last_seen) "
      "FROM targets t LEFT JOIN nodes n ON n.name = t.node WHERE t.node <> ''";
  if (filtered) sql += std::string(" AND t.certificate_id IN (") + kDueOrPinned + ")";
  sql += " GROUP BY t.certificate_id, t.node";
  return sql;
}

struct ReadRow {
  ReportRow row;
  std::int64_t id = 0;
  std::optional<UnixTime> sort_key;  // the desired version's not_after
  std::string origin;                // of the current version
  UnixTime stored_at = 0;
};

void read_row(const sql::Statement& q, bool sqlite, ReadRow& out) {
  ReportRow& r = out.row;
  int i = 0;
  r.name = q.text(i++);
  r.source = q.text(i++);
  r.status = q.text(i++);
  r.last_error = q.text(i++);
  r.failures = q.int32(i++);
  if (auto v = q.optional_int(i++)) r.newest_version = static_cast<int>(*v);
  if (auto v = q.optional_int(i++)) r.pinned_version = static_cast<int>(*v);
  r.version = r.pinned_version ? r.pinned_version : r.newest_version;
  if (!q.is_null(i)) r.names = detail::decode_list(q.text(i));
  ++i;
  r.issuer_cn = q.text(i++);
  r.issuer = q.text(i++);
  r.serial = q.text(i++);
  r.fingerprint_sha256 = q.text(i++);
  r.key_type = q.text(i++);
  r.not_before = q.optional_int(i++);
  r.not_after = q.optional_int(i++);
  r.last_attempt = q.optional_int(i++);
  r.last_success = q.optional_int(i++);
  r.ari_start = q.optional_int(i++);
  r.ari_end = q.optional_int(i++);
  r.next_check = q.optional_int(i++);
  r.revoked_at = q.optional_int(i++);
  r.revoke_reason = q.text(i++);
  out.sort_key = r.version ? r.not_after : std::nullopt;
  out.origin = q.text(i++);
  out.stored_at = q.int64(i++);
  r.targets = q.int32(i++);
  if (auto v = q.optional_int(i++)) r.installed_version = static_cast<int>(*v);
  if (!q.is_null(i)) {
    if (sqlite) {
      r.probe_ok = q.int64(i) != 0;
    } else {
      r.probe_ok = probes_passed(q.view(i));
    }
  }
  ++i;
  out.id = q.int64(i++);
  r.version_stored_at = r.version && out.stored_at ? std::optional<UnixTime>(out.stored_at) : std::nullopt;
}

// The settings the fleet statuses judge against, into every row.
void add_fleet_settings(sql::Database& db, std::vector<ReadRow>& rows) {
  int down_after = kDefaultNodeDownAfter, drift_after = kDefaultDriftAfter;
  sql::Statement q(db, "SELECT key, value FROM settings WHERE key IN ('node_down_after', 'drift_after')");
  while (q.executeStep()) {
    const int v = std::atoi(q.text(1).c_str());
    if (v <= 0) continue;
    (q.text(0) == "node_down_after" ? down_after : drift_after) = v;
  }
  const bool fleet = !db.is_sqlite();
  for (auto& r : rows) {
    r.row.fleet = fleet;
    r.row.node_down_after = down_after;
    r.row.drift_after = drift_after;
  }
}

// Each row's nodes (fleet_sql), sorted by node name in byte order.
void add_fleet(sql::Database& db, std::optional<UnixTime> expiring_before, std::vector<ReadRow>& rows) {
  add_fleet_settings(db, rows);
  std::unordered_map<std::int64_t, std::size_t> by_id;
  by_id.reserve(rows.size());
  for (std::size_t i = 0; i < rows.size(); ++i) by_id.emplace(rows[i].id, i);
  sql::Statement q(db, fleet_sql(expiring_before.has_value()));
  if (expiring_before) q.bind(1, static_cast<std::int64_t>(*expiring_before));
  while (q.executeStep()) {
    auto at = by_id.find(q.int64(0));
    if (at == by_id.end()) continue;  // a pinned certificate read_rows left out
    ReportNode n;
    n.node = q.text(1);
    if (auto v = q.optional_int(2)) n.installed_version = static_cast<int>(*v);
    if (!q.is_null(3)) n.probe_ok = q.int64(3) != 0;
    n.installed_at = q.optional_int(4);
    n.last_seen = q.optional_int(5);
    rows[at->second].row.nodes.push_back(std::move(n));
  }
  for (auto& r : rows) {
    if (r.row.nodes.size() > 1) {
      std::sort(r.row.nodes.begin(), r.row.nodes.end(),
                [](const ReportNode& a, const ReportNode& b) { return a.node < b.node; });
    }
  }
}

// Soonest expiry first, certificates without a version last, then by name
// (byte order, as SQLite's BINARY collation).
std::vector<ReportRow> sort_rows(std::vector<ReadRow>& read) {
  std::vector<std::uint32_t> order(read.size());
  for (std::uint32_t i = 0; i < order.size(); ++i) order[i] = i;
  std::sort(order.begin(), order.end(), [&](std::uint32_t a, std::uint32_t b) {
    const auto& ka = read[a].sort_key;
    const auto& kb = read[b].sort_key;
    if (ka.has_value() != kb.has_value()) return ka.has_value();
    if (ka && *ka != *kb) return *ka < *kb;
    return read[a].row.name < read[b].row.name;
  });
  std::vector<ReportRow> rows;
  rows.reserve(read.size());
  for (auto i : order) rows.push_back(std::move(read[i].row));
  return rows;
}

std::vector<ReadRow> read_rows(sql::Database& db, std::optional<UnixTime> expiring_before) {
  sql::Statement q(db, report_rows_sql(expiring_before.has_value(), db.is_sqlite()));
  if (expiring_before) q.bind(1, static_cast<std::int64_t>(*expiring_before));
  std::vector<ReadRow> out;
  while (q.executeStep()) {
    read_row(q, db.is_sqlite(), out.emplace_back());
    // A pinned row read beside the index range: kept when its desired
    // version expires before the bound.
    if (expiring_before && !(out.back().sort_key && *out.back().sort_key < *expiring_before)) out.pop_back();
  }
  add_fleet(db, expiring_before, out);
  return out;
}

}  // namespace

Result<std::vector<ReportRow>> Inventory::report_rows(std::optional<UnixTime> expiring_before) {
  return detail::guarded(impl_->path, [&]() -> Result<std::vector<ReportRow>> {
    auto read = read_rows(impl_->db, expiring_before);
    return sort_rows(read);
  });
}

Result<ReportWithHistory> Inventory::report_rows_with_history(std::optional<UnixTime> expiring_before,
                                                              int max_versions, int max_events) {
  return detail::guarded(impl_->path, [&]() -> Result<ReportWithHistory> {
    // One read transaction: the history belongs to the same snapshot as the rows.
    sql::Transaction snapshot(impl_->db, false);
    auto read = read_rows(impl_->db, expiring_before);
    ReportWithHistory out;
    out.history.reserve(read.size());
    for (const auto& r : read) {
      auto& h = out.history[r.row.name];
      if (!r.row.version || max_versions <= 0) continue;
      // The current version, from the row: the history query skips it.
      VersionRecord v;
      v.certificate_name = r.row.name;
      v.version = *r.row.version;
      v.fingerprint_sha256 = r.row.fingerprint_sha256;
      v.serial = r.row.serial;
      v.issuer_cn = r.row.issuer_cn;
      v.not_before = r.row.not_before.value_or(0);
      v.not_after = r.row.not_after.value_or(0);
      v.origin = r.origin;
      v.revoked_at = r.row.revoked_at;
      v.revoke_reason = r.row.revoke_reason;
      v.created_at = r.stored_at;
      h.versions.push_back(std::move(v));
    }
    detail::add_report_history(impl_->db, expiring_before, max_versions, max_events, out.history);
    // The history's scope also holds the pinned certificates read_rows left out.
    if (expiring_before && out.history.size() > read.size()) {
      std::unordered_set<std::string_view> shown;
      for (const auto& r : read) shown.insert(r.row.name);
      std::erase_if(out.history, [&](const auto& entry) { return !shown.contains(entry.first); });
    }
    snapshot.commit();
    out.rows = sort_rows(read);
    return out;
  });
}

Result<std::string> Inventory::report_rows_plan(std::optional<UnixTime> expiring_before) {
  return detail::guarded(impl_->path, [&]() -> Result<std::string> {
    const bool sqlite = impl_->is_sqlite();
    sql::Statement q(impl_->db, (sqlite ? "EXPLAIN QUERY PLAN " : "EXPLAIN ") + report_rows_sql(expiring_before.has_value(), sqlite));
    if (expiring_before) q.bind(1, static_cast<std::int64_t>(*expiring_before));
    std::string plan;
    while (q.executeStep()) plan += q.getColumn(sqlite ? 3 : 0).getString() + "\n";
    return plan;
  });
}

Result<std::size_t> Inventory::count_expiring(UnixTime t) {
  return detail::guarded(impl_->path, [&]() -> Result<std::size_t> {
    // By the desired version: the index range of those not pinned, and the
    // pinned ones (a partial index) by their pinned version's date.
    sql::Statement q(impl_->db,
                     "SELECT (SELECT count(*) FROM certificates WHERE current_not_after < ?1 AND pinned_version IS NULL) "
                     "+ (SELECT count(*) FROM certificates c JOIN cert_versions v ON v.certificate_id = c.id "
                     "   AND v.version = c.pinned_version WHERE c.pinned_version IS NOT NULL AND v.not_after < ?1)");
    q.bind(1, static_cast<std::int64_t>(t));
    q.executeStep();
    return static_cast<std::size_t>(q.getColumn(0).getInt64());
  });
}

}  // namespace certkeeper::store
