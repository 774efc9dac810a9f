-- Private keys encrypted at rest (issue 11). cert_versions stays
-- append-only, with one exception: a version's key_pem may be replaced by
-- its encrypted form ("ck-aesgcm-v1:..."), when init --encrypt-keys converts
-- an inventory or keys rotate re-encrypts it under a new key file. Whether
-- the inventory encrypts its keys, and with which key file, are the settings
-- key_encryption and key_file. As db/sqlite/0009_sealed_keys.sql: the same
-- two triggers, the same rule (an UPDATE that names key_pem passes only when
-- the new value starts with the prefix).

DROP TRIGGER IF EXISTS cert_versions_no_rewrite ON certkeeper.cert_versions;
DROP TRIGGER IF EXISTS cert_versions_key_only_sealed ON certkeeper.cert_versions;

CREATE TRIGGER cert_versions_no_rewrite BEFORE UPDATE OF
  certificate_id, version, leaf_pem, chain_pem, root_pem, fingerprint_sha256,
  serial, subject, issuer, issuer_cn, names, key_type, not_before, not_after, origin, findings, created_at
  ON certkeeper.cert_versions
  FOR EACH ROW EXECUTE FUNCTION certkeeper.refuse_change('cert_versions is append-only');

CREATE TRIGGER cert_versions_key_only_sealed BEFORE UPDATE OF key_pem ON certkeeper.cert_versions
  FOR EACH ROW WHEN (substr(NEW.key_pem, 1, 13) <> 'ck-aesgcm-v1:')
  EXECUTE FUNCTION certkeeper.refuse_change(
    'cert_versions is append-only: a stored key may only be replaced by its encrypted form');
