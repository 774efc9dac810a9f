// What the store suite's tests build their inventories from: a certificate
// definition, an ACME version with placeholder PEM (the store does not parse
// it), and raw SQL on an inventory file for the tests that damage one.
#pragma once

#include <sqlite3.h>

#include <string>

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

}  // namespace certkeeper::testing
