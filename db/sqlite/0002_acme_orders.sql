-- ACME issuance (issue #3): orders in flight, so that a crash between
-- finalize and download resumes the same order instead of burning a new one
-- (the CA's rate limits count orders), and the key that belongs to it.

CREATE TABLE orders (
  id             INTEGER PRIMARY KEY,
  certificate_id INTEGER NOT NULL REFERENCES certificates (id),
  account_id     INTEGER NOT NULL REFERENCES acme_accounts (id),
  order_url      TEXT NOT NULL,
  key_pem        TEXT NOT NULL,
  status         TEXT NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'done', 'failed')),
  created_at     INTEGER NOT NULL,
  finished_at    INTEGER
) STRICT;

CREATE INDEX orders_open ON orders (certificate_id) WHERE status = 'open';
