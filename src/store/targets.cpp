// Inventory: install targets and the install transaction's journal
// (db/sqlite/0004_target_install_journal.sql).
#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "certkeeper/util/json.h"
#include "impl.h"

namespace certkeeper::store {

namespace {

constexpr const char* kColumns =
    "t.id, c.name, t.dir, t.layout, t.include_root, t.owner, t.grp, t.mode, t.reload, t.probes, "
    "t.installed_version, t.pending_version, t.created_at, t.node, t.installed_at, t.probe_ok, t.probe_detail, "
    "t.probed_at, t.failed_version";

TargetRecord read_target(sql::Statement& q) {
  TargetRecord t;
  t.id = q.getColumn(0).getInt64();
  t.certificate_name = q.getColumn(1).getString();
  t.dir = q.getColumn(2).getString();
  t.layout = q.getColumn(3).getString();
  t.include_root = q.getColumn(4).getInt() != 0;
  t.owner = q.getColumn(5).getString();
  t.group = q.getColumn(6).getString();
  t.mode = q.getColumn(7).getInt();
  t.reload_json = q.getColumn(8).getString();
  t.probes_json = q.getColumn(9).getString();
  if (auto v = detail::optional_int(q.getColumn(10))) t.installed_version = static_cast<int>(*v);
  if (auto v = detail::optional_int(q.getColumn(11))) t.pending_version = static_cast<int>(*v);
  t.created_at = q.getColumn(12).getInt64();
  t.node = q.getColumn(13).getString();
  t.installed_at = detail::optional_int(q.getColumn(14));
  if (auto v = detail::optional_int(q.getColumn(15))) t.probe_ok = *v != 0;
  t.probe_detail = q.getColumn(16).getString();
  t.probed_at = detail::optional_int(q.getColumn(17));
  if (auto v = detail::optional_int(q.getColumn(18))) t.failed_version = static_cast<int>(*v);
  return t;
}

// What the audit log says about a target: its settings, never file contents.
std::string target_detail(const TargetRecord& t) {
  nlohmann::json detail = {{"dir", t.dir},
                           {"node", t.node},
                           {"layout", t.layout},
                           {"include_root", t.include_root},
                           {"owner", t.owner},
                           {"group", t.group},
                           {"mode", t.mode},
                           {"reload", parse_json_or_null(t.reload_json)},
                           {"probes", parse_json_or_null(t.probes_json)}};
  return detail.dump();
}

Error no_certificate(const std::string& name) {
  return make_error(Errc::not_found, "no such certificate; define it with 'certkeeper add' or 'certkeeper import' first",
                    name);
}

// Makes `version` the desired version of the certificate `id` inside the
// caller's transaction (finish_install): pinned when older than the newest,
// unpinned when the newest; an event only when something changed.
void change_pin(sql::Database& db, std::int64_t id, const std::string& name, int version, const std::string& actor,
                UnixTime now) {
  sql::Statement q(db, "SELECT current_version, pinned_version FROM certificates WHERE id = ?");
  q.bind(1, id);
  if (!q.executeStep()) return;
  const std::optional<std::int64_t> newest = detail::optional_int(q.getColumn(0));
  const std::optional<std::int64_t> pinned = detail::optional_int(q.getColumn(1));
  const bool is_newest = !newest || version >= *newest;
  nlohmann::json newest_json = newest ? nlohmann::json(*newest) : nlohmann::json();
  if (is_newest) {
    if (!pinned) return;
    sql::Statement clear(db, "UPDATE certificates SET pinned_version = NULL WHERE id = ?");
    clear.bind(1, id);
    clear.exec();
    detail::insert_event(db, now, id, name, event::unpinned, actor,
                         nlohmann::json{{"version", *pinned}, {"newest_version", newest_json}}.dump());
    detail::notify(db, "unpin " + name);
    return;
  }
  if (pinned && *pinned == version) return;
  sql::Statement set(db, "UPDATE certificates SET pinned_version = ? WHERE id = ?");
  set.bind(1, version);
  set.bind(2, id);
  set.exec();
  detail::insert_event(db, now, id, name, event::pinned, actor,
                       nlohmann::json{{"version", version},
                                      {"previous_pinned_version", pinned ? nlohmann::json(*pinned) : nlohmann::json()},
                                      {"newest_version", newest_json}}
                           .dump());
  // Every node's daemon installs the pinned version at once (a rollback
  // reaches the fleet in seconds, not at the next --poll).
  detail::notify(db, fmt::format("pin {} {}", name, version));
}

}  // namespace

Result<TargetRecord> Inventory::save_target(const TargetRecord& target, const std::string& actor, UnixTime now) {
  return detail::guarded(impl_->path, [&]() -> Result<TargetRecord> {
    sql::Transaction tx(impl_->db);
    auto cert_id = detail::certificate_id(impl_->db, target.certificate_name);
    if (!cert_id) return no_certificate(target.certificate_name);
    if (impl_->is_sqlite()) {
      // One node on SQLite: a directory is one target whichever node added
      // it; the one that adds it again takes it over.
      sql::Statement rehome(impl_->db, "UPDATE targets SET node = ? WHERE certificate_id = ? AND dir = ?");
      rehome.bind(1, target.node);
      rehome.bind(2, *cert_id);
      rehome.bind(3, target.dir);
      rehome.exec();
    }
    sql::Statement existing(impl_->db, "SELECT id FROM targets WHERE certificate_id = ? AND node = ? AND dir = ?");
    existing.bind(1, *cert_id);
    existing.bind(2, target.node);
    existing.bind(3, target.dir);
    bool is_new = !existing.executeStep();
    sql::Statement q(impl_->db,
                        "INSERT INTO targets (certificate_id, node, dir, layout, include_root, owner, grp, mode, "
                        "reload, probes, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "
                        "ON CONFLICT (certificate_id, node, dir) DO UPDATE SET layout = excluded.layout, "
                        "include_root = excluded.include_root, owner = excluded.owner, grp = excluded.grp, "
                        "mode = excluded.mode, reload = excluded.reload, probes = excluded.probes");
    q.bind(1, *cert_id);
    q.bind(2, target.node);
    q.bind(3, target.dir);
    q.bind(4, target.layout);
    q.bind(5, target.include_root ? 1 : 0);
    q.bind(6, target.owner);
    q.bind(7, target.group);
    q.bind(8, target.mode);
    q.bind(9, target.reload_json);
    q.bind(10, target.probes_json);
    q.bind(11, static_cast<std::int64_t>(now));
    q.exec();
    detail::insert_event(impl_->db, now, *cert_id, target.certificate_name,
                         is_new ? event::target_added : event::target_changed, actor, target_detail(target));
    detail::notify(impl_->db, "target " + target.certificate_name + " " + target.node);
    sql::Statement back(impl_->db, std::string("SELECT ") + kColumns +
                                          " FROM targets t JOIN certificates c ON c.id = t.certificate_id "
                                          "WHERE t.certificate_id = ? AND t.node = ? AND t.dir = ?");
    back.bind(1, *cert_id);
    back.bind(2, target.node);
    back.bind(3, target.dir);
    back.executeStep();
    TargetRecord saved = read_target(back);
    tx.commit();
    return saved;
  });
}

Result<std::vector<TargetRecord>> Inventory::targets(const std::string& name) {
  return detail::guarded(impl_->path, [&]() -> Result<std::vector<TargetRecord>> {
    sql::Statement q(impl_->db, std::string("SELECT ") + kColumns +
                                       " FROM targets t JOIN certificates c ON c.id = t.certificate_id "
                                       "WHERE c.name = ? ORDER BY t.id");
    q.bind(1, name);
    std::vector<TargetRecord> out;
    while (q.executeStep()) out.push_back(read_target(q));
    return out;
  });
}

Result<std::vector<TargetRecord>> Inventory::node_targets(const std::string& name, const std::string& node) {
  if (impl_->is_sqlite()) return targets(name);  // one node
  return detail::guarded(impl_->path, [&]() -> Result<std::vector<TargetRecord>> {
    // '' : made before targets had nodes, not adopted yet (nodes.cpp).
    sql::Statement q(impl_->db, std::string("SELECT ") + kColumns +
                                       " FROM targets t JOIN certificates c ON c.id = t.certificate_id "
                                       "WHERE c.name = ? AND (t.node = ? OR t.node = '') ORDER BY t.id");
    q.bind(1, name);
    q.bind(2, node);
    std::vector<TargetRecord> out;
    while (q.executeStep()) out.push_back(read_target(q));
    return out;
  });
}

Status Inventory::remove_target(const std::string& name, const std::string& node, const std::string& dir,
                                const std::string& actor, UnixTime now) {
  return detail::guarded(impl_->path, [&]() -> Status {
    sql::Transaction tx(impl_->db);
    auto cert_id = detail::certificate_id(impl_->db, name);
    if (!cert_id) return no_certificate(name);
    // On SQLite (one node) the directory alone names the target.
    sql::Statement q(impl_->db, impl_->is_sqlite()
                                    ? "DELETE FROM targets WHERE certificate_id = ? AND dir = ? AND ? IS NOT NULL"
                                    : "DELETE FROM targets WHERE certificate_id = ? AND dir = ? AND node = ?");
    q.bind(1, *cert_id);
    q.bind(2, dir);
    q.bind(3, node);
    if (q.exec() == 0) {
      return make_error(Errc::not_found,
                        "has no target " + dir + (impl_->is_sqlite() ? "" : " on node " + node) +
                            "; 'certkeeper target list NAME' shows them",
                        name);
    }
    detail::insert_event(impl_->db, now, *cert_id, name, event::target_removed, actor,
                         nlohmann::json{{"dir", dir}, {"node", node}}.dump());
    tx.commit();
    return Status{};
  });
}

Status Inventory::set_pending(const std::vector<std::int64_t>& target_ids, int version) {
  return detail::guarded(impl_->path, [&]() -> Status {
    sql::Transaction tx(impl_->db);
    sql::Statement q(impl_->db, "UPDATE targets SET pending_version = ? WHERE id = ?");
    for (auto id : target_ids) {
      q.reset();
      q.bind(1, version);
      q.bind(2, id);
      q.exec();
    }
    tx.commit();
    return Status{};
  });
}

Status Inventory::finish_install(const std::string& name, const std::vector<TargetOutcome>& outcomes,
                                 const std::string& kind, const std::string& detail_json, const std::string& actor,
                                 UnixTime now, const PinRequest& pin) {
  return detail::guarded(impl_->path, [&]() -> Status {
    sql::Transaction tx(impl_->db);
    auto cert_id = detail::certificate_id(impl_->db, name);
    if (!cert_id) return no_certificate(name);
    // installed_at moves only when what is live changes; the probe columns
    // only when the transaction tried a version (not for an interrupted
    // one undone).
    sql::Statement q(impl_->db,
                     "UPDATE targets SET installed_at = CASE WHEN installed_version IS DISTINCT FROM ?1 THEN ?2 "
                     "ELSE installed_at END, installed_version = ?1, pending_version = NULL WHERE id = ?3");
    sql::Statement probed(impl_->db,
                          "UPDATE targets SET probe_ok = ?, probe_detail = ?, probed_at = ?, failed_version = ? "
                          "WHERE id = ?");
    for (const auto& o : outcomes) {
      q.reset();
      if (o.installed_version) {
        q.bind(1, *o.installed_version);
      } else {
        q.bind(1);
      }
      q.bind(2, static_cast<std::int64_t>(now));
      q.bind(3, o.target_id);
      q.exec();
      if (!o.attempted_version) continue;
      probed.reset();
      probed.bind(1, o.ok ? 1 : 0);
      probed.bind(2, o.failure);
      probed.bind(3, static_cast<std::int64_t>(now));
      if (o.ok) {
        probed.bind(4);
      } else {
        probed.bind(4, *o.attempted_version);
      }
      probed.bind(5, o.target_id);
      probed.exec();
    }
    // The pin first, so that the install's outcome stays the last event.
    if (pin.change) change_pin(impl_->db, *cert_id, name, pin.version, actor, now);
    detail::insert_event(impl_->db, now, *cert_id, name, kind, actor, detail_json);
    tx.commit();
    return Status{};
  });
}

Status Inventory::record_event(const std::string& name, const std::string& kind, const std::string& detail_json,
                               const std::string& actor, UnixTime now) {
  return detail::guarded(impl_->path, [&]() -> Status {
    sql::Transaction tx(impl_->db);
    auto cert_id = detail::certificate_id(impl_->db, name);
    if (!cert_id) return no_certificate(name);
    detail::insert_event(impl_->db, now, *cert_id, name, kind, actor, detail_json);
    tx.commit();
    return Status{};
  });
}

}  // namespace certkeeper::store
