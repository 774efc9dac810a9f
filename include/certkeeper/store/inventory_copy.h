// certkeeper db copy: a whole inventory from one database into a new one,
// SQLite -> PostgreSQL and back (issue 11).
//
// Contracts:
// - The source is opened read-only and never written (a SQLite file is
//   opened as db check opens it: no migration, no side files).
// - The destination is created and migrated as any writing command would,
//   and must then hold nothing (no certificate, version, event, account,
//   order, target, setting nor CRL row): otherwise Errc::conflict, and
//   nothing is written to it.
// - Every table is copied with its ids and values as they are (event ids
//   and times in order) in one writing transaction of the destination: all
//   or nothing. Before the commit, the row counts of every table and each
//   version's (certificate, version, fingerprint) are compared with the
//   source's; a difference rolls back with Errc::internal.
// - Private keys: a sealed one is copied as it is (its associated data
//   names the certificate, version, account or order, not the row), with
//   the settings key_encryption and key_file. A PostgreSQL destination never
//   receives a plaintext key: those of the source are sealed under
//   CopyOptions::key_file (and key_encryption/key_file are set); without a
//   key file that is Errc::usage before anything is written. A SQLite
//   destination gets what the source had.
// - The destination's audit log ends with the event "inventory-copied".
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "certkeeper/store/location.h"
#include "certkeeper/util/clock.h"
#include "certkeeper/util/result.h"

namespace certkeeper::store {

struct CopyOptions {
  // Seals the source's plaintext private keys for a PostgreSQL destination
  // (--key-file); "" for none.
  std::string key_file;
  std::string actor;  // of the event "inventory-copied"
  UnixTime now = 0;
};

struct CopiedTable {
  std::string name;
  std::int64_t rows = 0;
};

struct CopyReport {
  Backend from_backend = Backend::sqlite;
  Backend to_backend = Backend::sqlite;
  std::string from, to;            // the locations (never with a password)
  std::vector<CopiedTable> tables;  // in copy order, rows of the source
  std::int64_t keys_sealed = 0;     // plaintext keys sealed now (PostgreSQL destination)
  std::int64_t elapsed_ms = 0;
  std::int64_t rows() const;
};

// The tables db copy copies, in the order it copies them (references
// first). Every table of the schema but schema_version; a schema with
// another table is refused (Errc::internal) rather than copied in part.
std::span<const char* const> copied_tables();

// Copies the inventory at `from` into the new inventory at `to` (each a
// path, sqlite:PATH or a postgresql:// URI; a password in either is
// Errc::usage, as for --db).
Result<CopyReport> copy_inventory(const std::string& from, const std::string& to, const CopyOptions& options);

}  // namespace certkeeper::store
