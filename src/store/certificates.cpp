// Inventory: certificate definitions and appending versions.
#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "certkeeper/util/text.h"
#include "impl.h"

#include <fmt/format.h>

namespace certkeeper::store {
namespace {

constexpr const char* kCertificateColumns =
    "id, name, source, domains, key_type, challenge, acme_server, profile, renew_before_days, "
    "status, current_version, current_not_after, next_check, failures, last_error, last_attempt, "
    "last_success, created_at, updated_at, challenge_config, acme_ca_file, preferred_chain, "
    "ari_start, ari_end, ari_next_fetch, retry_after, failure_permanent, pinned_version";

CertificateRecord read_certificate(sql::Statement& q) {
  CertificateRecord r;
  r.id = q.getColumn(0).getInt64();
  r.name = q.getColumn(1).getString();
  r.source = q.getColumn(2).getString();
  r.domains = detail::decode_list(q.getColumn(3).getString());
  r.key_type = q.getColumn(4).getString();
  r.challenge = q.getColumn(5).getString();
  r.acme_server = q.getColumn(6).getString();
  r.profile = q.getColumn(7).getString();
  if (auto v = detail::optional_int(q.getColumn(8))) r.renew_before_days = static_cast<int>(*v);
  r.status = q.getColumn(9).getString();
  if (auto v = detail::optional_int(q.getColumn(10))) r.current_version = static_cast<int>(*v);
  r.current_not_after = detail::optional_int(q.getColumn(11));
  r.next_check = detail::optional_int(q.getColumn(12));
  r.failures = q.getColumn(13).getInt();
  r.last_error = q.getColumn(14).getString();
  r.last_attempt = detail::optional_int(q.getColumn(15));
  r.last_success = detail::optional_int(q.getColumn(16));
  r.created_at = q.getColumn(17).getInt64();
  r.updated_at = q.getColumn(18).getInt64();
  r.challenge_config = q.getColumn(19).getString();
  r.acme_ca_file = q.getColumn(20).getString();
  r.preferred_chain = q.getColumn(21).getString();
  r.ari_start = detail::optional_int(q.getColumn(22));
  r.ari_end = detail::optional_int(q.getColumn(23));
  r.ari_next_fetch = detail::optional_int(q.getColumn(24));
  r.retry_after = detail::optional_int(q.getColumn(25));
  r.failure_permanent = q.getColumn(26).getInt() != 0;
  if (auto v = detail::optional_int(q.getColumn(27))) r.pinned_version = static_cast<int>(*v);
  return r;
}

// Certificates matching `source_filter` (a fixed SQL condition) that were
// never scheduled or are due at `now`: two index lookups on
// certificates_by_next_check, so the cost follows what is due.
Result<std::vector<CertificateRecord>> due_where(sql::Database& db, const char* source_filter, UnixTime now) {
  const std::string select = std::string("SELECT ") + kCertificateColumns + " FROM certificates WHERE ";
  sql::Statement q(db, select + "next_check IS NULL AND " + source_filter + " UNION ALL " + select +
                              "next_check <= ? AND " + source_filter);
  q.bind(1, static_cast<std::int64_t>(now));
  std::vector<CertificateRecord> out;
  while (q.executeStep()) out.push_back(read_certificate(q));
  return out;
}

std::optional<CertificateRecord> find(sql::Database& db, const std::string& name) {
  sql::Statement q(db, std::string("SELECT ") + kCertificateColumns +
                              " FROM certificates WHERE name = ?");
  q.bind(1, name);
  if (!q.executeStep()) return std::nullopt;
  return read_certificate(q);
}

std::int64_t insert_definition(sql::Database& db, const CertificateRecord& d, UnixTime now) {
  // An existing name keeps its id, versions and history; its definition is replaced.
  sql::Statement q(db,
                      "INSERT INTO certificates (name, source, domains, key_type, challenge, "
                      "acme_server, profile, renew_before_days, status, created_at, updated_at, "
                      "challenge_config, acme_ca_file, preferred_chain) "
                      "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "
                      "ON CONFLICT (name) DO UPDATE SET source = excluded.source, domains = excluded.domains, "
                      "key_type = excluded.key_type, challenge = excluded.challenge, "
                      "acme_server = excluded.acme_server, profile = excluded.profile, "
                      "renew_before_days = excluded.renew_before_days, updated_at = excluded.updated_at, "
                      "challenge_config = excluded.challenge_config, acme_ca_file = excluded.acme_ca_file, "
                      "preferred_chain = excluded.preferred_chain, failures = 0, last_error = '', "
                      "next_check = NULL, retry_after = NULL, failure_permanent = 0");
  q.bind(1, d.name);
  q.bind(2, d.source);
  q.bind(3, detail::encode_list(d.domains));
  q.bind(4, d.key_type);
  q.bind(5, d.challenge);
  q.bind(6, d.acme_server);
  q.bind(7, d.profile);
  q.bind(8, d.renew_before_days);
  q.bind(9, d.status);
  q.bind(10, static_cast<std::int64_t>(now));
  q.bind(11, static_cast<std::int64_t>(now));
  q.bind(12, d.challenge_config);
  q.bind(13, d.acme_ca_file);
  q.bind(14, d.preferred_chain);
  q.exec();
  sql::Statement id(db, "SELECT id FROM certificates WHERE name = ?");
  id.bind(1, d.name);
  id.executeStep();
  return id.getColumn(0).getInt64();
}

void insert_version(Inventory::Impl& impl, const std::string& name, std::int64_t certificate_id, int number,
                    const VersionRecord& v, UnixTime now) {
  sql::Database& db = impl.db;
  sql::Statement q(db,
                      "INSERT INTO cert_versions (certificate_id, version, leaf_pem, chain_pem, "
                      "root_pem, key_pem, fingerprint_sha256, serial, subject, issuer, issuer_cn, "
                      "names, key_type, not_before, not_after, origin, findings, created_at) "
                      "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
  int i = 0;
  q.bind(++i, static_cast<std::int64_t>(certificate_id));
  q.bind(++i, number);
  q.bind(++i, v.leaf_pem);
  q.bind(++i, v.chain_pem);
  q.bind(++i, v.root_pem);
  q.bind(++i, detail::stored_key(impl, v.key_pem, detail::version_key_ad(name, number)));
  q.bind(++i, v.fingerprint_sha256);
  // The certificate's text fields are outside input: the database holds
  // only valid UTF-8 (text.h), whatever the certificate carried.
  q.bind(++i, text::to_utf8(v.serial));
  q.bind(++i, text::to_utf8(v.subject));
  q.bind(++i, text::to_utf8(v.issuer));
  q.bind(++i, text::to_utf8(v.issuer_cn));
  q.bind(++i, detail::encode_list(v.names));
  q.bind(++i, v.key_type);
  q.bind(++i, static_cast<std::int64_t>(v.not_before));
  q.bind(++i, static_cast<std::int64_t>(v.not_after));
  q.bind(++i, v.origin);
  q.bind(++i, v.findings_json.empty() ? std::string("[]") : text::to_utf8(v.findings_json));
  q.bind(++i, static_cast<std::int64_t>(now));
  q.exec();
}

// A new version stored while an older one is pinned ends the pin, with the
// event "pin-ended" (issue 12): whoever stores a new version (the scheduler
// renewing a pinned version that nears expiry, or an operator's import or
// issue) means it to be served. An operator who still wants the old one
// pins it again with `rollback --to`.
void end_pin(sql::Database& db, const CertificateRecord& c, int new_version, const std::string& event_kind,
             const std::string& actor, UnixTime now) {
  const int pinned = *c.pinned_version;
  sql::Statement na(db, "SELECT not_after FROM cert_versions WHERE certificate_id = ? AND version = ?");
  na.bind(1, static_cast<std::int64_t>(c.id));
  na.bind(2, pinned);
  std::optional<std::int64_t> pinned_not_after;
  if (na.executeStep()) pinned_not_after = na.getColumn(0).getInt64();
  sql::Statement clear(db, "UPDATE certificates SET pinned_version = NULL WHERE id = ?");
  clear.bind(1, static_cast<std::int64_t>(c.id));
  clear.exec();
  std::string reason = fmt::format("version {} was stored ({}, by {}) while version {} was pinned", new_version,
                                   event_kind, actor, pinned);
  if (pinned_not_after) {
    reason += *pinned_not_after <= now ? fmt::format(", which expired at {}", format_utc(*pinned_not_after))
                                       : fmt::format(", which expires at {}", format_utc(*pinned_not_after));
  }
  reason += "; a new version ends the pin";
  nlohmann::json detail = {{"pinned_version", pinned},
                           {"pinned_not_after", pinned_not_after ? nlohmann::json(format_utc(*pinned_not_after))
                                                                 : nlohmann::json()},
                           {"new_version", new_version},
                           {"reason", reason}};
  detail::insert_event(db, now, c.id, c.name, event::pin_ended, actor, detail.dump());
}

// Appends one version inside the caller's transaction; returns its number.
int append_in_transaction(Inventory::Impl& impl, const CertificateRecord& definition,
                          const VersionRecord& version, const std::string& event_kind,
                          const std::string& event_detail_json, const std::string& actor, UnixTime now) {
  sql::Database& db = impl.db;
  auto existing = find(db, definition.name);
  std::int64_t id;
  if (existing) {
    id = existing->id;
  } else {
    id = insert_definition(db, definition, now);
    detail::insert_event(db, now, id, definition.name, event::created, actor,
                         nlohmann::json{{"source", definition.source}}.dump());
  }
  sql::Statement next(db, "SELECT coalesce(max(version), 0) + 1 FROM cert_versions "
                             "WHERE certificate_id = ?");
  next.bind(1, static_cast<std::int64_t>(id));
  next.executeStep();
  int number = next.getColumn(0).getInt();
  insert_version(impl, definition.name, id, number, version, now);
  // A new version is a success: it clears the failure streak and its backoff.
  sql::Statement cur(db, "UPDATE certificates SET current_version = ?, current_not_after = ?, "
                            "updated_at = ?, last_success = ?3, last_attempt = ?3, failures = 0, "
                            "last_error = '', next_check = NULL, retry_after = NULL, failure_permanent = 0, "
                            "ari_start = NULL, ari_end = NULL, ari_next_fetch = NULL WHERE id = ?4");
  cur.bind(1, number);
  cur.bind(2, static_cast<std::int64_t>(version.not_after));
  cur.bind(3, static_cast<std::int64_t>(now));
  cur.bind(4, static_cast<std::int64_t>(id));
  cur.exec();
  detail::insert_event(db, now, id, definition.name, event_kind, actor, event_detail_json);
  if (existing && existing->pinned_version) end_pin(db, *existing, number, event_kind, actor, now);
  detail::notify(db, fmt::format("version {} {}", definition.name, number));
  return number;
}

}  // namespace

int detail::append_version_in_transaction(Inventory::Impl& impl, const CertificateRecord& definition,
                                          const VersionRecord& version, const std::string& event_kind,
                                          const std::string& event_detail_json, const std::string& actor,
                                          UnixTime now) {
  return append_in_transaction(impl, definition, version, event_kind, event_detail_json, actor, now);
}

std::optional<int> desired_version(const CertificateRecord& c) {
  return c.pinned_version ? c.pinned_version : c.current_version;
}

Result<std::optional<CertificateRecord>> Inventory::find_certificate(const std::string& name) {
  return detail::guarded(impl_->path, [&]() -> Result<std::optional<CertificateRecord>> {
    return find(impl_->db, name);
  });
}

Result<std::vector<CertificateRecord>> Inventory::list_certificates() {
  return detail::guarded(impl_->path, [&]() -> Result<std::vector<CertificateRecord>> {
    std::vector<CertificateRecord> out;
    sql::Statement q(impl_->db, std::string("SELECT ") + kCertificateColumns +
                                       " FROM certificates ORDER BY name");
    while (q.executeStep()) out.push_back(read_certificate(q));
    return out;
  });
}

Status Inventory::define_certificate(const CertificateRecord& definition, const std::string& actor, UnixTime now) {
  return detail::guarded(impl_->path, [&]() -> Status {
    sql::Transaction tx(impl_->db);
    auto existing = find(impl_->db, definition.name);
    // Checked again here, under the write lock: an import of the same name
    // may have made it a manual certificate since the caller looked.
    if (existing && existing->source != definition.source) {
      return make_error(Errc::conflict,
                        "is a " + existing->source + " certificate; define the " + definition.source +
                            " one under another name",
                        definition.name);
    }
    bool existed = existing.has_value();
    std::int64_t id = insert_definition(impl_->db, definition, now);
    nlohmann::json detail = {{"source", definition.source},
                             {"domains", definition.domains},
                             {"challenge", definition.challenge},
                             {"key_type", definition.key_type},
                             {"acme_server", definition.acme_server}};
    detail::insert_event(impl_->db, now, id, definition.name, existed ? event::redefined : event::defined, actor,
                         detail.dump());
    tx.commit();
    return {};
  });
}

namespace {

// Outside text (a CA's problem detail, a URL) as the store keeps it: valid
// UTF-8 whatever the bytes (so neither SQLite TEXT nor the JSON of an event
// can refuse it), bounded on a character boundary.
constexpr std::size_t kMaxStoredError = 4000;
std::string storable(const std::string& text, std::size_t max_bytes = kMaxStoredError) {
  return text::to_utf8(text::truncate_utf8(text, max_bytes));
}

}  // namespace

Status Inventory::record_failure(const std::string& name, const Failure& failure, const std::string& actor,
                                 UnixTime now) {
  return detail::guarded(impl_->path, [&]() -> Status {
    sql::Transaction tx(impl_->db);
    auto existing = find(impl_->db, name);
    if (!existing) return make_error(Errc::not_found, "no such certificate", name);
    const std::string error = storable(failure.error);
    sql::Statement q(impl_->db, "UPDATE certificates SET failures = failures + 1, last_error = ?, "
                                   "last_attempt = ?, next_check = ?3, retry_after = ?3, updated_at = ?, "
                                   "failure_permanent = ? WHERE id = ?");
    q.bind(1, error);
    q.bind(2, static_cast<std::int64_t>(now));
    q.bind(3, failure.retry_after);
    q.bind(4, static_cast<std::int64_t>(now));
    q.bind(5, failure.permanent ? 1 : 0);
    q.bind(6, static_cast<std::int64_t>(existing->id));
    q.exec();
    nlohmann::json detail = {{"error", error}};
    if (failure.permanent) detail["permanent"] = true;
    if (failure.retry_after) detail["next_check"] = *failure.retry_after;
    if (!failure.type.empty()) detail["type"] = storable(failure.type, 200);
    if (!failure.instance.empty()) detail["instance"] = storable(failure.instance, 1000);
    if (!failure.terms_of_service.empty()) detail["terms_of_service"] = storable(failure.terms_of_service, 1000);
    detail::insert_event(impl_->db, now, existing->id, name, event::issue_failed, actor, detail.dump());
    tx.commit();
    return {};
  });
}

Status Inventory::record_failure(const std::string& name, const std::string& error,
                                 std::optional<UnixTime> next_check, const std::string& actor, UnixTime now,
                                 bool permanent) {
  Failure failure;
  failure.error = error;
  failure.retry_after = next_check;
  failure.permanent = permanent;
  return record_failure(name, failure, actor, now);
}

Status Inventory::record_attempt(const std::string& name, const std::string& order_url, bool resumed,
                                 const std::string& actor, UnixTime now) {
  return detail::guarded(impl_->path, [&]() -> Status {
    sql::Transaction tx(impl_->db);
    auto existing = find(impl_->db, name);
    if (!existing) return make_error(Errc::not_found, "no such certificate", name);
    sql::Statement q(impl_->db, "UPDATE certificates SET last_attempt = ?, updated_at = ?1 WHERE id = ?");
    q.bind(1, static_cast<std::int64_t>(now));
    q.bind(2, static_cast<std::int64_t>(existing->id));
    q.exec();
    nlohmann::json detail = {{"order_url", storable(order_url, 1000)}, {"resumed", resumed}};
    detail::insert_event(impl_->db, now, existing->id, name, event::issue_attempt, actor, detail.dump());
    tx.commit();
    return {};
  });
}

Result<int> Inventory::append_version(const CertificateRecord& definition, VersionRecord version,
                                      const std::string& event_kind,
                                      const std::string& event_detail_json,
                                      const std::string& actor, UnixTime now) {
  return detail::guarded(impl_->path, [&]() -> Result<int> {
    sql::Transaction tx(impl_->db);
    int number = append_in_transaction(*impl_, definition, version, event_kind, event_detail_json,
                                       actor, now);
    tx.commit();
    return number;
  });
}

Result<Inventory::Appended> Inventory::append_version_if_new(const CertificateRecord& definition,
                                                            VersionRecord version, const std::string& event_kind,
                                                            const std::string& event_detail_json,
                                                            const std::string& actor, UnixTime now) {
  return detail::guarded(impl_->path, [&]() -> Result<Appended> {
    // IMMEDIATE: the write lock is taken before the certificate is read, so
    // the decision below is made on what no other writer can change.
    sql::Transaction tx(impl_->db);
    if (auto existing = find(impl_->db, definition.name)) {
      if (existing->source != definition.source) {
        return make_error(Errc::conflict, "is managed by " + existing->source + "; store the files under another name",
                          definition.name);
      }
      if (existing->current_version) {
        sql::Statement q(impl_->db, "SELECT fingerprint_sha256 FROM cert_versions WHERE certificate_id = ? AND "
                                       "version = ?");
        q.bind(1, static_cast<std::int64_t>(existing->id));
        q.bind(2, *existing->current_version);
        if (q.executeStep() && q.getColumn(0).getString() == version.fingerprint_sha256) {
          return Appended{*existing->current_version, false};
        }
      }
    }
    int number = append_in_transaction(*impl_, definition, version, event_kind, event_detail_json, actor, now);
    tx.commit();
    return Appended{number, true};
  });
}

Result<std::optional<int>> Inventory::append_first_version(const CertificateRecord& definition,
                                                             VersionRecord version, const std::string& event_kind,
                                                             const std::string& event_detail_json,
                                                             const std::string& actor, UnixTime now) {
  return detail::guarded(impl_->path, [&]() -> Result<std::optional<int>> {
    sql::Transaction tx(impl_->db);
    if (find(impl_->db, definition.name)) return std::optional<int>{};
    int number = append_in_transaction(*impl_, definition, version, event_kind, event_detail_json, actor, now);
    tx.commit();
    return std::optional<int>{number};
  });
}

Result<std::vector<int>> Inventory::append_versions(std::vector<NewVersion> items,
                                                    const std::string& event_kind,
                                                    const std::string& actor, UnixTime now) {
  return detail::guarded(impl_->path, [&]() -> Result<std::vector<int>> {
    sql::Transaction tx(impl_->db);
    std::vector<int> numbers;
    numbers.reserve(items.size());
    for (const auto& item : items) {
      numbers.push_back(append_in_transaction(*impl_, item.definition, item.version, event_kind,
                                              item.event_detail_json, actor, now));
    }
    tx.commit();
    return numbers;
  });
}

Status Inventory::set_schedule(const std::string& name, const Schedule& schedule) {
  return detail::guarded(impl_->path, [&]() -> Status {
    sql::Statement q(impl_->db, "UPDATE certificates SET next_check = ?, ari_start = ?, ari_end = ?, "
                                   "ari_next_fetch = ? WHERE name = ?");
    q.bind(1, schedule.next_check);
    q.bind(2, schedule.ari_start);
    q.bind(3, schedule.ari_end);
    q.bind(4, schedule.ari_next_fetch);
    q.bind(5, name);
    if (q.exec() == 0) return make_error(Errc::not_found, "no such certificate", name);
    return Status{};
  });
}

Result<std::vector<CertificateRecord>> Inventory::due_certificates(UnixTime now) {
  return detail::guarded(impl_->path, [&] { return due_where(impl_->db, "source != 'remote'", now); });
}

Result<std::optional<UnixTime>> Inventory::earliest_check() {
  return detail::guarded(impl_->path, [&]() -> Result<std::optional<UnixTime>> {
    sql::Statement unscheduled(impl_->db, "SELECT 1 FROM certificates WHERE next_check IS NULL LIMIT 1");
    if (unscheduled.executeStep()) return std::optional<UnixTime>(0);
    sql::Statement q(impl_->db, "SELECT min(next_check) FROM certificates");
    q.executeStep();
    return std::optional<UnixTime>(detail::optional_int(q.getColumn(0)));
  });
}

Result<std::optional<CertificateRecord>> Inventory::next_scheduled(UnixTime after) {
  return detail::guarded(impl_->path, [&]() -> Result<std::optional<CertificateRecord>> {
    sql::Statement q(impl_->db, std::string("SELECT ") + kCertificateColumns +
                                       " FROM certificates WHERE next_check > ? ORDER BY next_check, name LIMIT 1");
    q.bind(1, static_cast<std::int64_t>(after));
    if (!q.executeStep()) return std::optional<CertificateRecord>();
    return std::optional<CertificateRecord>(read_certificate(q));
  });
}

Result<std::vector<CertificateRecord>> Inventory::due_remotes(UnixTime now) {
  return detail::guarded(impl_->path, [&] { return due_where(impl_->db, "source = 'remote'", now); });
}

Result<Inventory::ObservationChange> Inventory::record_observation(const std::string& name, bool reached,
                                                                   const std::string& error, const std::string& actor,
                                                                   UnixTime now) {
  return detail::guarded(impl_->path, [&]() -> Result<ObservationChange> {
    sql::Transaction tx(impl_->db);
    auto existing = find(impl_->db, name);
    if (!existing) return make_error(Errc::not_found, "no such certificate", name);
    ObservationChange change = ObservationChange::none;
    if (reached) {
      sql::Statement q(impl_->db, "UPDATE certificates SET failures = 0, last_error = '', last_attempt = ?1, "
                                     "last_success = ?1, updated_at = ?1 WHERE id = ?2");
      q.bind(1, static_cast<std::int64_t>(now));
      q.bind(2, static_cast<std::int64_t>(existing->id));
      q.exec();
      if (existing->failures > 0) {
        change = ObservationChange::reachable_again;
        detail::insert_event(impl_->db, now, existing->id, name, event::endpoint_reachable, actor,
                             nlohmann::json{{"failures", existing->failures}}.dump());
      }
    } else {
      sql::Statement q(impl_->db, "UPDATE certificates SET failures = failures + 1, last_error = ?1, "
                                     "last_attempt = ?2, updated_at = ?2 WHERE id = ?3");
      q.bind(1, text::to_utf8(error));
      q.bind(2, static_cast<std::int64_t>(now));
      q.bind(3, static_cast<std::int64_t>(existing->id));
      q.exec();
      if (existing->failures == 0) {
        change = ObservationChange::unreachable;
        detail::insert_event(impl_->db, now, existing->id, name, event::endpoint_unreachable, actor,
                             nlohmann::json{{"error", text::to_utf8(error)}}.dump());
      }
    }
    tx.commit();
    return change;
  });
}

Result<std::optional<std::pair<std::string, int>>> Inventory::find_by_fingerprint(const std::string& fingerprint) {
  return detail::guarded(impl_->path, [&]() -> Result<std::optional<std::pair<std::string, int>>> {
    sql::Statement q(impl_->db, "SELECT c.name, v.version FROM cert_versions v "
                                   "JOIN certificates c ON c.id = v.certificate_id "
                                   "WHERE v.fingerprint_sha256 = ? AND c.source != 'remote' "
                                   "ORDER BY v.id DESC LIMIT 1");
    q.bind(1, fingerprint);
    if (!q.executeStep()) return std::optional<std::pair<std::string, int>>();
    return std::optional<std::pair<std::string, int>>(
        std::pair<std::string, int>(q.getColumn(0).getString(), q.getColumn(1).getInt()));
  });
}

}  // namespace certkeeper::store
