// certkeeper db copy (store/inventory_copy.h): every table of one inventory
// into a new one with its ids (copy_tables.cpp), in one transaction of the
// destination, verified before the commit.
#include "certkeeper/store/inventory_copy.h"

#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <iterator>
#include <optional>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "certkeeper/util/files.h"
#include "copy_tables.h"

namespace certkeeper::store {

using copying::CopyColumn;
using copying::kCopiedTables;

namespace {

// The source: recognised and at this certkeeper's schema, opened without
// writing (a SQLite file as db check opens it).
Result<std::unique_ptr<Inventory::Impl>> open_copy_source(const Location& from) {
  if (from.backend == Backend::postgresql) return detail::open_postgresql(from.path, OpenMode::read_only);
  if (auto ours = detail::recognise_existing(from.path); !ours) return std::move(ours).error();
  return detail::guarded(from.path, [&]() -> Result<std::unique_ptr<Inventory::Impl>> {
    auto impl = std::make_unique<Inventory::Impl>(
        from.path, sql::open_sqlite(detail::read_only_uri(from.path), SQLite::OPEN_READONLY | SQLite::OPEN_URI));
    if (auto current = detail::migrate(impl->db, from.path, false); !current) return std::move(current).error();
    return impl;
  });
}

// The destination, created and migrated as any writing command does it
// (Inventory::open), then opened for the copy.
Result<std::unique_ptr<Inventory::Impl>> open_copy_destination(const Location& to) {
  if (to.backend == Backend::postgresql) return detail::open_postgresql(to.path, OpenMode::create);
  {
    auto made = Inventory::open(to.path, OpenMode::create);
    if (!made) return std::move(made).error();
  }
  return detail::guarded(to.path, [&]() -> Result<std::unique_ptr<Inventory::Impl>> {
    auto impl = std::make_unique<Inventory::Impl>(to.path, sql::open_sqlite(to.path, SQLite::OPEN_READWRITE));
    impl->db.exec("PRAGMA foreign_keys = ON");
    impl->db.exec("PRAGMA synchronous = FULL");
    return impl;
  });
}

std::string copy_absolute(const std::string& path) {
  std::error_code ec;
  auto p = std::filesystem::absolute(path, ec);
  return ec ? path : p.lexically_normal().string();
}

// What the source holds that decides the copy, read in its snapshot before
// the destination is touched.
struct CopyPlan {
  std::vector<std::vector<CopyColumn>> columns;  // by kCopiedTables
  std::vector<std::int64_t> rows;                // by kCopiedTables
  std::int64_t plaintext_keys = 0;
  bool keys_encrypted = false;
};

Result<CopyPlan> read_copy_plan(sql::Database& db, const std::string& path) {
  CopyPlan plan;
  for (const auto& t : detail::inventory_tables(db)) {
    if (t == "schema_version") continue;
    if (std::find(std::begin(kCopiedTables), std::end(kCopiedTables), t) == std::end(kCopiedTables)) {
      return make_error(Errc::internal,
                        "holds the table " + t + ", which this certkeeper's db copy does not know; nothing was written",
                        path);
    }
  }
  for (const char* t : kCopiedTables) {
    plan.columns.push_back(copying::catalogue_columns(db, t));
    if (plan.columns.back().empty()) {
      return make_error(Errc::internal, fmt::format("has no table {}; nothing was written", t), path);
    }
    plan.rows.push_back(copying::count_rows(db, t));
  }
  plan.plaintext_keys = copying::plaintext_keys(db);
  plan.keys_encrypted = detail::keys_encrypted(db);
  return plan;
}

std::vector<std::string> sorted_column_names(std::vector<CopyColumn> columns) {
  std::vector<std::string> names;
  for (auto& c : columns) names.push_back(std::move(c.name));
  std::sort(names.begin(), names.end());
  return names;
}

// The copy proper, in the destination's one writing transaction: refused
// when it is not empty, verified before the commit.
Result<CopyReport> copy_all_rows(Inventory::Impl& source, Inventory::Impl& dest, const CopyPlan& plan,
                             std::optional<crypto::WrapKey> seal_key, const CopyOptions& options, CopyReport report) {
  sql::Transaction tx(dest.db);
  if (auto held = copying::contents(dest.db); !held.empty()) {
    return make_error(Errc::conflict,
                      "is not empty: it holds " + held +
                          "; copy into a new database (a new file, or an empty PostgreSQL database); nothing was "
                          "written",
                      dest.path);
  }
  for (std::size_t i = 0; i < std::size(kCopiedTables); ++i) {
    if (sorted_column_names(copying::catalogue_columns(dest.db, kCopiedTables[i])) != sorted_column_names(plan.columns[i])) {
      return make_error(Errc::internal,
                        fmt::format("has other columns in {} than {}; nothing was written", kCopiedTables[i],
                                    source.path),
                        dest.path);
    }
  }
  dest.db.exec("DELETE FROM crl_scan");  // the new inventory's mark; the source's comes
  const bool sealing = seal_key.has_value();
  copying::Copier copier{source, dest, std::move(seal_key), 0, {}};
  for (std::size_t i = 0; i < std::size(kCopiedTables); ++i) {
    report.tables.push_back({kCopiedTables[i], copier.copy_table(kCopiedTables[i], plan.columns[i])});
  }
  report.keys_sealed = copier.sealed;
  // Verified inside the transaction: the rows of every table, and every
  // version's identity, as the source has them.
  for (std::size_t i = 0; i < std::size(kCopiedTables); ++i) {
    const std::int64_t have = copying::count_rows(dest.db, kCopiedTables[i]);
    if (have != plan.rows[i] || report.tables[i].rows != plan.rows[i]) {
      return make_error(Errc::internal,
                        fmt::format("the copy of {} has {} rows where the source has {}; rolled back, nothing was "
                                    "written",
                                    kCopiedTables[i], have, plan.rows[i]),
                        dest.path);
    }
  }
  if (copying::version_identities(dest.db) != copying::version_identities(source.db)) {
    return make_error(Errc::internal,
                      "the copied versions differ from the source's (certificate, version or fingerprint); rolled "
                      "back, nothing was written",
                      dest.path);
  }
  if (sealing) {
    detail::put_setting(dest.db, "key_encryption", "aes-256-gcm");
    detail::put_setting(dest.db, "key_file", copy_absolute(options.key_file));
  }
  if (!dest.is_sqlite()) copying::advance_identities(dest.db);
  nlohmann::json rows = nlohmann::json::object();
  for (const auto& t : report.tables) rows[t.name] = t.rows;
  detail::insert_event(dest.db, options.now, std::nullopt, "", event::inventory_copied, options.actor,
                       nlohmann::json{{"from", report.from},
                                      {"from_backend", backend_name(report.from_backend)},
                                      {"rows", rows},
                                      {"keys_sealed", report.keys_sealed}}
                           .dump());
  tx.commit();
  return report;
}

void remove_copy_files(const std::string& path) {
  for (const char* suffix : {"", "-wal", "-shm", "-journal"}) ::unlink((path + suffix).c_str());
}

}  // namespace

std::int64_t CopyReport::rows() const {
  std::int64_t n = 0;
  for (const auto& t : tables) n += t.rows;
  return n;
}

std::span<const char* const> copied_tables() { return kCopiedTables; }

Result<CopyReport> copy_inventory(const std::string& from_value, const std::string& to_value,
                                  const CopyOptions& options) {
  const auto started = std::chrono::steady_clock::now();
  auto from = parse_location(from_value);
  if (!from) return std::move(from).error();
  auto to = parse_location(to_value);
  if (!to) return std::move(to).error();
  if (from->backend == to->backend && from->path == to->path) {
    return make_error(Errc::usage, "is both the source and the destination; copy into a new database", to->path);
  }
  CopyReport report;
  report.from_backend = from->backend;
  report.to_backend = to->backend;
  report.from = from->path;
  report.to = to->path;

  auto source = open_copy_source(*from);
  if (!source) return std::move(source).error();
  Inventory::Impl& src = **source;
  // One snapshot of the source for the whole copy (a reading transaction).
  std::optional<sql::Transaction> snapshot;
  auto plan = detail::guarded(from->path, [&]() -> Result<CopyPlan> {
    snapshot.emplace(src.db, false);
    return read_copy_plan(src.db, from->path);
  });
  if (!plan) return std::move(plan).error();

  // A PostgreSQL inventory never receives a plaintext key: decided, and
  // the key file read, before the destination is touched.
  const bool to_postgresql = to->backend == Backend::postgresql;
  const bool seal = to_postgresql && (plan->plaintext_keys > 0 || (!options.key_file.empty() && !plan->keys_encrypted));
  std::optional<crypto::WrapKey> seal_key;
  if (seal) {
    if (options.key_file.empty()) {
      return make_error(Errc::usage,
                        fmt::format("would receive {} private keys that {} stores in plaintext, and a PostgreSQL "
                                    "inventory stores keys only encrypted; give a key file with --key-file F (make "
                                    "one with 'certkeeper keys new --out F') and db copy encrypts them; nothing was "
                                    "written",
                                    plan->plaintext_keys, from->path),
                        to->path);
    }
    auto key = crypto::read_key_file(options.key_file);
    if (!key) return std::move(key).error();
    seal_key = std::move(*key);
  }

  const bool new_file = !to_postgresql && !file_exists(to->path);
  Result<CopyReport> copied = [&]() -> Result<CopyReport> {
    auto dest = open_copy_destination(*to);
    if (!dest) return std::move(dest).error();
    return detail::guarded(to->path, [&]() -> Result<CopyReport> {
      return copy_all_rows(src, **dest, *plan, std::move(seal_key), options, std::move(report));
    });
  }();
  // A file made for the copy goes when the copy did not happen.
  if (!copied) {
    if (new_file) remove_copy_files(to->path);
    return copied;
  }
  copied->elapsed_ms =
      std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - started).count();
  return copied;
}

}  // namespace certkeeper::store
