-- certkeeper inventory, schema version 1.
-- Applied in one transaction by the store; recorded in schema_version.
-- Times are Unix seconds (UTC). Lists are JSON arrays of strings.

CREATE TABLE settings (
  key   TEXT PRIMARY KEY,
  value TEXT NOT NULL
) STRICT;

CREATE TABLE acme_accounts (
  id            INTEGER PRIMARY KEY,
  directory_url TEXT NOT NULL,
  contact       TEXT NOT NULL DEFAULT '',
  account_url   TEXT,
  key_pem       TEXT NOT NULL,
  status        TEXT NOT NULL DEFAULT 'valid',
  created_at    INTEGER NOT NULL,
  UNIQUE (directory_url, contact)
) STRICT;

-- The managed definitions: one row per certificate name.
CREATE TABLE certificates (
  id                INTEGER PRIMARY KEY,
  name              TEXT NOT NULL UNIQUE,
  source            TEXT NOT NULL CHECK (source IN ('manual', 'acme', 'remote')),
  domains           TEXT NOT NULL DEFAULT '[]',
  key_type          TEXT NOT NULL DEFAULT '',
  challenge         TEXT NOT NULL DEFAULT '',
  challenge_config  TEXT NOT NULL DEFAULT '',
  acme_server       TEXT NOT NULL DEFAULT '',
  acme_ca_file      TEXT NOT NULL DEFAULT '',
  profile           TEXT NOT NULL DEFAULT '',
  preferred_chain   TEXT NOT NULL DEFAULT '',
  renew_before_days INTEGER,
  status            TEXT NOT NULL DEFAULT 'active',
  current_version   INTEGER,
  -- not_after of current_version, kept here so that "what expires within N
  -- days" is an index range scan, whatever the size of the inventory.
  current_not_after INTEGER,
  next_check        INTEGER,
  failures          INTEGER NOT NULL DEFAULT 0,
  last_error        TEXT NOT NULL DEFAULT '',
  last_attempt      INTEGER,
  last_success      INTEGER,
  created_at        INTEGER NOT NULL,
  updated_at        INTEGER NOT NULL
) STRICT;

CREATE INDEX certificates_by_expiry ON certificates (current_not_after);

-- Every version ever stored. Append-only: no row is updated except to mark a
-- revocation, none is ever deleted (see the triggers below).
CREATE TABLE cert_versions (
  id                 INTEGER PRIMARY KEY,
  certificate_id     INTEGER NOT NULL REFERENCES certificates (id),
  version            INTEGER NOT NULL,
  leaf_pem           TEXT NOT NULL,
  chain_pem          TEXT NOT NULL,
  root_pem           TEXT NOT NULL,
  key_pem            TEXT NOT NULL,
  fingerprint_sha256 TEXT NOT NULL,
  serial             TEXT NOT NULL,
  subject            TEXT NOT NULL,
  issuer             TEXT NOT NULL,
  issuer_cn          TEXT NOT NULL,
  names              TEXT NOT NULL,
  key_type           TEXT NOT NULL,
  not_before         INTEGER NOT NULL,
  not_after          INTEGER NOT NULL,
  origin             TEXT NOT NULL,
  findings           TEXT NOT NULL DEFAULT '[]',
  revoked_at         INTEGER,
  revoke_reason      TEXT NOT NULL DEFAULT '',
  created_at         INTEGER NOT NULL,
  UNIQUE (certificate_id, version)
) STRICT;

CREATE INDEX cert_versions_by_fingerprint ON cert_versions (fingerprint_sha256);

CREATE TRIGGER cert_versions_no_delete BEFORE DELETE ON cert_versions
BEGIN
  SELECT RAISE(ABORT, 'cert_versions is append-only');
END;

CREATE TRIGGER cert_versions_no_rewrite BEFORE UPDATE OF
  certificate_id, version, leaf_pem, chain_pem, root_pem, key_pem, fingerprint_sha256,
  serial, subject, issuer, issuer_cn, names, key_type, not_before, not_after, origin, findings, created_at
  ON cert_versions
BEGIN
  SELECT RAISE(ABORT, 'cert_versions is append-only');
END;

CREATE TABLE targets (
  id             INTEGER PRIMARY KEY,
  certificate_id INTEGER NOT NULL REFERENCES certificates (id),
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
  UNIQUE (certificate_id, dir)
) STRICT;

-- The audit log: who did what to which certificate, when. Append-only.
CREATE TABLE events (
  id               INTEGER PRIMARY KEY,
  at               INTEGER NOT NULL,
  certificate_id   INTEGER REFERENCES certificates (id),
  certificate_name TEXT NOT NULL DEFAULT '',
  kind             TEXT NOT NULL,
  actor            TEXT NOT NULL,
  detail           TEXT NOT NULL DEFAULT '{}'
) STRICT;

CREATE INDEX events_by_certificate ON events (certificate_id, id);

CREATE TRIGGER events_no_delete BEFORE DELETE ON events
BEGIN
  SELECT RAISE(ABORT, 'events is append-only');
END;

CREATE TRIGGER events_no_update BEFORE UPDATE ON events
BEGIN
  SELECT RAISE(ABORT, 'events is append-only');
END;
