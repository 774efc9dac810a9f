-- A fleet (issue 12, DESIGN.md "Many hosts"): every process is a node, and
-- a target belongs to one.
--
-- nodes: one row per node that has run (its heartbeat). last_seen says
-- whether it is alive; version and doing what it runs and what it is busy
-- with. `node remove` deletes the row; the node's targets stay and are
-- reported as belonging to an unknown node.
CREATE TABLE nodes (
  name       TEXT PRIMARY KEY,
  first_seen INTEGER NOT NULL,
  last_seen  INTEGER NOT NULL,
  version    TEXT NOT NULL DEFAULT '',
  doing      TEXT NOT NULL DEFAULT '',
  pid        INTEGER NOT NULL DEFAULT 0
) STRICT;

-- targets gain their node and what the node last saw there:
--   node          the node that installs it ('' for targets made before
--                 this migration: on SQLite, the one node; on PostgreSQL,
--                 adopted by the first node whose heartbeat finds them);
--   installed_at  when installed_version went live;
--   probe_ok, probe_detail, probed_at   the last install transaction's
--                 probe result on this target (NULL: none yet);
--   failed_version  the version whose install last rolled back here: a
--                 pass does not try it again by itself (`install` does).
-- A target is now unique per certificate, node and directory: every node
-- of a fleet installs the same certificate into the same path on its own
-- host. SQLite cannot change a table's constraint in place, so the table
-- is rebuilt with its rows and ids.
CREATE TABLE targets_with_node (
  id             INTEGER PRIMARY KEY,
  certificate_id INTEGER NOT NULL REFERENCES certificates (id),
  node           TEXT NOT NULL DEFAULT '',
  dir            TEXT NOT NULL,
  layout         TEXT NOT NULL DEFAULT 'separate' CHECK (layout IN ('separate', 'combined')),
  include_root   INTEGER NOT NULL DEFAULT 0,
  owner          TEXT NOT NULL DEFAULT '',
  grp            TEXT NOT NULL DEFAULT '',
  mode           INTEGER NOT NULL DEFAULT 384,
  reload         TEXT NOT NULL DEFAULT '[]',
  probes         TEXT NOT NULL DEFAULT '[]',
  installed_version INTEGER,
  created_at     INTEGER NOT NULL,
  pending_version INTEGER,
  installed_at   INTEGER,
  probe_ok       INTEGER,
  probe_detail   TEXT NOT NULL DEFAULT '',
  probed_at      INTEGER,
  failed_version INTEGER,
  UNIQUE (certificate_id, node, dir)
) STRICT;

INSERT INTO targets_with_node (id, certificate_id, node, dir, layout, include_root, owner, grp, mode, reload, probes,
                               installed_version, created_at, pending_version)
  SELECT id, certificate_id, '', dir, layout, include_root, owner, grp, mode, reload, probes,
         installed_version, created_at, pending_version
  FROM targets;
DROP TABLE targets;
ALTER TABLE targets_with_node RENAME TO targets;
CREATE INDEX targets_by_node ON targets (node);
