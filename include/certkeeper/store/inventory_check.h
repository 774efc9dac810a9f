// What an inventory holds, read without writing (certkeeper db check): the
// backend, the file, the schema version, the rows of every table and
// whether its private keys are encrypted at rest.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "certkeeper/store/location.h"
#include "certkeeper/util/result.h"

namespace certkeeper::store {

// The prefix of a private key stored encrypted (AES-256-GCM, format 1).
inline constexpr const char* kEncryptedKeyPrefix = "ck-aesgcm-v1:";

// One column that holds private keys, and how its non-empty values are stored.
struct KeyColumnCount {
  std::string table, column;
  std::int64_t plaintext = 0;
  std::int64_t encrypted = 0;
};

struct TableCount {
  std::string name;
  std::int64_t rows = 0;
};

struct InventoryCheck {
  Backend backend = Backend::sqlite;
  std::string path;
  int schema_version = 0;  // the highest migration applied to the file
  int schema_latest = 0;   // the highest this certkeeper knows
  std::vector<TableCount> tables;  // every table of the inventory, by name
  std::vector<KeyColumnCount> key_columns;
  std::int64_t keys_plaintext() const;
  std::int64_t keys_encrypted() const;
  // "none" (no key stored), "plaintext", "encrypted", or "mixed".
  const char* key_encryption() const;
};

// Reads the inventory at `path` without writing anything: no migration, no
// switch to WAL, no side files, no chmod (the file is recognised and opened
// as every read-only command opens it). A file that is missing or not a
// certkeeper inventory is an error as for those commands; an older or newer
// schema is reported, not refused.
Result<InventoryCheck> check_inventory(const std::string& path);

}  // namespace certkeeper::store
