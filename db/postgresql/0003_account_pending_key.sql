-- Account key rollover (RFC 8555 §7.3.5) in two steps: the new key is stored
-- here before the CA is asked, and promoted once the CA answers. A crash in
-- between leaves both keys stored; the next session asks the CA which one
-- it knows (onlyReturnExisting) and keeps that one.
-- As db/sqlite/0003_account_pending_key.sql.
ALTER TABLE certkeeper.acme_accounts ADD COLUMN pending_key_pem TEXT NOT NULL DEFAULT '';
