-- The renewal scheduler (issue: set and forget). next_check is when the
-- scheduler looks at a certificate again (NULL: at the next pass); this
-- index makes "what is due" cost what is due, not the inventory.
-- As db/sqlite/0005_renewal_schedule.sql.
CREATE INDEX certificates_by_next_check ON certkeeper.certificates (next_check);
-- The CA's renewal window for the current version (RFC 9773) and when to ask
-- again (its Retry-After, clamped).
ALTER TABLE certkeeper.certificates ADD COLUMN ari_start BIGINT;
ALTER TABLE certkeeper.certificates ADD COLUMN ari_end BIGINT;
ALTER TABLE certkeeper.certificates ADD COLUMN ari_next_fetch BIGINT;
-- The failure record the back-off is computed from: the CA's Retry-After
-- (absolute) and whether the last problem was permanent (no retry until the
-- definition changes or the operator runs `issue`).
ALTER TABLE certkeeper.certificates ADD COLUMN retry_after BIGINT;
ALTER TABLE certkeeper.certificates ADD COLUMN failure_permanent BIGINT NOT NULL DEFAULT 0;
