#include "certkeeper/util/files.h"
#include "certkeeper/util/unique_fd.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <random>

#include <fmt/format.h>

namespace certkeeper {
namespace {

std::string errno_text(int err) { return std::strerror(err); }

const char* file_kind(mode_t m) {
  if (S_ISDIR(m)) return "a directory";
  if (S_ISFIFO(m)) return "a FIFO";
  if (S_ISCHR(m) || S_ISBLK(m)) return "a device";
  if (S_ISSOCK(m)) return "a socket";
  return "not a regular file";
}

// Writes all of `data`; false with errno set when a write fails.
bool write_all(int fd, const std::string& data) {
  std::size_t done = 0;
  while (done < data.size()) {
    ssize_t n = ::write(fd, data.data() + done, data.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return false;
    done += static_cast<std::size_t>(n);
  }
  return true;
}

Status fsync_directory(const std::string& dir) {
  UniqueFd fd(::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (fd.get() < 0 || ::fsync(fd.get()) != 0) {
    return make_error(Errc::io, fmt::format("cannot sync directory: {}", errno_text(errno)), dir);
  }
  return {};
}

}  // namespace

Result<std::string> read_input_file(const std::string& path, std::size_t max_bytes) {
  // O_NONBLOCK so that opening a FIFO without a writer does not hang before
  // fstat() can refuse it.
  UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK));
  if (fd.get() < 0) {
    int err = errno;
    if (err == ENOENT) return make_error(Errc::invalid_input, "file not found; check the path", path);
    return make_error(Errc::invalid_input, fmt::format("cannot open: {}", errno_text(err)), path);
  }
  struct stat st {};
  if (::fstat(fd.get(), &st) != 0) {
    return make_error(Errc::io, fmt::format("cannot stat: {}", errno_text(errno)), path);
  }
  if (!S_ISREG(st.st_mode)) {
    return make_error(Errc::invalid_input,
                      fmt::format("is {}; give a regular file", file_kind(st.st_mode)), path);
  }
  if (static_cast<std::size_t>(st.st_size) > max_bytes) {
    return make_error(Errc::invalid_input,
                      fmt::format("is {} bytes, over the {} byte limit for certificate and key files; "
                                  "give the certificate, key or chain file itself",
                                  st.st_size, max_bytes),
                      path);
  }
  std::string data;
  data.resize(static_cast<std::size_t>(st.st_size));
  std::size_t got = 0;
  while (got < data.size()) {
    ssize_t n = ::read(fd.get(), data.data() + got, data.size() - got);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return make_error(Errc::io, fmt::format("cannot read: {}", errno_text(errno)), path);
    if (n == 0) break;  // shrank while reading
    got += static_cast<std::size_t>(n);
  }
  data.resize(got);
  if (data.empty()) return make_error(Errc::invalid_input, "is empty; give the file with the PEM, DER or PKCS#12 data", path);
  return data;
}

Status write_file_atomic(const std::string& path, const std::string& data, mode_t mode) {
  std::filesystem::path target(path);
  std::string dir = target.has_parent_path() ? target.parent_path().string() : std::string(".");
  std::random_device rd;
  std::string tmp = fmt::format("{}/.{}.tmp-{:08x}", dir, target.filename().string(), rd());
  // The mode is set at creation, before a byte of data exists.
  UniqueFd fd(::open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, mode));
  if (fd.get() < 0) {
    return make_error(Errc::io, fmt::format("cannot create a file in {}: {}", dir, errno_text(errno)), path);
  }
  auto fail = [&](const char* what) {
    int err = errno;
    ::unlink(tmp.c_str());
    return make_error(Errc::io, fmt::format("{}: {}; the previous file is unchanged", what, errno_text(err)), path);
  };
  if (::fchmod(fd.get(), mode) != 0) return fail("cannot set file mode");
  if (!write_all(fd.get(), data)) return fail("cannot write");
  if (::fsync(fd.get()) != 0) return fail("cannot sync");
  if (fd.reset() != 0) return fail("cannot close");
  if (::rename(tmp.c_str(), path.c_str()) != 0) return fail("cannot rename into place");
  return fsync_directory(dir);
}

namespace {

std::string directory_of(const std::string& path) {
  std::filesystem::path target(path);
  return target.has_parent_path() ? target.parent_path().string() : std::string(".");
}

// A temp file beside `file.path` holding its data with its mode; "" and
// `error` set when it could not be made (nothing is left behind then).
std::string stage(const FileToWrite& file, Error& error) {
  std::random_device rd;
  const std::string dir = directory_of(file.path);
  const std::string tmp =
      fmt::format("{}/.{}.tmp-{:08x}", dir, std::filesystem::path(file.path).filename().string(), rd());
  UniqueFd fd(::open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, file.mode));
  if (fd.get() < 0) {
    error = make_error(Errc::io, fmt::format("cannot create a file in {}: {}", dir, errno_text(errno)), file.path);
    return "";
  }
  const char* failed = nullptr;
  if (::fchmod(fd.get(), file.mode) != 0) {
    failed = "cannot set file mode";
  } else if (!write_all(fd.get(), file.data)) {
    failed = "cannot write";
  } else if (::fsync(fd.get()) != 0) {
    failed = "cannot sync";
  } else if (fd.reset() != 0) {
    failed = "cannot close";
  }
  if (!failed) return tmp;
  const int err = errno;
  ::unlink(tmp.c_str());
  error = make_error(Errc::io, fmt::format("{}: {}; nothing was written", failed, errno_text(err)), file.path);
  return "";
}

}  // namespace

Status write_files_atomic(const std::vector<FileToWrite>& files, bool replace) {
  std::vector<std::string> staged;
  Error error;
  for (const auto& file : files) {
    std::string tmp = stage(file, error);
    if (tmp.empty()) {
      for (const auto& t : staged) ::unlink(t.c_str());
      return error;
    }
    staged.push_back(std::move(tmp));
  }
  for (std::size_t i = 0; i < files.size(); ++i) {
    const unsigned flags = replace ? 0 : RENAME_NOREPLACE;
    if (::renameat2(AT_FDCWD, staged[i].c_str(), AT_FDCWD, files[i].path.c_str(), flags) == 0) continue;
    const int err = errno;
    for (std::size_t j = i; j < staged.size(); ++j) ::unlink(staged[j].c_str());
    if (!replace) {
      for (std::size_t j = 0; j < i; ++j) ::unlink(files[j].path.c_str());  // ours: they did not exist
    }
    if (err == EEXIST) {
      return make_error(Errc::conflict, "exists (it appeared while writing); nothing was written", files[i].path);
    }
    return make_error(Errc::io, fmt::format("cannot rename into place: {}", errno_text(err)), files[i].path);
  }
  std::vector<std::string> dirs;
  for (const auto& file : files) {
    std::string dir = directory_of(file.path);
    if (std::find(dirs.begin(), dirs.end(), dir) == dirs.end()) dirs.push_back(std::move(dir));
  }
  for (const auto& dir : dirs) {
    if (auto synced = fsync_directory(dir); !synced) return synced;
  }
  return {};
}

Status make_directories(const std::string& dir, mode_t mode) {
  std::error_code ec;
  std::filesystem::path p(dir);
  std::filesystem::path built;
  for (const auto& part : p) {
    built /= part;
    if (std::filesystem::exists(built, ec)) continue;
    if (::mkdir(built.c_str(), mode) != 0) {
      if (errno == EEXIST) continue;
      return make_error(Errc::io, fmt::format("cannot create directory: {}", errno_text(errno)), built.string());
    }
    // The mode as asked, whatever the umask (certkeeper runs with 077).
    if (::chmod(built.c_str(), mode) != 0) {
      return make_error(Errc::io, fmt::format("cannot set the mode: {}", errno_text(errno)), built.string());
    }
  }
  return {};
}

Status write_new_file(const std::string& path, const std::string& data, mode_t mode, uid_t uid, gid_t gid,
                      const std::string& shown_as) {
  const std::string& name = shown_as.empty() ? path : shown_as;
  UniqueFd fd(::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600));
  if (fd.get() < 0) return make_error(Errc::io, fmt::format("cannot create: {}", errno_text(errno)), name);
  auto fail = [&](const char* what) {
    int err = errno;
    ::unlink(path.c_str());
    return make_error(Errc::io, fmt::format("{}: {}", what, errno_text(err)), name);
  };
  // Owner and mode before the first byte: a reader never sees key data
  // under looser permissions.
  if ((uid != static_cast<uid_t>(-1) || gid != static_cast<gid_t>(-1)) && ::fchown(fd.get(), uid, gid) != 0) {
    return fail("cannot set the owner");
  }
  if (::fchmod(fd.get(), mode) != 0) return fail("cannot set the file mode");
  if (!write_all(fd.get(), data)) return fail("cannot write");
  if (::fsync(fd.get()) != 0) return fail("cannot sync");
  if (fd.reset() != 0) return fail("cannot close");
  return {};
}

Status sync_directory(const std::string& dir) { return fsync_directory(dir); }

Status replace_symlink(const std::string& target, const std::string& link, const std::string& temp) {
  ::unlink(temp.c_str());  // a leftover of an interrupted run
  if (::symlink(target.c_str(), temp.c_str()) != 0) {
    return make_error(Errc::io, fmt::format("cannot create a symlink: {}", errno_text(errno)), link);
  }
  if (::rename(temp.c_str(), link.c_str()) != 0) {
    int err = errno;
    ::unlink(temp.c_str());
    return make_error(Errc::io, fmt::format("cannot switch the symlink: {}", errno_text(err)), link);
  }
  return {};
}

bool file_exists(const std::string& path) {
  struct stat st {};
  return ::stat(path.c_str(), &st) == 0;
}

}  // namespace certkeeper
