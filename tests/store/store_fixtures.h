// What the store suite's tests build their inventories from: a certificate
// definition, an ACME version with placeholder PEM (the store does not parse
// it), and raw SQL on an inventory file for the tests that damage one.
#pragma once

#include <sqlite3.h>

#include <string>

#include "certkeeper/store/migrations.h"
#include "certkeeper/store/records.h"
#include "support/fixed_time.h"

namespace certkeeper::testing {

inline store::CertificateRecord definition(const std::string& name, const std::string& source = "manual") {
  store::CertificateRecord c;
  c.name = name;
  c.source = source;
  return c;
}

// A version as the ACME path stores it, valid from a day before kNow for 90
// days; the leaf's PEM body is the fingerprint, so each version's differs.
inline store::VersionRecord acme_version(const std::string& fingerprint) {
  store::VersionRecord v;
  v.leaf_pem = "-----BEGIN CERTIFICATE-----\n" + fingerprint + "\n-----END CERTIFICATE-----\n";
  v.key_pem = "-----BEGIN PRIVATE KEY-----\nsecret\n-----END PRIVATE KEY-----\n";
  v.fingerprint_sha256 = fingerprint;
  v.serial = "0A" + fingerprint;
  v.subject = v.issuer = "CN=a.example.test";
  v.names = {"a.example.test"};
  v.key_type = "ec-p256";
  v.not_before = kNow - kDay;
  v.not_after = kNow + 90 * kDay;
  v.origin = "acme";
  return v;
}

// sqlite3_exec of `sql` on the file at `path`, outside the store; its result code.
inline int raw_exec(const std::string& path, const std::string& sql) {
  sqlite3* db = nullptr;
  sqlite3_open(path.c_str(), &db);
  const int rc = sqlite3_exec(db, sql.c_str(), nullptr, nullptr, nullptr);
  sqlite3_close(db);
  return rc;
}

// An inventory file as a release whose newest migration was `version` left
// it: the embedded migrations up to that one applied outside the store,
// each recorded as the store records it, and the certificate "mail" with one
// version written in the columns every schema has. 0 when it was made.
inline int old_inventory(const std::string& path, int version) {
  std::string sql = "CREATE TABLE schema_version (version INTEGER PRIMARY KEY, file TEXT NOT NULL, "
                    "applied_at INTEGER NOT NULL) STRICT;";
  for (const auto& m : store::embedded_migrations()) {
    if (m.version > version) break;
    sql += std::string("BEGIN;") + m.sql + ";INSERT INTO schema_version VALUES (" + std::to_string(m.version) +
           ", '" + m.file + "', 0);COMMIT;";
  }
  const std::string at = std::to_string(kNow), until = std::to_string(kNow + 60 * kDay);
  sql += "INSERT INTO certificates (id, name, source, current_version, current_not_after, created_at, updated_at) "
         "VALUES (1, 'mail', 'manual', 1, " + until + ", " + at + ", " + at + ");"
         "INSERT INTO cert_versions (certificate_id, version, leaf_pem, chain_pem, root_pem, key_pem, "
         "fingerprint_sha256, serial, subject, issuer, issuer_cn, names, key_type, not_before, not_after, origin, "
         "created_at) VALUES (1, 1, 'leaf', '', '', 'key', 'fp', '01', 'CN=a', 'CN=b', 'b', '[\"a.example.test\"]', "
         "'ec-p256', " + at + ", " + until + ", 'import-pem', " + at + ");";
  return raw_exec(path, sql);
}

}  // namespace certkeeper::testing
