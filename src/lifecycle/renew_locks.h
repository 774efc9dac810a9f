// Private to lifecycle: the scheduler's locks (flock), so two passes never
// overlap and two workers never renew one certificate at once.
#pragma once

#include <memory>
#include <string>

#include "certkeeper/util/result.h"

namespace certkeeper::lifecycle::detail {

class FileLock {
 public:
  // Takes an exclusive flock on `path` (created 0600), waiting at most
  // `wait_ms`. Errc::conflict when another process holds it.
  static Result<FileLock> acquire(const std::string& path, int wait_ms);
  FileLock(FileLock&&) noexcept;
  FileLock& operator=(FileLock&&) noexcept;
  ~FileLock();

 private:
  explicit FileLock(int fd) : fd_(fd) {}
  int fd_ = -1;
};

// DB.renew.lock: one pass at a time.
std::string pass_lock_path(const std::string& db_path);
// DB.locks/NAME: one worker per certificate (the directory is made 0700).
Result<std::string> certificate_lock_path(const std::string& db_path, const std::string& name);

}  // namespace certkeeper::lifecycle::detail
