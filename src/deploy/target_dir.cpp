// The target directory on disk: inspection, staging, the switch, pruning.
// Every write goes through util/files.h; this file decides the order.
#include "certkeeper/deploy/target_dir.h"

#include <fcntl.h>
#include <grp.h>
#include <pwd.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

#include <fmt/format.h>

#include "certkeeper/util/crash_point.h"
#include "certkeeper/util/files.h"
#include "certkeeper/util/safe_path.h"

namespace certkeeper::deploy {

namespace fs = std::filesystem;

namespace {

constexpr const char* kMeta = ".certkeeper";
constexpr const char* kLive = "live";
constexpr const char* kMetaTemp = "tmp-";              // inside DIR/.certkeeper
constexpr const char* kDirTemp = ".certkeeper-tmp-";   // inside DIR

std::string link_text(const std::string& file) { return std::string(kMeta) + "/" + kLive + "/" + file; }

bool starts_with(const std::string& s, const char* prefix) { return s.rfind(prefix, 0) == 0; }

Error refuse(const std::string& path, const std::string& why) { return make_error(Errc::rejected, why, path); }

// A directory certkeeper may write into: a directory, owned by root or by us,
// and writable by nobody else (util/safe_path.h, the rule programs follow
// too; a service's group, root's or ours, may share it).
Status check_directory(const std::string& path, const struct stat& st) {
  if (!S_ISDIR(st.st_mode)) return refuse(path, "is not a directory; give a directory as --dir");
  constexpr WriteRule kTargetDirectory{true, false};
  const WriteRisk risk = write_risk(st, kTargetDirectory);
  switch (risk.kind) {
    case WriteRisk::owner:
      return refuse(path, fmt::format("is owned by uid {}, neither root nor this user, who could swap the files; "
                                      "chown it or choose another --dir",
                                      risk.uid));
    case WriteRisk::others:
      return refuse(path, "is world-writable, so anyone could replace the key; run 'chmod o-w' on it");
    case WriteRisk::group:
      return refuse(path, fmt::format("is writable by group {}, whose members could replace the key; run 'chmod g-w' "
                                      "on it",
                                      risk.gid));
    case WriteRisk::none: break;
  }
  return {};
}

std::optional<std::string> read_link(const std::string& path) {
  std::error_code ec;
  auto target = fs::read_symlink(path, ec);
  if (ec) return std::nullopt;
  return target.string();
}

// The bytes of a file ("" when unreadable): only to compare small PEM files.
std::string read_whole(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream data;
  data << in.rdbuf();
  return data.str();
}

Status remove_tree(const std::string& path) {
  std::error_code ec;
  fs::remove_all(path, ec);
  if (ec) return make_error(Errc::io, "cannot remove: " + ec.message(), path);
  return {};
}

}  // namespace

std::optional<SetName> parse_set_name(const std::string& name) {
  auto dash = name.find("-v");
  if (dash == std::string::npos || dash == 0 || dash + 2 >= name.size()) return std::nullopt;
  auto digits = [](const std::string& s) {
    return !s.empty() && s.size() <= 9 &&
           std::all_of(s.begin(), s.end(), [](unsigned char c) { return std::isdigit(c) != 0; });
  };
  std::string number = name.substr(0, dash);
  std::string version = name.substr(dash + 2);
  if (!digits(number) || !digits(version)) return std::nullopt;
  return SetName{name, std::stol(number), std::stoi(version)};
}

Result<DirState> inspect(const TargetSpec& target) {
  DirState state;
  const std::string& dir = target.dir;
  if (dir.empty() || dir.front() != '/') return refuse(dir, "a target directory must be an absolute path");
  struct stat st {};
  if (::stat(dir.c_str(), &st) != 0) {
    if (errno == ENOENT) return state;
    return make_error(Errc::io, fmt::format("cannot read: {}", std::strerror(errno)), dir);
  }
  state.exists = true;
  if (auto ok = check_directory(dir, st); !ok) return ok.error();

  const std::string meta = dir + "/" + kMeta;
  if (::lstat(meta.c_str(), &st) == 0) {
    if (S_ISLNK(st.st_mode)) return refuse(meta, "is a symlink; certkeeper keeps its sets in a real directory: remove it");
    if (auto ok = check_directory(meta, st); !ok) return ok.error();
    std::error_code ec;
    for (const auto& entry : fs::directory_iterator(meta, ec)) {
      std::string name = entry.path().filename().string();
      if (starts_with(name, kMetaTemp)) {
        state.temporaries.push_back(entry.path().string());
      } else if (auto set = parse_set_name(name); set && entry.is_directory() && !entry.is_symlink()) {
        state.sets.push_back(*set);
      }
    }
    if (ec) return make_error(Errc::io, "cannot list: " + ec.message(), meta);
    std::sort(state.sets.begin(), state.sets.end(), [](const SetName& a, const SetName& b) { return a.number < b.number; });
    const std::string live = meta + "/" + kLive;
    if (::lstat(live.c_str(), &st) == 0) {
      auto text = read_link(live);
      auto set = text ? parse_set_name(*text) : std::nullopt;
      // Only one of the real set directories found above, never a link.
      bool known = set && std::any_of(state.sets.begin(), state.sets.end(),
                                      [&](const SetName& s) { return s.name == set->name; });
      if (!known) {
        return refuse(live, "does not point at a set certkeeper made; run 'certkeeper install NAME' after removing it");
      }
      state.live = set;
    }
  }

  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(dir, ec)) {
    std::string name = entry.path().filename().string();
    if (starts_with(name, kDirTemp)) state.temporaries.push_back(entry.path().string());
  }
  for (const auto& file : layout_files(target.layout)) {
    const std::string path = dir + "/" + file;
    if (::lstat(path.c_str(), &st) != 0) continue;
    if (S_ISLNK(st.st_mode)) {
      auto text = read_link(path);
      if (!text || *text != link_text(file)) {
        return refuse(path, fmt::format("is a symlink to {}, outside this target; remove it or choose another --dir",
                                        text.value_or("?")));
      }
    } else if (S_ISREG(st.st_mode)) {
      if (state.live) {
        // A kill during adoption leaves the operator's file beside a live
        // copy of it: the link is still to be made. Anything else is not ours.
        if (state.live->version == 0 && read_whole(path) == read_whole(meta + "/" + state.live->name + "/" + file)) {
          continue;
        }
        return refuse(path, "is a regular file where certkeeper keeps a symlink to its live set; move it away");
      }
      state.adoptable.push_back(file);
    } else {
      return refuse(path, "is neither a file nor certkeeper's symlink; move it away or choose another --dir");
    }
  }
  return state;
}

struct TargetDir::Impl {
  TargetSpec target;
  DirState state;
  uid_t uid = static_cast<uid_t>(-1);
  gid_t gid = static_cast<gid_t>(-1);
  int lock_fd = -1;

  std::string meta() const { return target.dir + "/" + kMeta; }
  std::string in_meta(const std::string& name) const { return meta() + "/" + name; }
  std::string in_dir(const std::string& name) const { return target.dir + "/" + name; }

  ~Impl() {
    if (lock_fd >= 0) ::close(lock_fd);  // releases the flock
  }

  // Renamed to a temporary first: a kill mid-removal leaves a tmp- entry
  // the next run removes, never a partial set that looks complete.
  Status remove_set(const SetName& s) {
    const std::string doomed = in_meta(std::string(kMetaTemp) + "pruned-" + s.name);
    if (::rename(in_meta(s.name).c_str(), doomed.c_str()) != 0) {
      return make_error(Errc::io, fmt::format("cannot remove an old set: {}", std::strerror(errno)),
                        in_meta(s.name));
    }
    return remove_tree(doomed);
  }

  long next_number() const {
    long n = 0;
    for (const auto& s : state.sets) n = std::max(n, s.number);
    if (state.live) n = std::max(n, state.live->number);
    return n + 1;
  }

  Result<SetName> write_set(int version, const std::vector<FileSpec>& files) {
    SetName set{fmt::format("{}-v{}", next_number(), version), next_number(), version};
    const std::string tmp = in_meta(std::string(kMetaTemp) + set.name);
    (void)remove_tree(tmp);
    if (::mkdir(tmp.c_str(), 0700) != 0) {
      return make_error(Errc::io, fmt::format("cannot create a directory: {}", std::strerror(errno)), tmp);
    }
    auto fail = [&](Error e) -> Result<SetName> {
      (void)remove_tree(tmp);
      return e;
    };
    // The set directory stays the installer's (0755): the owner given for
    // the target owns the files, and cannot swap them in older sets.
    if (::chmod(tmp.c_str(), 0755) != 0) {
      return fail(make_error(Errc::io, fmt::format("cannot set the mode: {}", std::strerror(errno)), tmp));
    }
    bool first = true;
    for (const auto& f : files) {
      if (f.name.empty() || f.name == "." || f.name == ".." || f.name.find('/') != std::string::npos) {
        return fail(make_error(Errc::internal, "a set file must have a bare name", f.name));
      }
      uid_t file_uid = f.uid != static_cast<uid_t>(-1) ? f.uid : uid;
      gid_t file_gid = f.gid != static_cast<gid_t>(-1) ? f.gid : gid;
      if (auto ok = write_new_file(tmp + "/" + f.name, f.data, f.mode, file_uid, file_gid, in_dir(f.name)); !ok) {
        return fail(ok.error());
      }
      if (first) crash_point("stage-file");
      first = false;
    }
    if (auto ok = sync_directory(tmp); !ok) return fail(ok.error());
    if (::rename(tmp.c_str(), in_meta(set.name).c_str()) != 0) {
      return fail(make_error(Errc::io, fmt::format("cannot rename into place: {}", std::strerror(errno)), tmp));
    }
    if (auto ok = sync_directory(meta()); !ok) return ok.error();
    state.sets.push_back(set);
    return set;
  }

  Status point_live_at(const SetName& set) {
    if (auto ok = replace_symlink(set.name, in_meta(kLive), in_meta(std::string(kMetaTemp) + kLive)); !ok) return ok;
    if (auto ok = sync_directory(meta()); !ok) return ok;
    state.live = set;
    return {};
  }

  // DIR/<file> -> .certkeeper/live/<file> for every layout file not yet
  // linked. Replaces only a missing file or one whose bytes the live set
  // holds (adoption); never another file of the operator's.
  Status link_files() {
    bool changed = false;
    for (const auto& file : layout_files(target.layout)) {
      const std::string path = in_dir(file);
      auto text = read_link(path);
      if (text && *text == link_text(file)) continue;
      struct stat st {};
      if (::lstat(path.c_str(), &st) == 0) {
        bool adopted = state.live && S_ISREG(st.st_mode) &&
                       read_whole(path) == read_whole(in_meta(state.live->name + "/" + file));
        if (!adopted) return refuse(path, "is not certkeeper's link and would be replaced; move it away");
      }
      if (auto ok = replace_symlink(link_text(file), path, in_dir(kDirTemp + file)); !ok) return ok;
      changed = true;
    }
    state.adoptable.clear();
    return changed ? sync_directory(target.dir) : Status{};
  }
};

Result<TargetDir> TargetDir::open(const TargetSpec& target, int lock_wait_ms) {
  auto impl = std::make_unique<Impl>();
  impl->target = target;
  if (!target.owner.empty()) {
    struct passwd* pw = ::getpwnam(target.owner.c_str());
    if (pw == nullptr) return refuse(target.dir, "its owner '" + target.owner + "' is not a user on this host");
    impl->uid = pw->pw_uid;
  }
  if (!target.group.empty()) {
    struct group* gr = ::getgrnam(target.group.c_str());
    if (gr == nullptr) return refuse(target.dir, "its group '" + target.group + "' is not a group on this host");
    impl->gid = gr->gr_gid;
  }
  auto first = inspect(target);
  if (!first) return first.error();
  if (!first->exists) {
    if (auto ok = make_directories(target.dir, 0755); !ok) return ok.error();
    if (::chmod(target.dir.c_str(), 0755) != 0) {
      return make_error(Errc::io, fmt::format("cannot set the mode: {}", std::strerror(errno)), target.dir);
    }
  }
  const std::string meta = impl->meta();
  if (::mkdir(meta.c_str(), 0755) == 0) {
    if (::chmod(meta.c_str(), 0755) != 0) {
      return make_error(Errc::io, fmt::format("cannot set the mode: {}", std::strerror(errno)), meta);
    }
  } else if (errno != EEXIST) {
    return make_error(Errc::io, fmt::format("cannot create: {}", std::strerror(errno)), meta);
  }
  const std::string lock = meta + "/lock";
  impl->lock_fd = ::open(lock.c_str(), O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
  if (impl->lock_fd < 0) return make_error(Errc::io, fmt::format("cannot open: {}", std::strerror(errno)), lock);
  auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(lock_wait_ms);
  while (::flock(impl->lock_fd, LOCK_EX | LOCK_NB) != 0) {
    if (errno != EWOULDBLOCK && errno != EINTR) {
      return make_error(Errc::io, fmt::format("cannot lock: {}", std::strerror(errno)), lock);
    }
    if (std::chrono::steady_clock::now() >= deadline) {
      return make_error(Errc::conflict, "another certkeeper is installing into this directory; try again later",
                        target.dir);
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  // What we waited for may have changed the directory: read it again.
  auto state = inspect(target);
  if (!state) return state.error();
  impl->state = std::move(*state);
  return TargetDir(std::move(impl));
}

TargetDir::TargetDir(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
TargetDir::TargetDir(TargetDir&&) noexcept = default;
TargetDir& TargetDir::operator=(TargetDir&&) noexcept = default;
TargetDir::~TargetDir() = default;

const std::string& TargetDir::dir() const { return impl_->target.dir; }
const DirState& TargetDir::state() const { return impl_->state; }

Result<std::vector<std::string>> TargetDir::remove_temporaries() {
  std::vector<std::string> removed;
  for (const auto& path : impl_->state.temporaries) {
    if (auto ok = remove_tree(path); !ok) return ok.error();
    removed.push_back(path);
  }
  impl_->state.temporaries.clear();
  if (!removed.empty()) {
    if (auto ok = sync_directory(impl_->meta()); !ok) return ok.error();
    if (auto ok = sync_directory(impl_->target.dir); !ok) return ok.error();
  }
  return removed;
}

Result<std::optional<SetName>> TargetDir::adopt_existing() {
  auto& state = impl_->state;
  if (state.live || state.adoptable.empty()) return std::optional<SetName>{};
  std::vector<FileSpec> files;
  for (const auto& name : state.adoptable) {
    const std::string path = impl_->in_dir(name);
    struct stat st {};
    std::ifstream in(path, std::ios::binary);
    if (!in || ::stat(path.c_str(), &st) != 0) {
      return make_error(Errc::io, fmt::format("cannot read: {}", std::strerror(errno)), path);
    }
    std::ostringstream data;
    data << in.rdbuf();
    files.push_back({name, data.str(), static_cast<mode_t>(st.st_mode & 0777), false, st.st_uid, st.st_gid});
  }
  auto set = impl_->write_set(0, files);
  if (!set) return set.error();
  // live first, so each regular file is replaced by a link showing the same
  // content: the service sees no change until the real switch.
  if (auto ok = impl_->point_live_at(*set); !ok) return ok.error();
  if (auto ok = impl_->link_files(); !ok) return ok.error();
  return std::optional<SetName>{*set};
}

Result<SetName> TargetDir::stage(int version, const std::vector<FileSpec>& files) {
  return impl_->write_set(version, files);
}

Status TargetDir::switch_to(const std::optional<SetName>& set) {
  if (set) {
    // The links are made before live exists on a first install: they dangle
    // until the rename below makes the whole set appear at once.
    if (auto ok = impl_->link_files(); !ok) return ok;
    return impl_->point_live_at(*set);
  }
  // Back to nothing: live goes first, so every file disappears at once.
  const std::string live = impl_->in_meta(kLive);
  if (::unlink(live.c_str()) != 0 && errno != ENOENT) {
    return make_error(Errc::io, fmt::format("cannot remove: {}", std::strerror(errno)), live);
  }
  if (auto ok = sync_directory(impl_->meta()); !ok) return ok;
  for (const auto& file : layout_files(impl_->target.layout)) {
    auto text = read_link(impl_->in_dir(file));
    if (text && *text == link_text(file)) ::unlink(impl_->in_dir(file).c_str());  // only our own links
  }
  impl_->state.live.reset();
  return sync_directory(impl_->target.dir);
}

Status TargetDir::discard(const SetName& set) {
  if (impl_->state.live && impl_->state.live->name == set.name) {
    return make_error(Errc::internal, "the live set cannot be discarded", impl_->in_meta(set.name));
  }
  auto& sets = impl_->state.sets;
  auto it = std::find_if(sets.begin(), sets.end(), [&](const SetName& s) { return s.name == set.name; });
  if (it == sets.end()) return {};
  if (auto ok = impl_->remove_set(*it); !ok) return ok;
  sets.erase(it);
  return sync_directory(impl_->meta());
}

Result<std::vector<std::string>> TargetDir::prune(int retain, const std::vector<std::string>& protect) {
  auto& sets = impl_->state.sets;
  std::sort(sets.begin(), sets.end(), [](const SetName& a, const SetName& b) { return a.number > b.number; });
  std::vector<std::string> removed;
  std::vector<SetName> kept;
  for (const auto& s : sets) {
    bool live = impl_->state.live && impl_->state.live->name == s.name;
    bool kept_anyway = std::find(protect.begin(), protect.end(), s.name) != protect.end();
    if (live || kept_anyway || static_cast<int>(kept.size()) < retain) {
      kept.push_back(s);
      continue;
    }
    if (auto ok = impl_->remove_set(s); !ok) return ok.error();
    removed.push_back(s.name);
  }
  std::sort(kept.begin(), kept.end(), [](const SetName& a, const SetName& b) { return a.number < b.number; });
  sets = std::move(kept);
  if (!removed.empty()) {
    if (auto ok = sync_directory(impl_->meta()); !ok) return ok.error();
  }
  return removed;
}

}  // namespace certkeeper::deploy
