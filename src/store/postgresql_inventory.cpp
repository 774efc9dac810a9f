// Opening a PostgreSQL inventory (postgresql://...): connect through the
// certkeeper-pq.so module, recognise the schema certkeeper without writing
// to it, then migrate with db/postgresql as SQLite's file is with db/sqlite.
#include <unistd.h>

#include <algorithm>
#include <array>
#include <string_view>

#include <fmt/format.h>

#include "certkeeper/store/migrations.h"
#include "impl.h"
#include "sql/pq_loader.h"

namespace certkeeper::store::detail {
namespace {

// Every table db/postgresql makes; anything else in the schema certkeeper
// belongs to another application, and the inventory is not touched.
constexpr std::array<std::string_view, 15> kOurTables = {
    "acme_accounts", "cert_versions", "certificates", "challenge_acks", "challenges", "crl_cache", "crl_links",
    "crl_scan",      "events",        "leases",       "nodes",          "orders",     "schema_version", "settings",
    "targets"};

Error not_ours(const std::string& uri, const std::string& what) {
  return make_error(Errc::database_corrupt,
                    what + ", so it is not a certkeeper inventory; give certkeeper a schema of its own (another "
                           "database, or move those tables out of the schema certkeeper); nothing was changed",
                    uri);
}

Status recognise(sql::Database& db, const std::string& uri, OpenMode mode) {
  const std::vector<std::string> tables = inventory_tables(db);
  if (tables.empty()) {
    if (mode == OpenMode::create) return {};
    return make_error(Errc::not_found,
                      "holds no certkeeper inventory (no tables in the schema certkeeper); run 'certkeeper --db URI "
                      "--key-file F init --encrypt-keys' first",
                      uri);
  }
  if (std::find(tables.begin(), tables.end(), "schema_version") == tables.end()) {
    return not_ours(uri, "the schema certkeeper holds tables (" + fmt::format("{}", fmt::join(tables, ", ")) +
                             ") but no schema_version");
  }
  // A newer certkeeper may have added tables: its schema version says so,
  // and migrate() refuses it as newer, not as foreign.
  if (current_schema_version(db) > latest_schema_version()) return {};
  std::vector<std::string> foreign;
  for (const auto& t : tables) {
    if (std::find(kOurTables.begin(), kOurTables.end(), t) == kOurTables.end()) foreign.push_back(t);
  }
  if (!foreign.empty()) {
    return not_ours(uri, "the schema certkeeper also holds tables certkeeper never made (" +
                             fmt::format("{}", fmt::join(foreign, ", ")) + ")");
  }
  return {};
}

}  // namespace

Result<std::unique_ptr<Inventory::Impl>> open_postgresql(const std::string& uri, OpenMode mode) {
  sql::pq::ConnectOptions options;
  options.uri = uri.c_str();
  const std::string application = fmt::format("certkeeper pid {}", ::getpid());
  options.application_name = application.c_str();
  sql::Failure failure;
  auto driver = sql::connect_postgresql(options, failure);
  if (!driver) return database_error(uri, sql::DbError(failure));
  auto impl = std::make_unique<Inventory::Impl>(uri, std::move(driver));
  auto ready = guarded(uri, [&]() -> Status {
    if (auto ours = recognise(impl->db, uri, mode); !ours) return ours;
    return migrate(impl->db, uri, mode != OpenMode::read_only);
  });
  if (!ready) return std::move(ready).error();
  return impl;
}

}  // namespace certkeeper::store::detail
