// The one seam for reading user-supplied input files and writing files
// atomically. Nothing else in certkeeper opens a file for writing.
#pragma once

#include <cstddef>
#include <string>
#include <sys/types.h>

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

// Creates `dir` and missing parents with `mode` (existing ones are left as
// they are).
Status make_directories(const std::string& dir, mode_t mode);

bool file_exists(const std::string& path);

}  // namespace certkeeper
