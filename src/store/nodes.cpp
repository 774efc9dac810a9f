// Inventory: the nodes of a fleet and their heartbeats, and what each node
// still has to install (db/sqlite/0010_nodes.sql; DESIGN.md "Many hosts").
#include <nlohmann/json.hpp>

#include "impl.h"

namespace certkeeper::store {

namespace {

// The version every node should serve: the pinned one, else the newest
// (store::desired_version in SQL).
constexpr const char* kDesired = "coalesce(c.pinned_version, c.current_version)";

}  // namespace

Status Inventory::heartbeat(const NodeBeat& beat, UnixTime now, const std::string& actor) {
  return detail::guarded(impl_->path, [&]() -> Status {
    sql::Transaction tx(impl_->db);
    sql::Statement q(impl_->db,
                     "INSERT INTO nodes (name, first_seen, last_seen, version, doing, pid) VALUES (?1, ?2, ?2, ?3, ?4, "
                     "?5) ON CONFLICT (name) DO UPDATE SET last_seen = excluded.last_seen, version = "
                     "excluded.version, doing = excluded.doing, pid = excluded.pid");
    q.bind(1, beat.name);
    q.bind(2, static_cast<std::int64_t>(now));
    q.bind(3, beat.version);
    q.bind(4, beat.doing);
    q.bind(5, beat.pid);
    q.exec();
    if (impl_->is_sqlite()) {
      // One node: every target is this one's, whatever name an earlier run
      // (another --node, an older certkeeper) gave it. Not an event: nothing
      // an operator decided changed.
      sql::Statement mine(impl_->db, "UPDATE targets SET node = ? WHERE node <> ?");
      mine.bind(1, beat.name);
      mine.bind(2, beat.name);
      mine.exec();
    } else {
      // Targets made before targets had nodes (an older certkeeper, or db
      // copy of one) become the first beating node's, each with an event.
      sql::Statement orphans(impl_->db,
                             "SELECT t.id, c.id, c.name, t.dir FROM targets t JOIN certificates c ON c.id = "
                             "t.certificate_id WHERE t.node = '' ORDER BY t.id");
      struct Orphan {
        std::int64_t id, cert_id;
        std::string name, dir;
      };
      std::vector<Orphan> found;
      while (orphans.executeStep()) found.push_back({orphans.int64(0), orphans.int64(1), orphans.text(2), orphans.text(3)});
      sql::Statement adopt(impl_->db, "UPDATE targets SET node = ? WHERE id = ? AND node = ''");
      for (const auto& o : found) {
        adopt.reset();
        adopt.bind(1, beat.name);
        adopt.bind(2, o.id);
        if (adopt.exec() == 0) continue;
        detail::insert_event(impl_->db, now, o.cert_id, o.name, event::target_adopted, actor,
                             nlohmann::json{{"dir", o.dir}, {"node", beat.name}}.dump());
      }
    }
    tx.commit();
    return Status{};
  });
}

Result<std::vector<NodeRecord>> Inventory::nodes() {
  return detail::guarded(impl_->path, [&]() -> Result<std::vector<NodeRecord>> {
    // Every node with a row, and every name that targets give without one
    // (a node removed, or one that never beat), with its targets' state.
    sql::Statement q(impl_->db,
                     std::string("WITH names AS (SELECT name FROM nodes UNION SELECT node FROM targets WHERE node <> "
                                 "''), counts AS (SELECT t.node, count(*) AS targets, sum(CASE WHEN "
                                 "t.installed_version IS NOT DISTINCT FROM ") +
                         kDesired +
                         " AND t.pending_version IS NULL AND coalesce(t.probe_ok, 1) = 1 THEN 1 ELSE 0 END) AS "
                         "converged, sum(CASE WHEN t.probe_ok = 0 THEN 1 ELSE 0 END) AS failing FROM targets t JOIN "
                         "certificates c ON c.id = t.certificate_id GROUP BY t.node) "
                         "SELECT n.name, d.first_seen, d.last_seen, d.version, d.doing, d.pid, "
                         "coalesce(k.targets, 0), coalesce(k.converged, 0), coalesce(k.failing, 0), "
                         "CASE WHEN d.name IS NULL THEN 0 ELSE 1 END, d.answering_at FROM names n LEFT JOIN nodes d ON d.name = "
                         "n.name LEFT JOIN counts k ON k.node = n.name ORDER BY n.name");
    std::vector<NodeRecord> out;
    while (q.executeStep()) {
      NodeRecord r;
      r.name = q.text(0);
      r.first_seen = q.optional_int(1).value_or(0);
      r.last_seen = q.optional_int(2).value_or(0);
      r.version = q.is_null(3) ? "" : q.text(3);
      r.doing = q.is_null(4) ? "" : q.text(4);
      r.pid = q.optional_int(5).value_or(0);
      r.targets = q.int64(6);
      r.targets_converged = q.int64(7);
      r.targets_failing = q.int64(8);
      r.known = q.int64(9) != 0;
      r.answering_at = q.optional_int(10).value_or(0);
      out.push_back(std::move(r));
    }
    return out;
  });
}

Result<NodeRecord> Inventory::remove_node(const std::string& name, const std::string& actor, UnixTime now) {
  return detail::guarded(impl_->path, [&]() -> Result<NodeRecord> {
    sql::Transaction tx(impl_->db);
    sql::Statement find(impl_->db, "SELECT first_seen, last_seen, version, doing, pid FROM nodes WHERE name = ?");
    find.bind(1, name);
    if (!find.executeStep()) {
      return make_error(Errc::not_found, "no such node; 'certkeeper nodes' lists them", name);
    }
    NodeRecord r;
    r.name = name;
    r.first_seen = find.int64(0);
    r.last_seen = find.int64(1);
    r.version = find.text(2);
    r.doing = find.text(3);
    r.pid = find.int64(4);
    sql::Statement count(impl_->db, "SELECT count(*) FROM targets WHERE node = ?");
    count.bind(1, name);
    count.executeStep();
    r.targets = count.int64(0);
    sql::Statement del(impl_->db, "DELETE FROM nodes WHERE name = ?");
    del.bind(1, name);
    del.exec();
    detail::insert_event(impl_->db, now, std::nullopt, "", event::node_removed, actor,
                         nlohmann::json{{"node", name}, {"last_seen", r.last_seen}, {"targets", r.targets}}.dump());
    tx.commit();
    r.known = false;
    return r;
  });
}

Result<std::vector<Unconverged>> Inventory::unconverged(const std::string& node, UnixTime now) {
  return detail::guarded(impl_->path, [&]() -> Result<std::vector<Unconverged>> {
    // The node's targets that do not serve the desired version, unless that
    // version already rolled back there (a pass does not retry it by
    // itself), expired or was revoked (install refuses those without
    // --force).
    // This node's targets first (targets_by_node), each joined to its
    // certificate by key; the version's dates are looked at only for the
    // few that lack it. Reading every certificate and version first cost
    // 39 ms of an idle pass at 10,000 targets per node (bench/fleet.sh).
    const std::string desired = kDesired;
    std::string sql = "SELECT c.name, " + desired + " FROM targets t JOIN certificates c ON c.id = t.certificate_id" +
                      (impl_->is_sqlite() ? " WHERE ?1 IS NOT NULL" : " WHERE (t.node = ?1 OR t.node = '')") +
                      " AND " + desired + " IS NOT NULL AND t.installed_version IS DISTINCT FROM " + desired +
                      " AND t.failed_version IS DISTINCT FROM " + desired +
                      " AND EXISTS (SELECT 1 FROM cert_versions v WHERE v.certificate_id = c.id AND v.version = " +
                      desired + " AND v.not_after > ?2 AND v.revoked_at IS NULL) GROUP BY c.name, " + desired +
                      " ORDER BY c.name";
    sql::Statement q(impl_->db, sql);
    q.bind(1, node);
    q.bind(2, static_cast<std::int64_t>(now));
    std::vector<Unconverged> out;
    while (q.executeStep()) out.push_back({q.text(0), static_cast<int>(q.int64(1))});
    return out;
  });
}

Result<Inventory::ConvergenceMark> Inventory::convergence_mark(const std::string& node) {
  return detail::guarded(impl_->path, [&]() -> Result<ConvergenceMark> {
    // Both index lookups: the events' primary key, the nodes' name.
    sql::Statement q(impl_->db,
                     "SELECT (SELECT coalesce(max(id), 0) FROM events), (SELECT converged_event FROM nodes WHERE name "
                     "= ?)");
    q.bind(1, node);
    q.executeStep();
    ConvergenceMark mark;
    mark.newest_event = q.int64(0);
    auto recorded = q.optional_int(1);
    mark.unchanged = recorded && *recorded == mark.newest_event;
    return mark;
  });
}

Status Inventory::mark_converged(const std::string& node, std::int64_t newest_event) {
  return detail::guarded(impl_->path, [&]() -> Status {
    sql::Transaction tx(impl_->db);
    sql::Statement q(impl_->db, "UPDATE nodes SET converged_event = ? WHERE name = ?");
    q.bind(1, newest_event);
    q.bind(2, node);
    q.exec();
    tx.commit();
    return Status{};
  });
}

}  // namespace certkeeper::store
