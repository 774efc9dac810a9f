-- The install transaction's journal (issue: install, reload, verify, roll
-- back). pending_version is set before a target's files are switched and
-- cleared when the transaction ends (installed or rolled back). A value
-- found at start means the last run was killed mid-way: certkeeper switches
-- the files back to installed_version (the last verified one) before it does
-- anything else. As db/sqlite/0004_target_install_journal.sql.
ALTER TABLE certkeeper.targets ADD COLUMN pending_version BIGINT;
