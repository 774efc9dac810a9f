// Inventory: the rows of the expiry report, one query for every format.
#include "impl.h"

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
    "        AND e.kind IN ('installed', 'rolled-back', 'install-rolled-back') "
    "      ORDER BY e.id DESC LIMIT 1) END";

std::string report_rows_sql(bool filtered) {
  std::string sql =
      "SELECT c.name, c.source, c.status, c.last_error, c.failures, c.current_version, "
      "v.names, v.issuer_cn, v.issuer, v.serial, v.fingerprint_sha256, v.key_type, "
      "v.not_before, v.not_after, c.last_attempt, c.last_success, c.ari_start, c.ari_end, "
      "v.revoked_at, v.revoke_reason, "
      // Correlated lookups on the targets' (certificate_id, dir) index and
      // the events' (certificate_id, id) index: per row shown, never a scan.
      "(SELECT count(*) FROM targets t WHERE t.certificate_id = c.id), "
      "(SELECT min(t.installed_version) FROM targets t WHERE t.certificate_id = c.id), ";
  sql += kProbeOk;
  sql +=
      " FROM certificates c LEFT JOIN cert_versions v "
      "ON v.certificate_id = c.id AND v.version = c.current_version ";
  // current_not_after is indexed: the range scan touches only the rows due.
  if (filtered) sql += "WHERE c.current_not_after < ? ";
  sql += "ORDER BY c.current_not_after IS NULL, c.current_not_after, c.name";
  return sql;
}

std::optional<bool> optional_bool(const SQLite::Column& c) {
  if (c.isNull()) return std::nullopt;
  return c.getInt() != 0;
}

}  // namespace

Result<std::vector<ReportRow>> Inventory::report_rows(std::optional<UnixTime> expiring_before) {
  return detail::guarded(impl_->path, [&]() -> Result<std::vector<ReportRow>> {
    SQLite::Statement q(impl_->db, report_rows_sql(expiring_before.has_value()));
    if (expiring_before) q.bind(1, static_cast<std::int64_t>(*expiring_before));
    std::vector<ReportRow> out;
    while (q.executeStep()) {
      ReportRow r;
      int i = 0;
      r.name = q.getColumn(i++).getString();
      r.source = q.getColumn(i++).getString();
      r.status = q.getColumn(i++).getString();
      r.last_error = q.getColumn(i++).getString();
      r.failures = q.getColumn(i++).getInt();
      if (auto v = detail::optional_int(q.getColumn(i++))) r.version = static_cast<int>(*v);
      if (auto names = q.getColumn(i++); !names.isNull()) r.names = detail::decode_list(names.getString());
      r.issuer_cn = q.getColumn(i++).getString();
      r.issuer = q.getColumn(i++).getString();
      r.serial = q.getColumn(i++).getString();
      r.fingerprint_sha256 = q.getColumn(i++).getString();
      r.key_type = q.getColumn(i++).getString();
      r.not_before = detail::optional_int(q.getColumn(i++));
      r.not_after = detail::optional_int(q.getColumn(i++));
      r.last_attempt = detail::optional_int(q.getColumn(i++));
      r.last_success = detail::optional_int(q.getColumn(i++));
      r.ari_start = detail::optional_int(q.getColumn(i++));
      r.ari_end = detail::optional_int(q.getColumn(i++));
      r.revoked_at = detail::optional_int(q.getColumn(i++));
      r.revoke_reason = q.getColumn(i++).getString();
      r.targets = q.getColumn(i++).getInt();
      if (auto v = detail::optional_int(q.getColumn(i++))) r.installed_version = static_cast<int>(*v);
      r.probe_ok = optional_bool(q.getColumn(i++));
      out.push_back(std::move(r));
    }
    return out;
  });
}

Result<std::string> Inventory::report_rows_plan(std::optional<UnixTime> expiring_before) {
  return detail::guarded(impl_->path, [&]() -> Result<std::string> {
    SQLite::Statement q(impl_->db, "EXPLAIN QUERY PLAN " + report_rows_sql(expiring_before.has_value()));
    if (expiring_before) q.bind(1, static_cast<std::int64_t>(*expiring_before));
    std::string plan;
    while (q.executeStep()) plan += q.getColumn(3).getString() + "\n";
    return plan;
  });
}

Result<std::size_t> Inventory::count_expiring(UnixTime t) {
  return detail::guarded(impl_->path, [&]() -> Result<std::size_t> {
    SQLite::Statement q(impl_->db, "SELECT count(*) FROM certificates WHERE current_not_after < ?");
    q.bind(1, static_cast<std::int64_t>(t));
    q.executeStep();
    return static_cast<std::size_t>(q.getColumn(0).getInt64());
  });
}

}  // namespace certkeeper::store
