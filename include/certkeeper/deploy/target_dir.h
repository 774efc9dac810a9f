// One target directory on disk, and the only code that changes it.
//
//   DIR/cert.pem -> .certkeeper/live/cert.pem   one symlink per file, made once
//   DIR/.certkeeper/live -> 12-v7               the one rename that switches a set
//   DIR/.certkeeper/12-v7/{cert,chain,fullchain,privkey}.pem
//   DIR/.certkeeper/3-v0/                        files found in DIR before the
//                                                first install (adopted)
//   DIR/.certkeeper/lock                         flock: one transaction at a time
//
// A set is named "<install number>-v<version>": every install writes a fresh
// set (so owner and modes are applied anew), and the install number orders
// them for retention. Services read DIR/<file>, which resolves through `live`:
// every file of the set changes with one rename(2), so no path ever shows a
// key of one version beside a certificate of another, even after kill -9.
#pragma once

#include <sys/types.h>

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "certkeeper/deploy/file_set.h"
#include "certkeeper/deploy/target.h"
#include "certkeeper/util/result.h"

namespace certkeeper::deploy {

struct SetName {
  std::string name;  // "12-v7"
  long number = 0;   // 12
  int version = 0;   // 7 (0 = adopted files)
};

std::optional<SetName> parse_set_name(const std::string& name);

// What is in a target directory now, read without changing anything.
struct DirState {
  bool exists = false;
  std::optional<SetName> live;
  std::vector<SetName> sets;                // every complete set, oldest first
  std::vector<std::string> adoptable;       // layout files present as regular files (first install)
  std::vector<std::string> temporaries;     // leftovers of an interrupted run
};

// Checks that DIR is safe to install into and reads its state, writing
// nothing. Refused (Errc::rejected, the message says what to fix): DIR or
// DIR/.certkeeper writable by others (world-writable, or group-writable by a
// group other than root's or ours), owned by another user, not a directory;
// a layout file that is a symlink anywhere but into DIR/.certkeeper/live, or
// that is neither a regular file nor such a symlink.
Result<DirState> inspect(const TargetSpec& target);

class TargetDir {
 public:
  // inspect() + creates DIR (0755) and DIR/.certkeeper (0755) when missing,
  // resolves owner and group, and takes the directory's lock (waits up to
  // `lock_wait_ms`, then Errc::conflict).
  static Result<TargetDir> open(const TargetSpec& target, int lock_wait_ms = 30'000);

  TargetDir(TargetDir&&) noexcept;
  TargetDir& operator=(TargetDir&&) noexcept;
  ~TargetDir();  // releases the lock

  const std::string& dir() const;
  const DirState& state() const;  // as found by open(), updated by the calls below

  // Removes what an interrupted run left (partly staged sets, temporary
  // links). Returns their names.
  Result<std::vector<std::string>> remove_temporaries();
  // First install into a directory that already holds the layout's files as
  // regular files: copies them into a set of version 0, points live at it,
  // and replaces each file by its symlink (the content seen stays the same),
  // so a failed first install can switch back to what the service had.
  // Returns the adopted set, or nullopt when there was nothing to adopt.
  Result<std::optional<SetName>> adopt_existing();
  // Writes a new complete set for `version`: a temporary directory, each file
  // created with its final owner and mode before any data, written and
  // fsynced, the directory fsynced, then renamed into place.
  Result<SetName> stage(int version, const std::vector<FileSpec>& files);
  // Points live at `set` (one rename), creating the per-file symlinks first
  // where missing. With nullopt, removes live and the symlinks (back to an
  // empty directory). Fsyncs.
  Status switch_to(const std::optional<SetName>& set);
  // Removes a set that was staged but is not live (an install that was
  // switched back): it never served, so it must not count toward retention.
  // A set that is not there is no error; the live one is refused.
  Status discard(const SetName& set);
  // Removes sets beyond the newest `retain` ones (by install number); never
  // the live one nor those named in `protect` (e.g. the set a rollback would
  // restore), which count toward `retain` all the same. Returns the removed
  // names.
  Result<std::vector<std::string>> prune(int retain, const std::vector<std::string>& protect = {});

 private:
  struct Impl;
  explicit TargetDir(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace certkeeper::deploy
