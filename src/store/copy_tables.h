// Private to the store: the pieces of db copy (copy.cpp) that read the
// catalogue and carry rows across, one table at a time.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <tuple>
#include <vector>

#include "certkeeper/crypto/key_wrap.h"
#include "impl.h"

namespace certkeeper::store::copying {

// Every table db copy copies, references first (copied_tables()).
extern const char* const kCopiedTables[14];

enum class CopyKind { integer, text, blob };

struct CopyColumn {
  std::string name;
  CopyKind kind = CopyKind::text;
  bool operator==(const CopyColumn&) const = default;
};

// A table's columns as the catalogue lists them, in order; none for no table.
std::vector<CopyColumn> catalogue_columns(sql::Database& db, const char* table);
std::int64_t count_rows(sql::Database& db, const char* table);
// Every version as (certificate, version, fingerprint), by id.
std::vector<std::tuple<std::string, std::int64_t, std::string>> version_identities(sql::Database& db);
// Non-empty private keys stored in plaintext, in every key column.
std::int64_t plaintext_keys(sql::Database& db);
// What the destination holds that a new inventory does not ("N table rows,
// ..."); "" when empty.
std::string contents(sql::Database& db);
// PostgreSQL: each identity column's sequence past the highest id.
void advance_identities(sql::Database& db);

// One copy in progress: the two databases and how keys go across.
struct Copier {
  Inventory::Impl& src;
  Inventory::Impl& dst;
  // Set when the destination must get sealed keys that the source holds in
  // plaintext: each is sealed under it, and each sealed one must open.
  std::optional<crypto::WrapKey> seal_key;
  std::int64_t sealed = 0;
  std::map<std::int64_t, std::string> certificate_names;  // by id, for the keys' associated data

  // Copies every row of `table` (its `columns`, as the source's catalogue
  // lists them) into the destination; the rows copied. Throws as the
  // store's SQL does, and KeyFailure when a key cannot be sealed or opened.
  std::int64_t copy_table(const char* table, const std::vector<CopyColumn>& columns);

 private:
  std::string key_ad(const std::string& table, const std::string& column, const std::vector<CopyColumn>& columns,
                     sql::Statement& row) const;
  std::string key_value(std::string value, const std::string& ad);
};

}  // namespace certkeeper::store::copying
