// Inventory: the revocation watch's tables (db/sqlite/0006_crl_cache.sql): which CRL
// URLs the current versions name, and the last CRL of each URL that verified.
// Bytes and dates only: fetching and verifying is lifecycle's job.
#include <algorithm>

#include "impl.h"

namespace certkeeper::store {

namespace {

constexpr const char* kRecordColumns =
    "url, issuer, this_update, next_update, fetched_at, next_fetch, last_attempt, last_error";

CrlRecord record_from(sql::Statement& q) {
  CrlRecord r;
  r.url = q.getColumn(0).getString();
  r.issuer = q.getColumn(1).getString();
  r.this_update = detail::optional_int(q.getColumn(2));
  r.next_update = detail::optional_int(q.getColumn(3));
  r.fetched_at = detail::optional_int(q.getColumn(4));
  r.next_fetch = q.getColumn(5).getInt64();
  r.last_attempt = detail::optional_int(q.getColumn(6));
  r.last_error = q.getColumn(7).getString();
  return r;
}

// The columns of a CrlSubject, for "FROM cert_versions v JOIN certificates c".
constexpr const char* kSubjectColumns =
    "v.id, c.name, v.version, v.serial, v.leaf_pem, v.chain_pem, v.root_pem, v.not_after";

CrlSubject subject_from(sql::Statement& q) {
  CrlSubject s;
  s.version_id = q.getColumn(0).getInt64();
  s.certificate_name = q.getColumn(1).getString();
  s.version = q.getColumn(2).getInt();
  s.serial = q.getColumn(3).getString();
  s.leaf_pem = q.getColumn(4).getString();
  s.chain_pem = q.getColumn(5).getString();
  s.root_pem = q.getColumn(6).getString();
  s.not_after = q.getColumn(7).getInt64();
  return s;
}

std::int64_t scan_mark(sql::Database& db) {
  sql::Statement q(db, "SELECT last_version_id FROM crl_scan WHERE id = 1");
  return q.executeStep() ? q.getColumn(0).getInt64() : 0;
}

}  // namespace

Result<CrlScan> Inventory::crl_unscanned() {
  return detail::guarded(impl_->path, [&]() -> Result<CrlScan> {
    sql::Transaction tx(impl_->db, false);  // one snapshot: the mark and the rows agree
    CrlScan scan;
    const std::int64_t mark = scan_mark(impl_->db);
    sql::Statement top(impl_->db, "SELECT coalesce(max(id), 0) FROM cert_versions");
    top.executeStep();
    scan.upto = std::max(mark, top.getColumn(0).getInt64());
    sql::Statement q(impl_->db, std::string("SELECT ") + kSubjectColumns +
                                       " FROM cert_versions v JOIN certificates c ON c.id = v.certificate_id "
                                       "AND c.current_version = v.version "
                                       "WHERE v.id > ? AND v.id <= ? AND v.revoked_at IS NULL ORDER BY v.id");
    q.bind(1, mark);
    q.bind(2, scan.upto);
    while (q.executeStep()) scan.versions.push_back(subject_from(q));
    tx.commit();
    return scan;
  });
}

Result<std::int64_t> Inventory::crl_unscanned_count() {
  return detail::guarded(impl_->path, [&]() -> Result<std::int64_t> {
    // Rows are never deleted, so SQLite hands out ids 1, 2, 3, ... and the
    // count above the mark is a difference: O(1), also for a dry run over a
    // large inventory that no pass has read yet.
    sql::Statement q(impl_->db, "SELECT coalesce(max(id), 0) FROM cert_versions");
    q.executeStep();
    return std::max<std::int64_t>(0, q.getColumn(0).getInt64() - scan_mark(impl_->db));
  });
}

Status Inventory::crl_link(const std::vector<std::pair<std::int64_t, std::vector<std::string>>>& links,
                           std::int64_t upto) {
  return detail::guarded(impl_->path, [&]() -> Status {
    sql::Transaction tx(impl_->db);
    sql::Statement link(impl_->db, "INSERT INTO crl_links (version_id, url) VALUES (?, ?) ON CONFLICT DO NOTHING");
    sql::Statement cache(impl_->db, "INSERT INTO crl_cache (url, next_fetch) VALUES (?, 0) ON CONFLICT DO NOTHING");
    for (const auto& [version_id, urls] : links) {
      for (const auto& url : urls) {
        link.bind(1, version_id);
        link.bind(2, url);
        link.exec();
        link.reset();
        cache.bind(1, url);
        cache.exec();
        cache.reset();
      }
    }
    sql::Statement mark(impl_->db, "UPDATE crl_scan SET last_version_id = CASE WHEN last_version_id > ?1 THEN last_version_id "
                                   "ELSE ?1 END WHERE id = 1");
    mark.bind(1, upto);
    mark.exec();
    tx.commit();
    return {};
  });
}

Result<std::vector<CrlRecord>> Inventory::crls_due(UnixTime now) {
  return detail::guarded(impl_->path, [&]() -> Result<std::vector<CrlRecord>> {
    sql::Statement q(impl_->db, std::string("SELECT ") + kRecordColumns +
                                       " FROM crl_cache WHERE next_fetch <= ? ORDER BY next_fetch, url");
    q.bind(1, static_cast<std::int64_t>(now));
    std::vector<CrlRecord> out;
    while (q.executeStep()) out.push_back(record_from(q));
    return out;
  });
}

Result<std::optional<CrlRecord>> Inventory::crl(const std::string& url) {
  return detail::guarded(impl_->path, [&]() -> Result<std::optional<CrlRecord>> {
    sql::Statement q(impl_->db, std::string("SELECT ") + kRecordColumns + ", der FROM crl_cache WHERE url = ?");
    q.bind(1, url);
    if (!q.executeStep()) return std::optional<CrlRecord>();
    CrlRecord r = record_from(q);
    const sql::Column der = q.getColumn(8);
    if (!der.isNull()) r.der.assign(der.view());
    return std::optional<CrlRecord>(std::move(r));
  });
}

Result<std::vector<CrlRecord>> Inventory::crls() {
  return detail::guarded(impl_->path, [&]() -> Result<std::vector<CrlRecord>> {
    sql::Statement q(impl_->db, std::string("SELECT ") + kRecordColumns + " FROM crl_cache ORDER BY url");
    std::vector<CrlRecord> out;
    while (q.executeStep()) out.push_back(record_from(q));
    return out;
  });
}

Status Inventory::crl_fetched(const CrlRecord& r) {
  return detail::guarded(impl_->path, [&]() -> Status {
    sql::Statement q(impl_->db,
                        "INSERT INTO crl_cache (url, issuer, this_update, next_update, fetched_at, der, next_fetch, "
                        "last_attempt, last_error) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?5, '') "
                        "ON CONFLICT (url) DO UPDATE SET issuer = ?2, this_update = ?3, next_update = ?4, "
                        "fetched_at = ?5, der = ?6, next_fetch = ?7, last_attempt = ?5, last_error = ''");
    q.bind(1, r.url);
    q.bind(2, r.issuer);
    q.bind(3, r.this_update);
    q.bind(4, r.next_update);
    q.bind(5, r.fetched_at);
    q.bind_blob(6, r.der);
    q.bind(7, static_cast<std::int64_t>(r.next_fetch));
    q.exec();
    return {};
  });
}

Status Inventory::crl_failed(const std::string& url, const std::string& error, UnixTime now, UnixTime next_fetch) {
  return detail::guarded(impl_->path, [&]() -> Status {
    sql::Statement q(impl_->db,
                        "INSERT INTO crl_cache (url, next_fetch, last_attempt, last_error) VALUES (?1, ?2, ?3, ?4) "
                        "ON CONFLICT (url) DO UPDATE SET next_fetch = ?2, last_attempt = ?3, last_error = ?4");
    q.bind(1, url);
    q.bind(2, static_cast<std::int64_t>(next_fetch));
    q.bind(3, static_cast<std::int64_t>(now));
    q.bind(4, error);
    q.exec();
    return {};
  });
}

Status Inventory::crl_defer(const std::string& url, UnixTime next_fetch) {
  return detail::guarded(impl_->path, [&]() -> Status {
    sql::Statement q(impl_->db, "UPDATE crl_cache SET next_fetch = ? WHERE url = ?");
    q.bind(1, static_cast<std::int64_t>(next_fetch));
    q.bind(2, url);
    q.exec();
    return {};
  });
}

Result<std::vector<CrlSubject>> Inventory::crl_subjects(const std::string& url) {
  return detail::guarded(impl_->path, [&]() -> Result<std::vector<CrlSubject>> {
    sql::Statement q(impl_->db, std::string("SELECT ") + kSubjectColumns +
                                       " FROM crl_links l JOIN cert_versions v ON v.id = l.version_id "
                                       "JOIN certificates c ON c.id = v.certificate_id "
                                       "AND c.current_version = v.version "
                                       "WHERE l.url = ? AND v.revoked_at IS NULL ORDER BY c.name");
    q.bind(1, url);
    std::vector<CrlSubject> out;
    while (q.executeStep()) out.push_back(subject_from(q));
    return out;
  });
}

Result<std::optional<UnixTime>> Inventory::earliest_crl_fetch() {
  return detail::guarded(impl_->path, [&]() -> Result<std::optional<UnixTime>> {
    sql::Statement q(impl_->db, "SELECT min(next_fetch) FROM crl_cache");
    q.executeStep();
    return detail::optional_int(q.getColumn(0));
  });
}

}  // namespace certkeeper::store
