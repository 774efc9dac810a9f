#include "certkeeper/util/safe_path.h"

#include <pwd.h>
#include <unistd.h>

#include <climits>
#include <cstdlib>
#include <filesystem>

#include <fmt/format.h>

namespace certkeeper {
namespace {

namespace fs = std::filesystem;

std::string user_name(uid_t uid) {
  if (const passwd* pw = ::getpwuid(uid); pw && pw->pw_name) return pw->pw_name;
  return "uid " + std::to_string(uid);
}

// What certkeeper runs as, for the messages: "root" or the user's name.
std::string running_as() { return user_name(::geteuid()); }

// The first executable regular file named `name` in $PATH, as execvp looks
// (glibc's default path when PATH is unset).
std::string find_in_path(const std::string& name) {
  const char* env = std::getenv("PATH");
  const std::string path = env ? env : "/bin:/usr/bin";
  std::size_t start = 0;
  for (;;) {
    const std::size_t end = path.find(':', start);
    std::string dir = path.substr(start, end == std::string::npos ? std::string::npos : end - start);
    if (dir.empty()) dir = ".";
    const std::string candidate = dir + "/" + name;
    struct stat st {};
    if (::stat(candidate.c_str(), &st) == 0 && S_ISREG(st.st_mode) && ::access(candidate.c_str(), X_OK) == 0) {
      return candidate;
    }
    if (end == std::string::npos) return {};
    start = end + 1;
  }
}

std::string absolute(const std::string& path) {
  std::error_code ec;
  fs::path p = fs::absolute(path, ec);
  return ec ? path : p.lexically_normal().string();
}

std::string real_path(const std::string& path) {
  char buf[PATH_MAX];
  return ::realpath(path.c_str(), buf) ? std::string(buf) : std::string();
}

// The fix for `risk` on `path`, as a command line.
std::string fix_for(const WriteRisk& risk, const std::string& path) {
  switch (risk.kind) {
    case WriteRisk::owner: return fmt::format("chown {} '{}'", running_as(), path);
    case WriteRisk::others: return fmt::format("chmod o-w '{}'", path);
    case WriteRisk::group: return fmt::format("chmod g-w '{}'", path);
    case WriteRisk::none: break;
  }
  return {};
}

std::string who_could(const WriteRisk& risk) {
  switch (risk.kind) {
    case WriteRisk::owner: return fmt::format("is owned by {}", user_name(risk.uid));
    case WriteRisk::others: return "is writable by every user";
    case WriteRisk::group: return fmt::format("is writable by group {}", risk.gid);
    case WriteRisk::none: break;
  }
  return {};
}

Error refuse(const std::string& path, const std::string& what, const WriteRisk& risk, std::string_view option) {
  return make_error(Errc::rejected,
                    fmt::format("{} {}, who could make certkeeper run their own code as {} through {}; run \"{}\" "
                                "(or move the program somewhere only {} can change)",
                                what, who_could(risk), running_as(), option, fix_for(risk, path), running_as()),
                    path);
}

// `dir` and every directory above it, up to "/".
Status check_directories(const std::string& dir, const std::string& program, std::string_view option) {
  constexpr WriteRule kDirectories{false, true};
  for (fs::path p(dir);; p = p.parent_path()) {
    struct stat st {};
    if (::stat(p.c_str(), &st) != 0) return {};  // vanished: the runner will say so
    if (auto risk = write_risk(st, kDirectories); risk.kind != WriteRisk::none) {
      return refuse(p.string(), "the directory " + p.string() + " above " + program, risk, option);
    }
    if (p == p.parent_path()) return {};
  }
}

}  // namespace

WriteRisk write_risk(const struct stat& st, const WriteRule& rule) {
  const bool trusted_owner = st.st_uid == 0 || st.st_uid == ::geteuid();
  if (!trusted_owner) return {WriteRisk::owner, st.st_uid, st.st_gid};
  if (rule.sticky_root_directory && S_ISDIR(st.st_mode) && (st.st_mode & S_ISVTX) && st.st_uid == 0) return {};
  if (st.st_mode & S_IWOTH) return {WriteRisk::others, st.st_uid, st.st_gid};
  if (st.st_mode & S_IWGRP) {
    const bool harmless_group = rule.group_of_root_or_ours && (st.st_gid == 0 || st.st_gid == ::getegid());
    if (!harmless_group) return {WriteRisk::group, st.st_uid, st.st_gid};
  }
  return {};
}

Result<std::string> trusted_program(const std::string& program, std::string_view option) {
  const std::string found =
      program.find('/') == std::string::npos ? find_in_path(program) : absolute(program);
  const std::string real = found.empty() ? std::string() : real_path(found);
  if (real.empty()) return make_error(Errc::not_found, "no such program", program);
  struct stat st {};
  if (::stat(real.c_str(), &st) != 0) return make_error(Errc::not_found, "no such program", program);
  constexpr WriteRule kProgram{false, false};
  if (auto risk = write_risk(st, kProgram); risk.kind != WriteRisk::none) {
    const std::string what = real == found ? "the program" : "the program " + program + " (" + found + ")";
    return refuse(real, what, risk, option);
  }
  const std::string real_dir = fs::path(real).parent_path().string();
  if (auto ok = check_directories(real_dir, real, option); !ok) return ok.error();
  // A symlink (e.g. /usr/local/bin/x -> /opt/x/bin/x): whoever may write
  // where the link is can point it elsewhere.
  const std::string link_dir = real_path(fs::path(found).parent_path().string());
  if (!link_dir.empty() && link_dir != real_dir) {
    if (auto ok = check_directories(link_dir, found, option); !ok) return ok.error();
  }
  return found;
}

}  // namespace certkeeper
