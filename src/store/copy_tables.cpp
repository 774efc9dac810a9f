// db copy's pieces (copy_tables.h): the catalogue, and rows carried from
// one database to the other with their keys sealed when they must be.
#include "copy_tables.h"

#include <openssl/crypto.h>

#include <algorithm>
#include <cctype>
#include <limits>
#include <string_view>

#include <fmt/format.h>

#include "certkeeper/store/inventory_check.h"

namespace certkeeper::store::copying {

// References first: certificates before what names them, versions before
// their CRL links.
const char* const kCopiedTables[14] = {"settings",  "acme_accounts", "certificates", "leases", "cert_versions",
                                         "targets",   "events",        "orders",       "crl_cache", "crl_links",
                                         "crl_scan",  "nodes",         "challenges",   "challenge_acks"};

// A column's declared type (SQLite) or format_type (PostgreSQL) as what is
// read and bound: the same for both dialects of one column (a flag is an
// INTEGER on SQLite and may be a BOOLEAN on PostgreSQL; both read and bind
// as 0/1).
static CopyKind copy_kind(std::string type) {
  for (auto& c : type) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (type.find("int") != std::string::npos || type == "boolean") return CopyKind::integer;
  if (type == "blob" || type == "bytea") return CopyKind::blob;
  return CopyKind::text;
}

std::vector<CopyColumn> catalogue_columns(sql::Database& db, const char* table) {
  std::vector<CopyColumn> columns;
  sql::Statement q(db, db.is_sqlite() ? "SELECT name, type FROM pragma_table_info(?) ORDER BY cid"
                                      : "SELECT a.attname, pg_catalog.format_type(a.atttypid, a.atttypmod) "
                                        "FROM pg_catalog.pg_attribute a JOIN pg_catalog.pg_class c ON c.oid = "
                                        "a.attrelid JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace WHERE "
                                        "n.nspname = 'certkeeper' AND c.relname = ? AND a.attnum > 0 AND NOT "
                                        "a.attisdropped ORDER BY a.attnum");
  q.bind(1, table);
  while (q.executeStep()) columns.push_back({q.text(0), copy_kind(q.text(1))});
  return columns;
}

static std::string quoted(const std::string& name) {
  std::string out = "\"";
  for (char c : name) out += c == '"' ? std::string("\"\"") : std::string(1, c);
  return out + '"';
}

std::int64_t count_rows(sql::Database& db, const char* table) {
  return db.query_int(fmt::format("SELECT count(*) FROM {}", quoted(table)));
}

// Every version as (certificate, version, fingerprint), by id.
std::vector<std::tuple<std::string, std::int64_t, std::string>> version_identities(sql::Database& db) {
  std::vector<std::tuple<std::string, std::int64_t, std::string>> out;
  sql::Statement q(db, "SELECT c.name, v.version, v.fingerprint_sha256 FROM cert_versions v "
                       "JOIN certificates c ON c.id = v.certificate_id ORDER BY v.id");
  while (q.executeStep()) out.emplace_back(q.text(0), q.int64(1), q.text(2));
  return out;
}

std::int64_t plaintext_keys(sql::Database& db) {
  std::int64_t n = 0;
  for (const auto& k : detail::kKeyColumns) {
    sql::Statement q(db, fmt::format("SELECT count(*) FROM {0} WHERE {1} <> '' AND substr({1}, 1, CAST(?1 AS "
                                     "INTEGER)) <> ?2",
                                     k.table, k.column));
    q.bind(1, static_cast<int>(std::string_view(kEncryptedKeyPrefix).size()));
    q.bind(2, kEncryptedKeyPrefix);
    q.executeStep();
    n += q.int64(0);
  }
  return n;
}

// What the destination holds that a new inventory does not; "" when empty.
// A new inventory has one crl_scan row, its mark at 0.
std::string contents(sql::Database& db) {
  std::vector<std::string> held;
  for (const char* table : kCopiedTables) {
    const std::int64_t n = std::string_view(table) == "crl_scan"
                               ? db.query_int("SELECT count(*) FROM crl_scan WHERE last_version_id <> 0")
                               : count_rows(db, table);
    if (n > 0) held.push_back(fmt::format("{} {} rows", n, table));
  }
  return fmt::format("{}", fmt::join(held, ", "));
}

static int index_of(const std::vector<CopyColumn>& columns, const char* name) {
  for (std::size_t i = 0; i < columns.size(); ++i) {
    if (columns[i].name == name) return static_cast<int>(i);
  }
  throw detail::KeyFailure{make_error(Errc::internal, fmt::format("db copy: no column {} where a key is", name))};
}

std::string Copier::key_ad(const std::string& table, const std::string& column,
                           const std::vector<CopyColumn>& columns, sql::Statement& row) const {
  auto name_of = [&](std::int64_t id) {
    auto it = certificate_names.find(id);
    return it == certificate_names.end() ? std::string() : it->second;
  };
  if (table == "cert_versions") {
    return detail::version_key_ad(name_of(row.int64(index_of(columns, "certificate_id"))),
                                  row.int32(index_of(columns, "version")));
  }
  if (table == "acme_accounts") {
    return detail::account_key_ad(column == "key_pem" ? "key_pem" : "pending_key_pem",
                                  row.text(index_of(columns, "directory_url")), row.text(index_of(columns, "contact")));
  }
  if (table == "orders") {
    return detail::order_key_ad(name_of(row.int64(index_of(columns, "certificate_id"))),
                                row.text(index_of(columns, "order_url")));
  }
  throw detail::KeyFailure{make_error(Errc::internal, "db copy does not know the keys of the table " + table)};
}

std::string Copier::key_value(std::string value, const std::string& ad) {
  if (value.empty()) return value;
  if (crypto::is_sealed(value)) {
    // One key per inventory: what is sealed already must open with it.
    auto opened = crypto::open_sealed(*seal_key, value, ad);
    if (!opened) {
      throw detail::KeyFailure{make_error(Errc::crypto,
                                          "does not open the private keys the source stores encrypted; give the "
                                          "key file they were encrypted with (--key-file F); nothing was written",
                                          src.path)};
    }
    OPENSSL_cleanse(opened->data(), opened->size());
    return value;
  }
  auto sealed_value = crypto::seal(*seal_key, value, ad);
  OPENSSL_cleanse(value.data(), value.size());
  if (!sealed_value) throw detail::KeyFailure{std::move(sealed_value).error()};
  ++sealed;
  return std::move(*sealed_value);
}

// Rows go across in multi-row INSERTs: one statement (one round trip to a
// server) per batch instead of per row, within every engine's limit on
// parameters (PostgreSQL 65535, SQLite 32766).
static constexpr std::size_t kMaxBatchRows = 500;
static constexpr std::size_t kMaxBatchParameters = 30000;
static constexpr std::size_t kReadPageRows = 5000;

static void insert_batch(sql::Database& db, const std::string& head, const std::string& row_marks,
                         std::size_t columns, const std::vector<sql::Param>& values) {
  const std::size_t rows = values.size() / columns;
  std::string text = head;
  for (std::size_t r = 0; r < rows; ++r) text += (r == 0 ? "" : ", ") + row_marks;
  sql::Statement write(db, text);
  for (std::size_t i = 0; i < values.size(); ++i) {
    const int at = static_cast<int>(i) + 1;
    const sql::Param& v = values[i];
    switch (v.type) {
      case sql::Param::Type::null: write.bind(at); break;
      case sql::Param::Type::integer: write.bind(at, v.integer); break;
      case sql::Param::Type::text: write.bind(at, v.text); break;
      case sql::Param::Type::blob: write.bind_blob(at, v.text); break;
    }
  }
  write.exec();
}

std::int64_t Copier::copy_table(const char* table, const std::vector<CopyColumn>& columns) {
  std::vector<std::string> names, marks;
  for (const auto& c : columns) {
    names.push_back(quoted(c.name));
    marks.push_back("?");
  }
  std::vector<bool> is_key(columns.size(), false);
  for (const auto& k : detail::kKeyColumns) {
    if (std::string_view(k.table) != table) continue;
    for (std::size_t i = 0; i < columns.size(); ++i) is_key[i] = is_key[i] || columns[i].name == k.column;
  }
  const int id_column = std::string_view(table) == "certificates" ? index_of(columns, "id") : -1;
  const int name_column = id_column >= 0 ? index_of(columns, "name") : -1;
  const std::string head = fmt::format("INSERT INTO {} ({}) VALUES ", quoted(table), fmt::join(names, ", "));
  const std::string row_marks = fmt::format("({})", fmt::join(marks, ", "));
  const std::size_t batch_rows = std::clamp<std::size_t>(kMaxBatchParameters / columns.size(), 1, kMaxBatchRows);
  std::vector<sql::Param> batch;
  batch.reserve(batch_rows * columns.size());
  std::int64_t rows = 0;
  auto take = [&](sql::Statement& read) {
    for (std::size_t i = 0; i < columns.size(); ++i) {
      const int at = static_cast<int>(i);
      sql::Param& v = batch.emplace_back();
      if (read.is_null(at)) continue;  // Type::null
      if (columns[i].kind == CopyKind::integer) {
        v.type = sql::Param::Type::integer;
        v.integer = read.int64(at);
        continue;
      }
      v.type = columns[i].kind == CopyKind::blob ? sql::Param::Type::blob : sql::Param::Type::text;
      v.text = is_key[i] && seal_key ? key_value(read.text(at), key_ad(table, columns[i].name, columns, read))
                                     : read.text(at);
    }
    if (id_column >= 0) certificate_names[read.int64(id_column)] = read.text(name_column);
    ++rows;
    if (batch.size() == batch_rows * columns.size()) {
      insert_batch(dst.db, head, row_marks, columns.size(), batch);
      batch.clear();
    }
  };
  // A table with an id is read a page at a time (a PostgreSQL source hands
  // over a whole result at once: the pages bound the memory it takes).
  int page_column = -1;
  for (std::size_t i = 0; i < columns.size(); ++i) {
    if (columns[i].name == "id" && columns[i].kind == CopyKind::integer) page_column = static_cast<int>(i);
  }
  if (page_column < 0) {
    sql::Statement read(src.db, fmt::format("SELECT {} FROM {} ORDER BY 1", fmt::join(names, ", "), quoted(table)));
    while (read.executeStep()) take(read);
  } else {
    sql::Statement read(src.db, fmt::format("SELECT {} FROM {} WHERE id > CAST(? AS BIGINT) ORDER BY id LIMIT {}",
                                            fmt::join(names, ", "), quoted(table), kReadPageRows));
    std::int64_t after = std::numeric_limits<std::int64_t>::min();
    for (;;) {
      read.bind(1, after);
      std::size_t got = 0;
      while (read.executeStep()) {
        take(read);
        after = read.int64(page_column);
        ++got;
      }
      read.reset();
      if (got < kReadPageRows) break;
    }
  }
  if (!batch.empty()) insert_batch(dst.db, head, row_marks, columns.size(), batch);
  return rows;
}

// PostgreSQL: each identity past the highest id copied, so the next row
// the inventory adds gets a new one.
void advance_identities(sql::Database& db) {
  std::vector<std::string> tables;
  {
    sql::Statement q(db, "SELECT c.relname FROM pg_catalog.pg_attribute a JOIN pg_catalog.pg_class c ON c.oid = "
                         "a.attrelid JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = "
                         "'certkeeper' AND a.attname = 'id' AND a.attidentity IN ('a', 'd') ORDER BY c.relname");
    while (q.executeStep()) tables.push_back(q.text(0));
  }
  for (const auto& t : tables) {
    sql::Statement q(db, fmt::format("SELECT setval(pg_get_serial_sequence(?, 'id'), "
                                     "(SELECT coalesce(max(id), 0) + 1 FROM certkeeper.{}), false)",
                                     quoted(t)));
    q.bind(1, "certkeeper." + quoted(t));
    q.executeStep();
  }
}

}  // namespace certkeeper::store::copying
