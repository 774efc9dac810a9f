// http-01 through an existing web server's document root (RFC 8555 §8.3):
// the key authorization becomes WEBROOT/.well-known/acme-challenge/TOKEN.
#include <sys/stat.h>
#include <unistd.h>

#include <cctype>
#include <cerrno>
#include <map>
#include <cstring>

#include <fmt/format.h>

#include "certkeeper/challenge/solver.h"
#include "certkeeper/util/files.h"
#include "unsafe_token.h"

namespace certkeeper::challenge {
namespace {

constexpr mode_t kDirMode = 0755;   // the web server must be able to enter them
constexpr mode_t kFileMode = 0644;  // and read the file

// Creates `dir` with exactly kDirMode (whatever the umask) unless it exists.
Status ensure_directory(const std::string& dir) {
  if (::mkdir(dir.c_str(), kDirMode) == 0) {
    if (::chmod(dir.c_str(), kDirMode) != 0) {
      return make_error(Errc::io, fmt::format("cannot set mode 0755: {}", std::strerror(errno)), dir);
    }
    return {};
  }
  int err = errno;
  struct stat st {};
  if (err == EEXIST && ::stat(dir.c_str(), &st) == 0 && S_ISDIR(st.st_mode)) return {};
  if (err == EEXIST) return make_error(Errc::io, "exists but is not a directory; remove or rename it", dir);
  return make_error(Errc::io, fmt::format("cannot create directory: {}", std::strerror(err)), dir);
}

class WebrootSolver final : public Solver {
 public:
  explicit WebrootSolver(std::string webroot) : webroot_(std::move(webroot)) {
    while (webroot_.size() > 1 && webroot_.back() == '/') webroot_.pop_back();
  }

  std::string type() const override { return "http-01"; }

  Status present(const Task& task) override {
    if (!valid_token(task.token)) return detail::unsafe_token_error(task);
    struct stat st {};
    if (webroot_.empty() || ::stat(webroot_.c_str(), &st) != 0 || !S_ISDIR(st.st_mode)) {
      return make_error(Errc::io,
                        "webroot is not an existing directory; give the document root your web server serves "
                        "for this name (--webroot)",
                        webroot_);
    }
    const std::string well_known = webroot_ + "/.well-known";
    const std::string challenge_dir = well_known + "/acme-challenge";
    if (Status s = ensure_directory(well_known); !s) return s;
    if (Status s = ensure_directory(challenge_dir); !s) return s;
    return write_file_atomic(path_of(task), task.key_authorization, kFileMode);
  }

  void cleanup(const Task& task) override {
    // Never a path from a token that did not pass valid_token().
    if (!valid_token(task.token)) return;
    ::unlink(path_of(task).c_str());
  }

 private:
  std::string path_of(const Task& task) const { return webroot_ + "/.well-known/acme-challenge/" + task.token; }

  std::string webroot_;
};

// One document root per name, as certbot's webroot_map has it: each task
// goes to the solver of its identifier.
class WebrootMapSolver final : public Solver {
 public:
  explicit WebrootMapSolver(const std::map<std::string, std::string>& webroots) {
    for (const auto& [name, dir] : webroots) solvers_.emplace(lower(name), std::make_unique<WebrootSolver>(dir));
  }

  std::string type() const override { return "http-01"; }

  Status present(const Task& task) override {
    Solver* solver = solver_for(task);
    if (!solver) {
      return make_error(Errc::usage,
                        "has no document root in the certificate's webroot map; define it again with 'certkeeper "
                        "add NAME --webroot DIR'",
                        task.identifier);
    }
    return solver->present(task);
  }

  void cleanup(const Task& task) override {
    if (Solver* solver = solver_for(task)) solver->cleanup(task);
  }

 private:
  static std::string lower(std::string s) {
    for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return s;
  }
  Solver* solver_for(const Task& task) const {
    auto it = solvers_.find(lower(task.identifier));
    return it == solvers_.end() ? nullptr : it->second.get();
  }

  std::map<std::string, std::unique_ptr<Solver>> solvers_;
};

}  // namespace

std::unique_ptr<Solver> make_webroot_solver(std::string webroot) {
  return std::make_unique<WebrootSolver>(std::move(webroot));
}

std::unique_ptr<Solver> make_webroot_map_solver(const std::map<std::string, std::string>& webroots) {
  return std::make_unique<WebrootMapSolver>(webroots);
}

}  // namespace certkeeper::challenge
