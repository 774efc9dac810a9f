-- Challenges in a fleet (issue 12, DESIGN.md "Many hosts"): the CA may
-- reach any node behind the load balancer, so the holder of a certificate's
-- lease publishes its pending http-01 and tls-alpn-01 answers here, every
-- node that answers challenges serves them (its built-in responder, or its
-- own web root) and acknowledges, and the holder asks the CA to validate
-- only once every such node has. dns-01 needs none of this.
--
-- challenges: one row per pending answer, by its token (a resumed order
-- publishes the same token again, and replaces the row and its acks).
--   node       the publishing node;
--   served_by_publisher   1 when the publisher serves it itself (its node
--              has no answering daemon): that node's answerer leaves it;
--   config     the certificate's challenge configuration when published
--              (how each node serves it: a listen address, a web root);
--   generation the publisher's lease generation (leases.generation): the
--              row is served only while that lease is held and current,
--              so the answers of a holder that died go once its lease
--              expires (a new holder republishes the tokens it resumes);
--   expires_at after it the row is stale in any case: nobody serves it,
--              and the next publication deletes it.
-- AUTOINCREMENT: an id is never given again, so an answerer that knew a
-- publication by its id never takes a new one for it.
-- The key authorization is public by design (RFC 8555 §8.3: anybody may
-- fetch it from the web root), so it is stored as it is.
CREATE TABLE IF NOT EXISTS challenges (
  id                  INTEGER PRIMARY KEY AUTOINCREMENT,
  token               TEXT NOT NULL UNIQUE,
  certificate_name    TEXT NOT NULL,
  node                TEXT NOT NULL,
  type                TEXT NOT NULL,
  identifier          TEXT NOT NULL,
  key_authorization   TEXT NOT NULL,
  config              TEXT NOT NULL DEFAULT '{}',
  served_by_publisher INTEGER NOT NULL DEFAULT 0,
  generation          INTEGER NOT NULL DEFAULT 0,
  published_at        INTEGER NOT NULL,
  expires_at          INTEGER NOT NULL
) STRICT;

-- challenge_acks: a node's answer to a publication. ok 1: it serves it;
-- ok 0: it could not (detail says why, and the holder stops waiting).
CREATE TABLE IF NOT EXISTS challenge_acks (
  challenge_id INTEGER NOT NULL REFERENCES challenges (id) ON DELETE CASCADE,
  node         TEXT NOT NULL,
  ok           INTEGER NOT NULL,
  detail       TEXT NOT NULL DEFAULT '',
  acked_at     INTEGER NOT NULL,
  PRIMARY KEY (challenge_id, node)
) STRICT;

-- nodes.answering_at: the last beat of the node's challenge answerer (the
-- process that `certkeeper run` keeps beside its passes; every few
-- seconds). A node answers challenges while it is recent; NULL: it does not
-- (no daemon, or one that stopped).
ALTER TABLE nodes ADD COLUMN answering_at INTEGER;
