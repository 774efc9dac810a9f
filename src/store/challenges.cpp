// Inventory: the challenges of a fleet (store/challenge_records.h,
// db/sqlite/0014_fleet_challenges.sql), and the beats of the nodes that
// answer them.
#include "impl.h"

namespace certkeeper::store {

Result<std::int64_t> Inventory::publish_challenge(const PublishedChallenge& c, UnixTime now) {
  return detail::guarded(impl_->path, [&]() -> Result<std::int64_t> {
    sql::Transaction tx(impl_->db);
    // Stale publications (a holder that died with them) go; so does an
    // earlier publication of this token (a resumed order), with its acks.
    sql::Statement stale(impl_->db, "DELETE FROM challenges WHERE expires_at <= ? OR token = ?");
    stale.bind(1, static_cast<std::int64_t>(now));
    stale.bind(2, c.token);
    stale.exec();
    sql::Statement q(impl_->db,
                     "INSERT INTO challenges (token, certificate_name, node, type, identifier, key_authorization, "
                     "config, served_by_publisher, generation, published_at, expires_at) VALUES (?, ?, ?, ?, ?, ?, ?, "
                     "?, ?, ?, ?) RETURNING id");
    q.bind(1, c.token);
    q.bind(2, c.certificate_name);
    q.bind(3, c.node);
    q.bind(4, c.type);
    q.bind(5, c.identifier);
    q.bind(6, c.key_authorization);
    q.bind(7, c.config.empty() ? std::string("{}") : c.config);
    q.bind(8, c.served_by_publisher ? 1 : 0);
    q.bind(9, c.generation);
    q.bind(10, static_cast<std::int64_t>(now));
    q.bind(11, static_cast<std::int64_t>(c.expires_at));
    q.executeStep();
    const std::int64_t id = q.int64(0);
    q.reset();
    detail::notify(impl_->db, "challenge " + c.certificate_name, kChallengeChannel);
    tx.commit();
    return id;
  });
}

Status Inventory::unpublish_challenge(std::int64_t id, const std::string& certificate_name) {
  return detail::guarded(impl_->path, [&]() -> Status {
    sql::Transaction tx(impl_->db);
    sql::Statement q(impl_->db, "DELETE FROM challenges WHERE id = ?");
    q.bind(1, id);
    if (q.exec() > 0) detail::notify(impl_->db, "challenge-done " + certificate_name, kChallengeChannel);
    tx.commit();
    return Status{};
  });
}

Result<std::vector<PublishedChallenge>> Inventory::published_challenges(UnixTime now) {
  return detail::guarded(impl_->path, [&]() -> Result<std::vector<PublishedChallenge>> {
    // Only while the publisher's lease is held and current: a holder that
    // died (or lost its lease) is no longer answered for.
    sql::Statement q(impl_->db,
                     "SELECT ch.id, ch.token, ch.certificate_name, ch.node, ch.type, ch.identifier, "
                     "ch.key_authorization, ch.config, ch.served_by_publisher, ch.published_at, ch.expires_at, "
                     "ch.generation FROM challenges ch JOIN certificates c ON c.name = ch.certificate_name JOIN leases "
                     "l ON l.certificate_id = c.id AND l.generation = ch.generation AND l.holder <> '' AND "
                     "l.expires_at > ?1 WHERE ch.expires_at > ?1 ORDER BY ch.id");
    q.bind(1, static_cast<std::int64_t>(now));
    std::vector<PublishedChallenge> out;
    while (q.executeStep()) {
      PublishedChallenge c;
      c.id = q.int64(0);
      c.token = q.text(1);
      c.certificate_name = q.text(2);
      c.node = q.text(3);
      c.type = q.text(4);
      c.identifier = q.text(5);
      c.key_authorization = q.text(6);
      c.config = q.text(7);
      c.served_by_publisher = q.int64(8) != 0;
      c.published_at = q.int64(9);
      c.expires_at = q.int64(10);
      c.generation = q.int64(11);
      out.push_back(std::move(c));
    }
    return out;
  });
}

Status Inventory::ack_challenge(const ChallengeAck& ack, const std::string& certificate_name) {
  return detail::guarded(impl_->path, [&]() -> Status {
    sql::Transaction tx(impl_->db);
    // Only while the publication is there: an answer to one that is gone
    // (the order done) would break the reference.
    sql::Statement q(impl_->db,
                     "INSERT INTO challenge_acks (challenge_id, node, ok, detail, acked_at) SELECT id, ?, ?, ?, ? FROM "
                     "challenges WHERE id = ? ON CONFLICT (challenge_id, node) DO UPDATE SET ok = excluded.ok, "
                     "detail = excluded.detail, acked_at = excluded.acked_at");
    q.bind(1, ack.node);
    q.bind(2, ack.ok ? 1 : 0);
    q.bind(3, ack.detail);
    q.bind(4, static_cast<std::int64_t>(ack.acked_at));
    q.bind(5, ack.challenge_id);
    if (q.exec() > 0) detail::notify(impl_->db, "ack " + certificate_name, kChallengeChannel);
    tx.commit();
    return Status{};
  });
}

Result<std::vector<ChallengeAck>> Inventory::challenge_acks(const std::vector<std::int64_t>& ids) {
  return detail::guarded(impl_->path, [&]() -> Result<std::vector<ChallengeAck>> {
    std::vector<ChallengeAck> out;
    sql::Statement q(impl_->db,
                     "SELECT challenge_id, node, ok, detail, acked_at FROM challenge_acks WHERE challenge_id = ? "
                     "ORDER BY node");
    for (const auto id : ids) {
      q.reset();
      q.bind(1, id);
      while (q.executeStep()) out.push_back({q.int64(0), q.text(1), q.int64(2) != 0, q.text(3), q.int64(4)});
    }
    return out;
  });
}

Status Inventory::answering_beat(const std::string& node, bool answering, UnixTime now) {
  return detail::guarded(impl_->path, [&]() -> Status {
    sql::Transaction tx(impl_->db);
    sql::Statement q(impl_->db,
                     "INSERT INTO nodes (name, first_seen, last_seen, answering_at) VALUES (?1, ?2, ?2, ?3) ON "
                     "CONFLICT (name) DO UPDATE SET answering_at = excluded.answering_at");
    q.bind(1, node);
    q.bind(2, static_cast<std::int64_t>(now));
    if (answering) {
      q.bind(3, static_cast<std::int64_t>(now));
    } else {
      q.bind(3);
    }
    q.exec();
    tx.commit();
    return Status{};
  });
}

Result<std::vector<std::string>> Inventory::answering_nodes(UnixTime since) {
  return detail::guarded(impl_->path, [&]() -> Result<std::vector<std::string>> {
    sql::Statement q(impl_->db, "SELECT name FROM nodes WHERE answering_at >= ? ORDER BY name");
    q.bind(1, static_cast<std::int64_t>(since));
    std::vector<std::string> out;
    while (q.executeStep()) out.push_back(q.text(0));
    return out;
  });
}

}  // namespace certkeeper::store
