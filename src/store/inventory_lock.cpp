#include "certkeeper/store/inventory_lock.h"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <optional>
#include <thread>

#include <fmt/format.h>

#include "certkeeper/store/location.h"
#include "certkeeper/util/files.h"
#include "certkeeper/util/unique_fd.h"
#include "impl.h"
#include "sql/pq_loader.h"

namespace certkeeper::store {

struct InventoryLock::Held {
  UniqueFd fd;                          // SQLite: closing it releases the flock
  std::optional<sql::Database> server;  // PostgreSQL: ending the session releases it
};

namespace {

using Clock = std::chrono::steady_clock;
constexpr auto kRetryEvery = std::chrono::milliseconds(20);

// "renew" keeps the file name it always had.
Result<std::string> lock_file(const std::string& db, const std::string& name) {
  if (name == "renew") return db + ".renew.lock";
  std::string dir = db + ".locks";
  if (auto ok = make_directories(dir, 0700); !ok) return ok.error();
  return dir + "/" + name;
}

Result<std::unique_ptr<InventoryLock::Held>> flock_file(const std::string& path, int wait_ms) {
  UniqueFd fd(::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600));
  if (!fd.valid()) return make_error(Errc::io, std::string("cannot open the lock file: ") + std::strerror(errno), path);
  const auto deadline = Clock::now() + std::chrono::milliseconds(wait_ms);
  while (::flock(fd.get(), LOCK_EX | LOCK_NB) != 0) {
    if (errno != EWOULDBLOCK && errno != EINTR) {
      return make_error(Errc::io, std::string("cannot lock: ") + std::strerror(errno), path);
    }
    if (Clock::now() >= deadline) return make_error(Errc::conflict, "held by another certkeeper run", path);
    std::this_thread::sleep_for(kRetryEvery);
  }
  auto held = std::make_unique<InventoryLock::Held>();
  held->fd = std::move(fd);
  return held;
}

// Session advisory locks in the two-key space: (kApplicationId, hash of the
// name); the write transactions' lock is the one-key kApplicationId, so
// the two never meet.
Result<std::unique_ptr<InventoryLock::Held>> advisory_lock(const std::string& uri, const std::string& name,
                                                          int wait_ms) {
  sql::pq::ConnectOptions options;
  options.uri = uri.c_str();
  const std::string application = fmt::format("certkeeper pid {} lock {}", ::getpid(), name);
  options.application_name = application.c_str();
  sql::Failure failure;
  auto driver = sql::connect_postgresql(options, failure);
  if (!driver) return detail::database_error(uri, sql::DbError(failure));
  auto held = std::make_unique<InventoryLock::Held>();
  held->server.emplace(std::move(driver));
  auto taken = detail::guarded(uri, [&]() -> Result<bool> {
    const auto deadline = Clock::now() + std::chrono::milliseconds(wait_ms);
    sql::Statement q(*held->server, fmt::format("SELECT pg_try_advisory_lock({}, hashtext(?))",
                                                static_cast<std::int32_t>(kApplicationId)));
    q.bind(1, "certkeeper lock " + name);
    for (;;) {
      if (q.executeStep() && q.int64(0) != 0) return true;
      q.reset();
      if (Clock::now() >= deadline) return false;
      std::this_thread::sleep_for(kRetryEvery);
    }
  });
  if (!taken) return std::move(taken).error();
  if (!*taken) return make_error(Errc::conflict, "the lock " + name + " is held by another certkeeper run", uri);
  return held;
}

}  // namespace

InventoryLock::InventoryLock(std::unique_ptr<Held> held) : held_(std::move(held)) {}
InventoryLock::InventoryLock(InventoryLock&&) noexcept = default;
InventoryLock& InventoryLock::operator=(InventoryLock&&) noexcept = default;
InventoryLock::~InventoryLock() = default;

Result<InventoryLock> InventoryLock::acquire(const std::string& location, const std::string& name, int wait_ms) {
  Result<std::unique_ptr<Held>> held =
      is_postgresql_location(location) ? advisory_lock(location, name, wait_ms) : [&]() -> Result<std::unique_ptr<Held>> {
        auto path = lock_file(location, name);
        if (!path) return std::move(path).error();
        return flock_file(*path, wait_ms);
      }();
  if (!held) return std::move(held).error();
  return InventoryLock(std::move(*held));
}

}  // namespace certkeeper::store
