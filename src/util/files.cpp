#include "certkeeper/util/files.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <random>

#include <fmt/format.h>

namespace certkeeper {
namespace {

std::string errno_text(int err) { return std::strerror(err); }

// Closes a file descriptor on scope exit.
class Fd {
 public:
  explicit Fd(int fd) : fd_(fd) {}
  ~Fd() { reset(); }
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  int get() const { return fd_; }
  int reset() {
    int rc = 0;
    if (fd_ >= 0) rc = ::close(fd_);
    fd_ = -1;
    return rc;
  }

 private:
  int fd_;
};

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
  Fd fd(::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (fd.get() < 0 || ::fsync(fd.get()) != 0) {
    return make_error(Errc::io, fmt::format("cannot sync directory: {}", errno_text(errno)), dir);
  }
  return {};
}

}  // namespace

Result<std::string> read_input_file(const std::string& path, std::size_t max_bytes) {
  // O_NONBLOCK so that opening a FIFO without a writer does not hang before
  // fstat() can refuse it.
  Fd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK));
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
  Fd fd(::open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, mode));
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
  Fd fd(::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600));
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
