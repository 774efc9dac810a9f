#include "certkeeper/store/inventory.h"

#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "certkeeper/util/files.h"
#include "impl.h"

namespace certkeeper::store {
namespace {

// Restores the process umask when it goes out of scope.
class UmaskGuard {
 public:
  explicit UmaskGuard(mode_t mask) : old_(::umask(mask)) {}
  ~UmaskGuard() { ::umask(old_); }
  UmaskGuard(const UmaskGuard&) = delete;
  UmaskGuard& operator=(const UmaskGuard&) = delete;

 private:
  mode_t old_;
};

int open_flags(OpenMode mode) {
  switch (mode) {
    case OpenMode::create: return SQLite::OPEN_READWRITE | SQLite::OPEN_CREATE;
    case OpenMode::existing: return SQLite::OPEN_READWRITE;
    case OpenMode::read_only: return SQLite::OPEN_READONLY;
  }
  return SQLite::OPEN_READONLY;
}

void remove_database_files(const std::string& path) {
  for (const char* suffix : {"", "-wal", "-shm", "-journal"}) ::unlink((path + suffix).c_str());
}

void configure(SQLite::Database& db, OpenMode mode) {
  db.setBusyTimeout(5000);
  // Reading the header fails here, not later, for a file that is not SQLite.
  db.exec("PRAGMA foreign_keys = ON");
  (void)db.execAndGet("SELECT count(*) FROM sqlite_master").getInt();
  if (mode != OpenMode::read_only) {
    db.exec("PRAGMA journal_mode = WAL");
    // FULL: a committed version survives power loss, not just a crash.
    db.exec("PRAGMA synchronous = FULL");
  }
}

}  // namespace

Inventory::Impl::Impl(std::string p, int flags) : path(std::move(p)), db(path, flags) {}

Inventory::Inventory(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Inventory::Inventory(Inventory&&) noexcept = default;
Inventory& Inventory::operator=(Inventory&&) noexcept = default;
Inventory::~Inventory() = default;

const std::string& Inventory::path() const { return impl_->path; }

Result<Inventory> Inventory::open(const std::string& path, OpenMode mode) {
  const bool existed = file_exists(path);
  if (!existed && mode != OpenMode::create) {
    return make_error(Errc::not_found,
                      "no certkeeper database here; run 'certkeeper init' first, or pass --db PATH "
                      "(or set CERTKEEPER_DB)",
                      path);
  }
  if (!existed) {
    auto parent = std::filesystem::path(path).parent_path();
    if (!parent.empty()) {
      if (auto made = make_directories(parent.string(), 0700); !made) return std::move(made).error();
    }
  }
  // Database, -wal and -shm files are created 0600: SQLite gives the side
  // files the main file's mode, and the main file gets 0666 & ~umask.
  UmaskGuard umask_guard(077);
  auto opened = detail::guarded(path, [&]() -> Result<Inventory> {
    auto impl = std::make_unique<Impl>(path, open_flags(mode));
    configure(impl->db, mode);
    if (mode != OpenMode::read_only) ::chmod(path.c_str(), 0600);
    if (auto migrated = detail::migrate(impl->db, path, mode != OpenMode::read_only); !migrated) {
      return std::move(migrated).error();
    }
    return Inventory(std::move(impl));
  });
  if (!opened && !existed) remove_database_files(path);
  if (!opened && opened.error().code == Errc::database && existed) {
    // SQLite reports a non-database file as NOTADB, sometimes only as a
    // generic error on first read; treat any failure to read an existing
    // file's header as damage.
    auto e = opened.error();
    if (e.message.find("not a database") != std::string::npos) {
      return make_error(Errc::database_corrupt,
                        "is not a SQLite database (damaged or another kind of file); restore it "
                        "from a backup or point --db at another file; nothing was changed",
                        path);
    }
  }
  return opened;
}

Result<int> Inventory::schema_version() {
  return detail::guarded(impl_->path, [&]() -> Result<int> {
    return detail::current_schema_version(impl_->db);
  });
}

Result<std::optional<std::string>> Inventory::setting(const std::string& key) {
  return detail::guarded(impl_->path, [&]() -> Result<std::optional<std::string>> {
    SQLite::Statement q(impl_->db, "SELECT value FROM settings WHERE key = ?");
    q.bind(1, key);
    if (!q.executeStep()) return std::optional<std::string>{};
    return std::optional<std::string>{q.getColumn(0).getString()};
  });
}

Result<std::map<std::string, std::string>> Inventory::settings() {
  return detail::guarded(impl_->path, [&]() -> Result<std::map<std::string, std::string>> {
    std::map<std::string, std::string> out;
    SQLite::Statement q(impl_->db, "SELECT key, value FROM settings ORDER BY key");
    while (q.executeStep()) out[q.getColumn(0).getString()] = q.getColumn(1).getString();
    return out;
  });
}

Status Inventory::set_settings(const std::map<std::string, std::string>& values,
                               const std::string& actor, UnixTime now) {
  return detail::guarded(impl_->path, [&]() -> Status {
    SQLite::Transaction tx(impl_->db, SQLite::TransactionBehavior::IMMEDIATE);
    nlohmann::json changed = nlohmann::json::object();
    for (const auto& [key, value] : values) {
      SQLite::Statement q(impl_->db,
                          "INSERT INTO settings (key, value) VALUES (?, ?) "
                          "ON CONFLICT (key) DO UPDATE SET value = excluded.value");
      q.bind(1, key);
      q.bind(2, value);
      q.exec();
      changed[key] = value;
    }
    detail::insert_event(impl_->db, now, std::nullopt, "", event::settings_changed, actor,
                         changed.dump());
    tx.commit();
    return {};
  });
}

}  // namespace certkeeper::store
