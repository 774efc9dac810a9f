// Private to lifecycle: the locks (flock) that keep whole operations apart:
// two scheduler passes never overlap, two workers (or a worker and `issue`)
// never order one certificate at once, two install transactions of one
// certificate never overlap, two registrations of one account never overlap.
#pragma once

#include <memory>
#include <string>
#include <utility>

#include "certkeeper/util/result.h"
#include "certkeeper/util/unique_fd.h"

namespace certkeeper::lifecycle::detail {

class FileLock {
 public:
  // Takes an exclusive flock on `path` (created 0600), waiting at most
  // `wait_ms`. Errc::conflict when another process holds it.
  static Result<FileLock> acquire(const std::string& path, int wait_ms);

 private:
  explicit FileLock(UniqueFd fd) : fd_(std::move(fd)) {}
  UniqueFd fd_;  // closing it releases the lock
};

// DB.renew.lock: one pass at a time.
std::string pass_lock_path(const std::string& db_path);
// DB.locks/NAME: one worker per certificate (the directory is made 0700).
Result<std::string> certificate_lock_path(const std::string& db_path, const std::string& name);
// DB.locks/NAME@install: one install transaction per certificate ('@' is
// not allowed in a name, so this never meets a certificate's own lock).
Result<std::string> install_lock_path(const std::string& db_path, const std::string& name);

// DB.locks/@accounts: one change of an ACME account row at a time
// (registration, a retired account's replacement, a rollover's settling).
Result<std::string> account_lock_path(const std::string& db_path);

// Takes the lock at `path` at once, or says on stderr that `waiting_for`
// holds it (nothing when "") and waits (at most `wait_ms`). Errc::conflict
// after the wait, with `busy_message` about `subject`.
Result<FileLock> acquire_or_wait(const std::string& path, int wait_ms, const std::string& subject,
                                 const std::string& waiting_for, const std::string& busy_message);

}  // namespace certkeeper::lifecycle::detail
