// Inventory: leases, who talks to the CA for a certificate (lease_records.h,
// db/sqlite/0011_leases.sql), and the fence that keeps a holder whose lease
// passed from storing what it ordered.
#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "certkeeper/util/text.h"
#include "impl.h"

namespace certkeeper::store {
namespace {

std::optional<LeaseRecord> read_lease(sql::Database& db, std::int64_t certificate_id, const std::string& name) {
  sql::Statement q(db, "SELECT holder, node, generation, acquired_at, renewed_at, expires_at FROM leases "
                       "WHERE certificate_id = ?");
  q.bind(1, certificate_id);
  if (!q.executeStep()) return std::nullopt;
  LeaseRecord l;
  l.certificate_name = name;
  l.holder = q.text(0);
  l.node = q.text(1);
  l.generation = q.int64(2);
  l.acquired_at = q.int64(3);
  l.renewed_at = q.int64(4);
  l.expires_at = q.int64(5);
  return l;
}

Error no_certificate(const std::string& name) {
  return make_error(Errc::not_found, "no such certificate; 'certkeeper list' shows the names", name);
}

// Why `held` may no longer act under the lease `current` (nullopt: no row),
// or nullopt when it still may: the same holder and generation, unexpired.
std::optional<Error> lease_lost(const std::string& name, const std::optional<LeaseRecord>& current,
                                const LeaseHandle& held, UnixTime now) {
  if (current && current->holder == held.holder && current->generation == held.generation &&
      current->expires_at > now) {
    return std::nullopt;
  }
  std::string why;
  if (current && current->generation != held.generation) {  // taken by another (maybe released since)
    why = fmt::format("the lease to talk to the CA passed to node {} (generation {})", text::printable(current->node),
                      current->generation);
  } else if (current && current->generation == held.generation && current->expires_at <= now) {
    why = fmt::format("this node's lease to talk to the CA (generation {}) expired at {}", held.generation,
                      format_utc(current->expires_at));
  } else {
    why = fmt::format("this node's lease to talk to the CA (generation {}) was given up", held.generation);
  }
  Error e = make_error(Errc::conflict, why + "; this node's order is abandoned; nothing stored", name);
  e.cause.type = kLeaseLost;
  e.cause.transient = true;
  return e;
}

}  // namespace

Result<LeaseGrant> Inventory::acquire_lease(const std::string& name, const std::string& holder,
                                            const std::string& node, int seconds, const std::string& actor,
                                            UnixTime now, const std::string& gone_holder) {
  return detail::guarded(impl_->path, [&]() -> Result<LeaseGrant> {
    sql::Transaction tx(impl_->db);
    auto id = detail::certificate_id(impl_->db, name);
    if (!id) return no_certificate(name);
    auto current = read_lease(impl_->db, *id, name);
    LeaseGrant grant;
    LeaseRecord& l = grant.lease;
    l.certificate_name = name;
    l.holder = holder;
    l.node = node;
    l.renewed_at = now;
    l.expires_at = now + seconds;
    if (current && current->holder == holder && current->expires_at > now) {
      // Already mine: extended, the same generation.
      l.generation = current->generation;
      l.acquired_at = current->acquired_at;
    } else if (current && current->held_at(now) && (gone_holder.empty() || current->holder != gone_holder)) {
      Error e = make_error(Errc::conflict,
                           fmt::format("the lease to talk to the CA is held by node {} until {} (generation {}); "
                                       "another certkeeper is issuing this certificate",
                                       text::printable(current->node), format_utc(current->expires_at),
                                       current->generation),
                           name);
      e.cause.type = kLeaseHeld;
      return e;
    } else {
      l.generation = current ? current->generation + 1 : 1;
      l.acquired_at = now;
      if (current && !current->holder.empty()) grant.replaced = *current;  // expired, never released
    }
    sql::Statement q(impl_->db,
                     "INSERT INTO leases (certificate_id, holder, node, generation, acquired_at, renewed_at, "
                     "expires_at) VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (certificate_id) DO UPDATE SET "
                     "holder = excluded.holder, node = excluded.node, generation = excluded.generation, "
                     "acquired_at = excluded.acquired_at, renewed_at = excluded.renewed_at, "
                     "expires_at = excluded.expires_at");
    q.bind(1, *id);
    q.bind(2, l.holder);
    q.bind(3, l.node);
    q.bind(4, l.generation);
    q.bind(5, static_cast<std::int64_t>(l.acquired_at));
    q.bind(6, static_cast<std::int64_t>(l.renewed_at));
    q.bind(7, static_cast<std::int64_t>(l.expires_at));
    q.exec();
    if (grant.replaced) {
      nlohmann::json detail = {{"previous_holder", text::to_utf8(grant.replaced->holder)},
                               {"previous_node", text::to_utf8(grant.replaced->node)},
                               {"previous_generation", grant.replaced->generation},
                               {"expired_at", grant.replaced->expires_at},
                               {"reason", grant.replaced->expires_at > now ? "its process is gone" : "expired"},
                               {"holder", text::to_utf8(l.holder)},
                               {"node", text::to_utf8(l.node)},
                               {"generation", l.generation}};
      detail::insert_event(impl_->db, now, *id, name, event::lease_taken_over, actor, detail.dump());
    }
    tx.commit();
    return grant;
  });
}

Status Inventory::renew_lease(const std::string& name, const LeaseHandle& held, int seconds, UnixTime now) {
  return detail::guarded(impl_->path, [&]() -> Status {
    sql::Transaction tx(impl_->db);
    auto id = detail::certificate_id(impl_->db, name);
    if (!id) return no_certificate(name);
    if (auto lost = lease_lost(name, read_lease(impl_->db, *id, name), held, now)) return *lost;
    sql::Statement q(impl_->db, "UPDATE leases SET renewed_at = ?, expires_at = ? WHERE certificate_id = ?");
    q.bind(1, static_cast<std::int64_t>(now));
    q.bind(2, static_cast<std::int64_t>(now + seconds));
    q.bind(3, *id);
    q.exec();
    tx.commit();
    return {};
  });
}

Status Inventory::release_lease(const std::string& name, const LeaseHandle& held, UnixTime now) {
  return detail::guarded(impl_->path, [&]() -> Status {
    sql::Transaction tx(impl_->db);
    auto id = detail::certificate_id(impl_->db, name);
    if (!id) return {};
    sql::Statement q(impl_->db, "UPDATE leases SET holder = '', expires_at = ? WHERE certificate_id = ? AND "
                                "holder = ? AND generation = ?");
    q.bind(1, static_cast<std::int64_t>(now));
    q.bind(2, *id);
    q.bind(3, held.holder);
    q.bind(4, held.generation);
    q.exec();
    tx.commit();
    return {};
  });
}

Result<std::optional<LeaseRecord>> Inventory::lease_of(const std::string& name) {
  return detail::guarded(impl_->path, [&]() -> Result<std::optional<LeaseRecord>> {
    auto id = detail::certificate_id(impl_->db, name);
    if (!id) return no_certificate(name);
    return read_lease(impl_->db, *id, name);
  });
}

Result<int> Inventory::append_fenced_version(const CertificateRecord& definition, VersionRecord version,
                                             const LeaseHandle& fence, std::int64_t order_id,
                                             const std::string& event_kind, const std::string& event_detail_json,
                                             const std::string& actor, UnixTime now) {
  return detail::guarded(impl_->path, [&]() -> Result<int> {
    // A writing transaction holds the write lock from its start: the lease
    // read here is the one in force when the version is stored.
    sql::Transaction tx(impl_->db);
    auto id = detail::certificate_id(impl_->db, definition.name);
    if (!id) return no_certificate(definition.name);
    if (auto lost = lease_lost(definition.name, read_lease(impl_->db, *id, definition.name), fence, now)) {
      return *lost;  // rolled back: nothing stored
    }
    int number = detail::append_version_in_transaction(*impl_, definition, version, event_kind, event_detail_json,
                                                       actor, now);
    sql::Statement q(impl_->db, "UPDATE orders SET status = 'done', finished_at = ? WHERE id = ?");
    q.bind(1, static_cast<std::int64_t>(now));
    q.bind(2, order_id);
    q.exec();
    tx.commit();
    return number;
  });
}

}  // namespace certkeeper::store
