-- Private keys encrypted at rest (issue 11). cert_versions stays
-- append-only, with one exception: a version's key_pem may be replaced by
-- its encrypted form ("ck-aesgcm-v1:..."), when init --encrypt-keys converts
-- an inventory or keys rotate re-encrypts it under a new key file. Whether
-- the inventory encrypts its keys, and with which key file, are the settings
-- key_encryption and key_file.

DROP TRIGGER IF EXISTS cert_versions_no_rewrite;
DROP TRIGGER IF EXISTS cert_versions_key_only_sealed;

CREATE TRIGGER cert_versions_no_rewrite BEFORE UPDATE OF
  certificate_id, version, leaf_pem, chain_pem, root_pem, fingerprint_sha256,
  serial, subject, issuer, issuer_cn, names, key_type, not_before, not_after, origin, findings, created_at
  ON cert_versions
BEGIN
  SELECT RAISE(ABORT, 'cert_versions is append-only');
END;

CREATE TRIGGER cert_versions_key_only_sealed BEFORE UPDATE OF key_pem ON cert_versions
  WHEN substr(NEW.key_pem, 1, 13) <> 'ck-aesgcm-v1:'
BEGIN
  SELECT RAISE(ABORT, 'cert_versions is append-only: a stored key may only be replaced by its encrypted form');
END;
