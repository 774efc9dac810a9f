#include "certkeeper/store/inventory.h"

#include <sys/stat.h>
#include <unistd.h>

#include <cctype>
#include <cstring>
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

// SQLite reports a file that is not a database as NOTADB, sometimes only as
// a generic error on first read: either way it is damage or another kind of
// file, and the message says so.
Error not_a_database(const std::string& path, Error e) {
  const bool unreadable = e.code == Errc::database || e.code == Errc::database_corrupt;
  if (unreadable && e.message.find("not a database") != std::string::npos) {
    return make_error(Errc::database_corrupt,
                      "is not a SQLite database (damaged or another kind of file); restore it "
                      "from a backup or point --db at another file; nothing was changed",
                      path);
  }
  return e;
}

void remove_database_files(const std::string& path) {
  for (const char* suffix : {"", "-wal", "-shm", "-journal"}) ::unlink((path + suffix).c_str());
}

Error not_ours(const std::string& path, const std::string& what) {
  return make_error(Errc::database_corrupt,
                    what + ", not a certkeeper inventory; point --db at the inventory (or run 'certkeeper init "
                           "--db NEW-FILE' to create one); nothing was changed",
                    path);
}

bool exists(const std::string& path) {
  struct stat st {};
  return ::stat(path.c_str(), &st) == 0;
}

// The URI that opens `path` read-only and leaves no trace. SQLite creates a
// WAL database's -wal and -shm files even for a read-only connection; unless
// both exist already (the file is in use, and its WAL may hold what the main
// file lacks), the file is opened immutable: without a WAL file the main file
// holds everything (https://www.sqlite.org/uri.html).
std::string look_uri(const std::string& path) {
  std::string uri = path.front() == '/' ? "file://" : "file:";
  for (const unsigned char c : path) {
    if (std::isalnum(c) || std::strchr("/-._~", c)) {
      uri += static_cast<char>(c);
    } else {
      uri += fmt::format("%{:02X}", c);
    }
  }
  uri += "?mode=ro";
  if (!(exists(path + "-wal") && exists(path + "-shm"))) uri += "&immutable=1";
  return uri;
}

// Whether the existing file at `path` is a certkeeper inventory, found out
// read-only so that another program's file is never touched (no WAL switch,
// no chmod, no migration): one whose header carries our application_id, or
// one made before that mark (a schema_version table, migrations below 8).
// `init` may also make an inventory of a zero-byte file, or of a SQLite
// file without tables, application_id or user_version.
Status recognise(const std::string& path, OpenMode mode) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) return {};  // gone meanwhile: open() reports it
  // SQLite would block on a FIFO and read a device: neither is an inventory.
  if (!S_ISREG(st.st_mode)) return not_ours(path, "is not a regular file");
  if (st.st_size == 0) {
    if (mode == OpenMode::create) return {};
    return not_ours(path, "is an empty file");
  }
  return detail::guarded(path, [&]() -> Status {
    sql::Database db(sql::open_sqlite(look_uri(path), SQLite::OPEN_READONLY | SQLite::OPEN_URI));
    const auto id = static_cast<std::uint32_t>(db.query_int("PRAGMA application_id"));
    if (id == kApplicationId) return {};
    if (id != 0) return not_ours(path, fmt::format("is another program's SQLite database (application_id {:#010x})", id));
    if (detail::has_table(db, "schema_version") && detail::current_schema_version(db) < kFirstMarkedSchema) return {};
    if (db.query_int("SELECT count(*) FROM sqlite_master") == 0) {
      // No tables, no marks: what `init` leaves for a moment before its
      // first migration commits (another init may meet it).
      if (mode == OpenMode::create && db.query_int("PRAGMA user_version") == 0) return {};
      return not_ours(path, "is an empty SQLite database");
    }
    return not_ours(path, "is another program's SQLite database");
  });
}

void configure(sql::Database& db, OpenMode mode) {
  // Reading the header fails here, not later, for a file that is not SQLite.
  db.exec("PRAGMA foreign_keys = ON");
  (void)db.query_int("SELECT count(*) FROM sqlite_master");
  if (mode != OpenMode::read_only) {
    db.exec("PRAGMA journal_mode = WAL");
    // FULL: a committed version survives power loss, not just a crash.
    db.exec("PRAGMA synchronous = FULL");
  }
}

}  // namespace

namespace detail {

std::string read_only_uri(const std::string& path) { return look_uri(path); }

Status recognise_existing(const std::string& path) {
  if (!file_exists(path)) {
    return make_error(Errc::not_found,
                      "no certkeeper database here; run 'certkeeper init' first, or pass --db PATH "
                      "(or set CERTKEEPER_DB)",
                      path);
  }
  if (auto ours = recognise(path, OpenMode::read_only); !ours) return not_a_database(path, std::move(ours).error());
  return {};
}

}  // namespace detail

Inventory::Impl::Impl(std::string p, std::unique_ptr<sql::Driver> driver)
    : path(std::move(p)), db(std::move(driver)) {}

Inventory::Inventory(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Inventory::Inventory(Inventory&&) noexcept = default;
Inventory& Inventory::operator=(Inventory&&) noexcept = default;
Inventory::~Inventory() = default;

const std::string& Inventory::path() const { return impl_->path; }

Result<Inventory> Inventory::open(const std::string& path, OpenMode mode, const std::string& key_file) {
  if (is_postgresql_location(path)) {
    auto impl = detail::open_postgresql(path, mode);
    if (!impl) return std::move(impl).error();
    (*impl)->key_file = key_file;
    return Inventory(std::move(*impl));
  }
  const bool existed = file_exists(path);
  if (!existed && mode != OpenMode::create) {
    return make_error(Errc::not_found,
                      "no certkeeper database here; run 'certkeeper init' first, or pass --db PATH "
                      "(or set CERTKEEPER_DB)",
                      path);
  }
  if (existed) {
    if (auto ours = recognise(path, mode); !ours) return not_a_database(path, std::move(ours).error());
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
    auto impl = std::make_unique<Impl>(path, sql::open_sqlite(path, open_flags(mode)));
    configure(impl->db, mode);
    if (mode != OpenMode::read_only) ::chmod(path.c_str(), 0600);
    if (auto migrated = detail::migrate(impl->db, path, mode != OpenMode::read_only); !migrated) {
      return std::move(migrated).error();
    }
    impl->key_file = key_file;
    return Inventory(std::move(impl));
  });
  if (!opened && !existed) remove_database_files(path);
  if (!opened && existed) return not_a_database(path, std::move(opened).error());
  return opened;
}

Result<int> Inventory::schema_version() {
  return detail::guarded(impl_->path, [&]() -> Result<int> {
    return detail::current_schema_version(impl_->db);
  });
}

Result<std::optional<std::string>> Inventory::setting(const std::string& key) {
  return detail::guarded(impl_->path, [&]() -> Result<std::optional<std::string>> {
    sql::Statement q(impl_->db, "SELECT value FROM settings WHERE key = ?");
    q.bind(1, key);
    if (!q.executeStep()) return std::optional<std::string>{};
    return std::optional<std::string>{q.getColumn(0).getString()};
  });
}

Result<std::map<std::string, std::string>> Inventory::settings() {
  return detail::guarded(impl_->path, [&]() -> Result<std::map<std::string, std::string>> {
    std::map<std::string, std::string> out;
    sql::Statement q(impl_->db, "SELECT key, value FROM settings ORDER BY key");
    while (q.executeStep()) out[q.getColumn(0).getString()] = q.getColumn(1).getString();
    return out;
  });
}

Status Inventory::set_settings(const std::map<std::string, std::string>& values,
                               const std::string& actor, UnixTime now) {
  return detail::guarded(impl_->path, [&]() -> Status {
    sql::Transaction tx(impl_->db);
    nlohmann::json changed = nlohmann::json::object();
    for (const auto& [key, value] : values) {
      detail::put_setting(impl_->db, key, value);
      changed[key] = value;
    }
    detail::insert_event(impl_->db, now, std::nullopt, "", event::settings_changed, actor,
                         changed.dump());
    tx.commit();
    return {};
  });
}

}  // namespace certkeeper::store
