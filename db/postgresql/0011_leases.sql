-- Issue 12 (a fleet): who talks to the CA for a certificate. Issuing or
-- renewing needs the certificate's lease: a holder (node/pid/random: one
-- process's one acquisition), its node, an expiry and a fencing generation.
-- The generation grows at every acquisition and is never reused: the row
-- stays when its holder leaves (holder ''), so a holder whose lease passed
-- to another can never commit a version (the version's transaction checks
-- its generation is still the current one and unexpired). Times are unix
-- seconds of the holders' clocks (nodes keep them in sync with NTP).
-- IF NOT EXISTS: a migration may run again on an inventory that lost its
-- schema_version rows (as 0009 may).
-- As db/sqlite/0011_leases.sql.

CREATE TABLE IF NOT EXISTS certkeeper.leases (
  certificate_id BIGINT PRIMARY KEY REFERENCES certkeeper.certificates (id),
  holder         TEXT NOT NULL DEFAULT '',
  node           TEXT NOT NULL DEFAULT '',
  generation     BIGINT NOT NULL CHECK (generation > 0),
  acquired_at    BIGINT NOT NULL,
  renewed_at     BIGINT NOT NULL,
  expires_at     BIGINT NOT NULL
);
