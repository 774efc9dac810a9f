// Private to the store: the connection behind Inventory (a SQLite file or a
// PostgreSQL database, through sql/statement.h), and helpers shared by the
// files that implement Inventory's methods.
#pragma once

#include <SQLiteCpp/SQLiteCpp.h>
#include <sqlite3.h>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "certkeeper/crypto/key_wrap.h"
#include "certkeeper/store/event_kinds.h"
#include "certkeeper/store/inventory.h"
#include "certkeeper/store/inventory_watch.h"
#include "certkeeper/store/location.h"
#include "sql/sqlite_driver.h"
#include "sql/statement.h"

namespace certkeeper::store {

struct Inventory::Impl {
  // The inventory as errors name it: the SQLite file, or the PostgreSQL
  // URI (never with a password: store/location.h refuses those).
  std::string path;
  sql::Database db;
  // Private keys at rest (key_columns.cpp): the key file the caller gave
  // ("" when none: the setting key_file then), and its key once needed.
  std::string key_file;
  std::optional<crypto::WrapKey> key;
  std::string loaded_from;
  Impl(std::string p, std::unique_ptr<sql::Driver> driver);
  bool is_sqlite() const { return db.is_sqlite(); }
};

// SQLite's application_id of a certkeeper inventory: "CKPR"
// (db/sqlite/0008_application_id.sql sets it).
constexpr std::uint32_t kApplicationId = 0x434B5052;
// The first schema version that carries kApplicationId; older inventories
// are recognised by their schema_version table.
constexpr int kFirstMarkedSchema = 8;

namespace detail {

// Every column that holds private keys (PEM, or kEncryptedKeyPrefix + the
// encrypted form); an empty value holds none (acme_accounts.pending_key_pem
// outside a key rollover). key_columns.cpp seals, opens and rewrites exactly
// these; db check counts them.
struct KeyColumn {
  const char* table;
  const char* column;
};
inline constexpr KeyColumn kKeyColumns[] = {
    {"cert_versions", "key_pem"},
    {"acme_accounts", "key_pem"},
    {"acme_accounts", "pending_key_pem"},
    {"orders", "key_pem"},
};

// Thrown inside a guarded body when a private key cannot be sealed or
// opened (no key file, a wrong one): guarded returns its error as it is.
struct KeyFailure {
  Error error;
};

// A driver's failure as the store's Error about `path` (helpers.cpp).
Error database_error(const std::string& path, const sql::DbError& e);

// Runs `body` and turns any database exception into an Error about `path`.
template <class F>
auto guarded(const std::string& path, F&& body) -> decltype(body()) {
  try {
    return body();
  } catch (const KeyFailure& f) {
    return f.error;
  } catch (const sql::DbError& e) {
    return database_error(path, e);
  } catch (const SQLite::Exception& e) {
    // SQLiteCpp's own, from opening a file and the read-only looks at it.
    return database_error(path, sql::DbError(sql::Failure{sql::sqlite_failure_kind(e.getErrorCode()), e.what()}));
  } catch (const std::exception& e) {
    return make_error(Errc::database, std::string("database error: ") + e.what(), path);
  }
}

// Sets one setting inside the caller's transaction (no event: the caller
// writes the one its change needs).
void put_setting(sql::Database& db, const std::string& key, const std::string& value);

std::string encode_list(const std::vector<std::string>& items);
std::vector<std::string> decode_list(const std::string& json);

std::optional<std::int64_t> optional_int(const sql::Column& c);

// The id of the certificate `name`, if it exists.
std::optional<std::int64_t> certificate_id(sql::Database& db, const std::string& name);

// append_version's body inside the caller's transaction (certificates.cpp);
// the new version's number.
int append_version_in_transaction(Inventory::Impl& impl, const CertificateRecord& definition,
                                  const VersionRecord& version, const std::string& event_kind,
                                  const std::string& event_detail_json, const std::string& actor, UnixTime now);

// Appends one event inside the caller's transaction.
void insert_event(sql::Database& db, UnixTime at, std::optional<std::int64_t> certificate_id,
                  const std::string& certificate_name, const std::string& kind,
                  const std::string& actor, const std::string& detail_json);

// Tells the processes that listen on a shared inventory (InventoryWatch)
// about a change, delivered when the caller's transaction commits; nothing
// on SQLite (helpers.cpp).
void notify(sql::Database& db, const std::string& payload, const char* channel = kNotifyChannel);

// The report's history (report_history.cpp): adds to `history`, whose
// entries report_rows_with_history created with each row's current version,
// the other recent versions, the totals and the recent events.
void add_report_history(sql::Database& db, std::optional<UnixTime> expiring_before, int max_versions,
                        int max_events, std::unordered_map<std::string, ReportHistory>& history);

// The URI that opens the existing file `path` read-only without leaving a
// trace (no -wal/-shm of its own), and the check that it exists and is a
// certkeeper inventory, made that way (inventory.cpp).
std::string read_only_uri(const std::string& path);
Status recognise_existing(const std::string& path);

// Private keys at rest (key_columns.cpp). The associated data of each
// column: what the value belongs to, so that it opens nowhere else.
std::string version_key_ad(const std::string& certificate_name, int version);
std::string account_key_ad(const char* column, const std::string& directory_url, const std::string& contact);
std::string order_key_ad(const std::string& certificate_name, const std::string& order_url);
// Whether the inventory stores its private keys encrypted (the setting
// key_encryption).
bool keys_encrypted(sql::Database& db);
// What to store for `pem`: sealed under the key when the inventory is
// encrypted (throws KeyFailure when the key cannot be had), else `pem`.
std::string stored_key(Inventory::Impl& impl, const std::string& pem, const std::string& ad);
// The PEM of a stored value: opened when sealed (throws KeyFailure).
std::string readable_key(Inventory::Impl& impl, const std::string& stored, const std::string& ad);

// Opens a PostgreSQL inventory (postgresql_inventory.cpp): connects,
// recognises the schema certkeeper without writing (Errc::not_found for
// none outside `create`, Errc::database_corrupt for another application's
// tables) and migrates it.
Result<std::unique_ptr<Inventory::Impl>> open_postgresql(const std::string& uri, OpenMode mode);

// Schema migrations (migrate.cpp).
bool has_table(sql::Database& db, const char* name);
// The inventory's tables by name: SQLite's (not its own sqlite_*), or every
// relation of PostgreSQL's schema certkeeper, read from pg_catalog so that
// one the role may not read is listed as well.
std::vector<std::string> inventory_tables(sql::Database& db);
int current_schema_version(sql::Database& db);
// The highest version of the embedded migrations.
int latest_schema_version();
// Applies every embedded migration newer than the file's version, each in a
// transaction. Throws on SQLite errors; returns an Error for a newer file.
Status migrate(sql::Database& db, const std::string& path, bool allow_write);

}  // namespace detail
}  // namespace certkeeper::store
