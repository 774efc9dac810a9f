-- A fleet (issue 12): nodes with their heartbeat, and targets that belong
-- to a node. As db/sqlite/0010_nodes.sql, which explains every column.
CREATE TABLE certkeeper.nodes (
  name       TEXT PRIMARY KEY,
  first_seen BIGINT NOT NULL,
  last_seen  BIGINT NOT NULL,
  version    TEXT NOT NULL DEFAULT '',
  doing      TEXT NOT NULL DEFAULT '',
  pid        BIGINT NOT NULL DEFAULT 0
);

ALTER TABLE certkeeper.targets ADD COLUMN node TEXT NOT NULL DEFAULT '';
ALTER TABLE certkeeper.targets ADD COLUMN installed_at BIGINT;
ALTER TABLE certkeeper.targets ADD COLUMN probe_ok BIGINT;
ALTER TABLE certkeeper.targets ADD COLUMN probe_detail TEXT NOT NULL DEFAULT '';
ALTER TABLE certkeeper.targets ADD COLUMN probed_at BIGINT;
ALTER TABLE certkeeper.targets ADD COLUMN failed_version BIGINT;
ALTER TABLE certkeeper.targets DROP CONSTRAINT targets_certificate_id_dir_key;
ALTER TABLE certkeeper.targets ADD CONSTRAINT targets_certificate_id_node_dir_key UNIQUE (certificate_id, node, dir);
CREATE INDEX targets_by_node ON certkeeper.targets (node);
