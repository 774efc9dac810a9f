-- As db/sqlite/0013_node_converged.sql.
ALTER TABLE certkeeper.nodes ADD COLUMN converged_event BIGINT;
