-- The revocation watch (issue 6). crl_cache holds one row per CRL URL that a
-- current version names (crlDistributionPoints): the last CRL that verified
-- against its issuer (DER), and when to fetch it again (nextUpdate, 24 hours
-- when the CRL has none; an hour after a failed fetch, whose error is kept
-- for reports). A CRL that fails to verify is never stored here.
-- As db/sqlite/0006_crl_cache.sql.
CREATE TABLE certkeeper.crl_cache (
  url          TEXT PRIMARY KEY,
  issuer       TEXT NOT NULL DEFAULT '',
  this_update  BIGINT,
  next_update  BIGINT,
  fetched_at   BIGINT,
  der          BYTEA,
  next_fetch   BIGINT NOT NULL,
  last_attempt BIGINT,
  last_error   TEXT NOT NULL DEFAULT ''
);

CREATE INDEX crl_cache_by_next_fetch ON certkeeper.crl_cache (next_fetch);

-- Which CRL URLs each version names. A version never changes, so it is read
-- once: versions are taken in id order (ids only grow: cert_versions is
-- append-only) above crl_scan.last_version_id, so a pass costs what is new.
CREATE TABLE certkeeper.crl_links (
  version_id BIGINT NOT NULL REFERENCES certkeeper.cert_versions (id),
  url        TEXT NOT NULL,
  PRIMARY KEY (version_id, url)
);

CREATE INDEX crl_links_by_url ON certkeeper.crl_links (url);

CREATE TABLE certkeeper.crl_scan (
  id              BIGINT PRIMARY KEY CHECK (id = 1),
  last_version_id BIGINT NOT NULL
);

INSERT INTO certkeeper.crl_scan (id, last_version_id) VALUES (1, 0);
