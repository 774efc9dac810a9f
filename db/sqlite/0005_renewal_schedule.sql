-- The renewal scheduler (issue: set and forget). next_check is when the
-- scheduler looks at a certificate again (NULL: at the next pass); this
-- index makes "what is due" cost what is due, not the inventory.
CREATE INDEX certificates_by_next_check ON certificates (next_check);
-- The CA's renewal window for the current version (RFC 9773) and when to ask
-- again (its Retry-After, clamped).
ALTER TABLE certificates ADD COLUMN ari_start INTEGER;
ALTER TABLE certificates ADD COLUMN ari_end INTEGER;
ALTER TABLE certificates ADD COLUMN ari_next_fetch INTEGER;
-- The failure record the back-off is computed from: the CA's Retry-After
-- (absolute) and whether the last problem was permanent (no retry until the
-- definition changes or the operator runs `issue`).
ALTER TABLE certificates ADD COLUMN retry_after INTEGER;
ALTER TABLE certificates ADD COLUMN failure_permanent INTEGER NOT NULL DEFAULT 0;
