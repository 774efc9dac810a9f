#include "renew_locks.h"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <thread>

#include <fmt/format.h>

#include "certkeeper/util/files.h"
#include "certkeeper/util/log.h"

namespace certkeeper::lifecycle::detail {

Result<FileLock> FileLock::acquire(const std::string& path, int wait_ms) {
  UniqueFd fd(::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600));
  if (!fd.valid()) return make_error(Errc::io, std::string("cannot open the lock file: ") + std::strerror(errno), path);
  auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(wait_ms);
  while (::flock(fd.get(), LOCK_EX | LOCK_NB) != 0) {
    if (errno != EWOULDBLOCK && errno != EINTR) {
      return make_error(Errc::io, std::string("cannot lock: ") + std::strerror(errno), path);
    }
    if (std::chrono::steady_clock::now() >= deadline) {
      return make_error(Errc::conflict, "held by another certkeeper run", path);
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return FileLock(std::move(fd));
}

std::string pass_lock_path(const std::string& db_path) { return db_path + ".renew.lock"; }

Result<std::string> certificate_lock_path(const std::string& db_path, const std::string& name) {
  std::string dir = db_path + ".locks";
  if (auto ok = make_directories(dir, 0700); !ok) return ok.error();
  return dir + "/" + name;
}

Result<std::string> install_lock_path(const std::string& db_path, const std::string& name) {
  auto path = certificate_lock_path(db_path, name);
  if (!path) return path;
  return *path + "@install";
}

Result<std::string> account_lock_path(const std::string& db_path) {
  std::string dir = db_path + ".locks";
  if (auto ok = make_directories(dir, 0700); !ok) return ok.error();
  return dir + "/@accounts";
}

Result<FileLock> acquire_or_wait(const std::string& path, int wait_ms, const std::string& subject,
                                 const std::string& waiting_for, const std::string& busy_message) {
  auto now = FileLock::acquire(path, 0);
  if (now || now.error().code != Errc::conflict) return now;
  if (!waiting_for.empty()) {
    log::warn(fmt::format("certkeeper: {}: {}; waiting for it (at most {} s)", subject, waiting_for, wait_ms / 1000));
  }
  auto later = FileLock::acquire(path, wait_ms);
  if (later || later.error().code != Errc::conflict) return later;
  return make_error(Errc::conflict, busy_message, subject);
}

}  // namespace certkeeper::lifecycle::detail
