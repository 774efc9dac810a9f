// The one seam for reading user-supplied input files and writing files
// atomically. Nothing else in certkeeper opens a file for writing.
#pragma once

#include <cstddef>
#include <string>
#include <sys/types.h>
#include <vector>

#include "certkeeper/util/result.h"

namespace certkeeper {

constexpr std::size_t kMaxInputFileBytes = 1024 * 1024;

// Reads a user-supplied input file once. Refuses anything but a regular file
// (FIFO, device, directory, socket), an empty file and a file over
// `max_bytes`. Errors are Errc::invalid_input or Errc::io with `path` as the
// subject; the contents are never part of a message.
Result<std::string> read_input_file(const std::string& path,
                                    std::size_t max_bytes = kMaxInputFileBytes);

// Writes `data` to `path` so that a reader sees either the old file or the
// whole new one, even after a crash: a temp file in the same directory,
// created with `mode` before any data is written, fsynced, renamed over
// `path`, then the directory fsynced. On failure nothing is left behind and
// the old file is untouched.
Status write_file_atomic(const std::string& path, const std::string& data, mode_t mode);

// A set of files written together (export): each is staged as a temp file
// beside its target (mode set before data, written, fsynced); only when all
// are staged are they renamed into place, then their directories fsynced. A
// reader never sees a half-written file, and a failure while staging leaves
// nothing behind. With `replace` false no existing file is ever overwritten:
// the rename itself refuses (RENAME_NOREPLACE), so a file that another
// process created after the caller looked is not lost; then the files of the
// set already renamed are removed again and the error (Errc::conflict) names
// the file.
struct FileToWrite {
  std::string path;
  std::string data;
  mode_t mode = 0600;
};
Status write_files_atomic(const std::vector<FileToWrite>& files, bool replace);

// Creates `dir` and missing parents with `mode` (existing ones are left as
// they are).
Status make_directories(const std::string& dir, mode_t mode);

bool file_exists(const std::string& path);

// Building blocks of the install file set (deploy/target_dir.h), where one
// symlink rename, not a file rename, is the commit point:
//
// Creates `path`, which must not exist, with exactly `mode` (the umask does
// not apply) and owner `uid`/`gid` ((uid_t)-1 / (gid_t)-1 keep the
// creator's) before any data is written; then writes `data` and fsyncs. On
// failure the file is removed and the error names `shown_as` (the path the
// user knows), or `path` when that is empty.
Status write_new_file(const std::string& path, const std::string& data, mode_t mode, uid_t uid, gid_t gid,
                      const std::string& shown_as = {});
// fsync() of a directory, so that the entries created or renamed in it
// survive a power loss.
Status sync_directory(const std::string& dir);
// Makes `link` a symlink to `target` in one step: a symlink `temp` (in the
// same directory) renamed over whatever `link` was. The directory is not
// synced (callers batch that).
Status replace_symlink(const std::string& target, const std::string& link, const std::string& temp);

}  // namespace certkeeper
