// The one process runner (STYLE.md §12). posix_spawnp rather than fork():
// nothing runs in the child between fork and exec but glibc's own
// async-signal-safe steps, and an exec failure ("not found", "permission
// denied") comes back as the return value instead of an exit status 127.
#include "certkeeper/util/process.h"
#include "certkeeper/util/unique_fd.h"

#include <dirent.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

#include <fmt/format.h>

extern char** environ;

namespace certkeeper {
namespace {

using SteadyClock = std::chrono::steady_clock;
constexpr auto kKillGrace = std::chrono::seconds(2);     // SIGTERM → SIGKILL
constexpr auto kReapGrace = std::chrono::seconds(1);     // SIGKILL → give up on pipes held elsewhere
constexpr auto kGroupPoll = std::chrono::milliseconds(20);
constexpr auto kLongestTimeout = std::chrono::milliseconds(std::chrono::hours(24 * 365));  // no overflow

struct Pipe {
  UniqueFd read;
  UniqueFd write;
};

Status make_pipe(Pipe& p) {
  int fds[2];
  if (::pipe2(fds, O_CLOEXEC) != 0) {
    return make_error(Errc::io, fmt::format("cannot create a pipe: {}", std::strerror(errno)));
  }
  p.read.reset(fds[0]);
  p.write.reset(fds[1]);
  return {};
}

// The inherited environment with spec.env laid over it, as "NAME=VALUE".
std::vector<std::string> merged_environment(const std::map<std::string, std::string>& extra) {
  std::vector<std::string> out;
  for (char** e = environ; e != nullptr && *e != nullptr; ++e) {
    std::string_view entry(*e);
    std::string_view name = entry.substr(0, entry.find('='));
    if (extra.count(std::string(name)) == 0) out.emplace_back(entry);
  }
  for (const auto& [name, value] : extra) out.push_back(name + "=" + value);
  return out;
}

std::vector<char*> c_strings(std::vector<std::string>& strings) {
  std::vector<char*> out;
  out.reserve(strings.size() + 1);
  for (auto& s : strings) out.push_back(s.data());
  out.push_back(nullptr);
  return out;
}

Status check_spec(const ProcessSpec& spec) {
  if (spec.argv.empty() || spec.argv[0].empty()) {
    return make_error(Errc::internal, "run_process: no program given");
  }
  if (spec.program.find('\0') != std::string::npos) {
    return make_error(Errc::invalid_input, "the program's path contains a NUL byte and cannot be run", spec.argv[0]);
  }
  for (const auto& arg : spec.argv) {
    if (arg.find('\0') != std::string::npos) {
      return make_error(Errc::invalid_input, "an argument contains a NUL byte and cannot be passed", spec.argv[0]);
    }
  }
  for (const auto& [name, value] : spec.env) {
    if (name.empty() || name.find_first_of("=\0", 0, 2) != std::string::npos ||
        value.find('\0') != std::string::npos) {
      return make_error(Errc::internal, fmt::format("run_process: bad environment variable name '{}'", name),
                        spec.argv[0]);
    }
  }
  return {};
}

// posix_spawn attributes and file actions, freed on scope exit.
class SpawnSetup {
 public:
  SpawnSetup() {
    ::posix_spawnattr_init(&attr_);
    ::posix_spawn_file_actions_init(&actions_);
  }
  ~SpawnSetup() {
    ::posix_spawn_file_actions_destroy(&actions_);
    ::posix_spawnattr_destroy(&attr_);
  }
  SpawnSetup(const SpawnSetup&) = delete;
  SpawnSetup& operator=(const SpawnSetup&) = delete;

  // The child: its own process group (so a timeout reaches grandchildren
  // too), default signal handling and an empty mask whatever ours are, the
  // three pipes as fds 0-2 and every other descriptor closed.
  int prepare(int in, int out, int err) {
    sigset_t none;
    sigset_t all;
    sigemptyset(&none);
    sigfillset(&all);
    sigdelset(&all, SIGKILL);
    sigdelset(&all, SIGSTOP);
    int rc = 0;
    if ((rc = ::posix_spawnattr_setflags(&attr_, POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGMASK |
                                                     POSIX_SPAWN_SETSIGDEF)) != 0 ||
        (rc = ::posix_spawnattr_setpgroup(&attr_, 0)) != 0 ||
        (rc = ::posix_spawnattr_setsigmask(&attr_, &none)) != 0 ||
        (rc = ::posix_spawnattr_setsigdefault(&attr_, &all)) != 0 ||
        (rc = ::posix_spawn_file_actions_adddup2(&actions_, in, STDIN_FILENO)) != 0 ||
        (rc = ::posix_spawn_file_actions_adddup2(&actions_, out, STDOUT_FILENO)) != 0 ||
        (rc = ::posix_spawn_file_actions_adddup2(&actions_, err, STDERR_FILENO)) != 0 ||
        (rc = ::posix_spawn_file_actions_addclosefrom_np(&actions_, STDERR_FILENO + 1)) != 0) {
      return rc;
    }
    return 0;
  }
  const posix_spawnattr_t* attr() const { return &attr_; }
  const posix_spawn_file_actions_t* actions() const { return &actions_; }

 private:
  posix_spawnattr_t attr_;
  posix_spawn_file_actions_t actions_;
};

// Blocks SIGPIPE in this thread while we write to the child's stdin, so a
// child that exits without reading gives EPIPE instead of killing us; a
// SIGPIPE raised by our own writes is consumed before the mask is restored.
class SigpipeBlock {
 public:
  SigpipeBlock() {
    sigemptyset(&set_);
    sigaddset(&set_, SIGPIPE);
    sigset_t pending;
    sigpending(&pending);
    was_pending_ = sigismember(&pending, SIGPIPE) == 1;
    ::pthread_sigmask(SIG_BLOCK, &set_, &old_);
  }
  ~SigpipeBlock() {
    if (!was_pending_) {
      sigset_t pending;
      sigpending(&pending);
      if (sigismember(&pending, SIGPIPE) == 1) {
        timespec zero{};
        ::sigtimedwait(&set_, nullptr, &zero);
      }
    }
    ::pthread_sigmask(SIG_SETMASK, &old_, nullptr);
  }
  SigpipeBlock(const SigpipeBlock&) = delete;
  SigpipeBlock& operator=(const SigpipeBlock&) = delete;

 private:
  sigset_t set_;
  sigset_t old_;
  bool was_pending_ = false;
};

// Appends what can be read from `fd` to `sink` up to `cap` bytes, dropping
// (but still draining) the rest. False at EOF or on a read error.
bool drain(int fd, std::string& sink, std::size_t cap, bool& truncated) {
  std::array<char, 16 * 1024> buf;
  ssize_t n = ::read(fd, buf.data(), buf.size());
  if (n < 0) return errno == EINTR || errno == EAGAIN;
  if (n == 0) return false;
  std::size_t room = cap > sink.size() ? cap - sink.size() : 0;
  std::size_t keep = std::min(room, static_cast<std::size_t>(n));
  sink.append(buf.data(), keep);
  if (keep < static_cast<std::size_t>(n)) truncated = true;
  return true;
}

int exit_code_of(int status) {
  if (WIFEXITED(status)) return WEXITSTATUS(status);
  if (WIFSIGNALED(status)) return 128 + WTERMSIG(status);
  return -1;
}

// Whether a process other than a zombie is still in the group. kill(-g, 0)
// alone counts zombies that init has not reaped yet, which can take seconds.
bool group_alive(pid_t pgid) {
  if (::kill(-pgid, 0) != 0 && errno == ESRCH) return false;
  DIR* proc = ::opendir("/proc");
  if (proc == nullptr) return true;
  bool alive = false;
  while (dirent* entry = ::readdir(proc)) {
    if (entry->d_name[0] < '0' || entry->d_name[0] > '9') continue;
    std::ifstream stat(fmt::format("/proc/{}/stat", entry->d_name));
    std::string line;
    if (!std::getline(stat, line)) continue;
    // "pid (comm) state ppid pgrp ...": comm may hold anything, so parse
    // from the last ')'.
    auto paren = line.rfind(')');
    if (paren == std::string::npos) continue;
    std::istringstream rest(line.substr(paren + 1));
    char state = 0;
    long ppid = 0, pgrp = 0;
    if (rest >> state >> ppid >> pgrp && pgrp == pgid && state != 'Z' && state != 'X') {
      alive = true;
      break;
    }
  }
  ::closedir(proc);
  return alive;
}

// Drives a started child to its end: feeds stdin, drains stdout/stderr,
// enforces the timeout on the whole process group, and reaps the child.
class Supervisor {
 public:
  Supervisor(const ProcessSpec& spec, pid_t pid, UniqueFd& in, UniqueFd& out, UniqueFd& err)
      : spec_(spec), pid_(pid), in_(in), out_(out), err_(err),
        deadline_(SteadyClock::now() + std::clamp(spec.timeout, std::chrono::milliseconds(0), kLongestTimeout)) {}

  ProcessResult run() {
    if (spec_.stdin_data.empty()) in_.reset();
    while (true) {
      reap();
      if (reaped_ && !out_.valid() && !err_.valid() && (!group_alive(pid_) || killed_)) break;
      auto now = SteadyClock::now();
      escalate(now);
      if (killed_ && now >= give_up_at_) break;
      poll_once(now);
    }
    if (!reaped_) {
      // Only after SIGKILL: the child dies, so this wait is short.
      int status = 0;
      pid_t r = -1;
      while ((r = ::waitpid(pid_, &status, 0)) < 0 && errno == EINTR) {
      }
      if (r == pid_) record(status);
    }
    return std::move(result_);
  }

 private:
  void record(int status) {
    result_.exit_code = exit_code_of(status);
    if (WIFSIGNALED(status)) result_.signal = WTERMSIG(status);
  }

  void reap() {
    if (reaped_) return;
    int status = 0;
    pid_t r = ::waitpid(pid_, &status, WNOHANG);
    if (r == pid_) {
      reaped_ = true;
      record(status);
    } else if (r < 0 && errno == ECHILD) {
      reaped_ = true;  // SIGCHLD ignored by the host process: the kernel reaped it, status unknown
    }
  }

  void escalate(SteadyClock::time_point now) {
    if (!term_sent_ && now >= deadline_) {
      signal_group(SIGTERM);
      term_sent_ = true;
      result_.timed_out = true;
      kill_at_ = now + kKillGrace;
    }
    if (term_sent_ && !killed_ && now >= kill_at_) {
      signal_group(SIGKILL);
      // In case it left its group, so that the final waitpid() cannot hang
      // (only while unreaped: a reaped pid may already belong to another).
      if (!reaped_) ::kill(pid_, SIGKILL);
      killed_ = true;
      give_up_at_ = now + kReapGrace;
    }
  }

  // Once the child is reaped its pid names the group only while a member
  // lives; never signal a number the system may have handed out again.
  void signal_group(int sig) {
    if (!reaped_ || group_alive(pid_)) ::kill(-pid_, sig);
  }

  void poll_once(SteadyClock::time_point now) {
    std::array<pollfd, 3> fds{};
    nfds_t n = 0;
    int out_i = -1, err_i = -1, in_i = -1;
    if (out_.valid()) fds[out_i = static_cast<int>(n++)] = {out_.get(), POLLIN, 0};
    if (err_.valid()) fds[err_i = static_cast<int>(n++)] = {err_.get(), POLLIN, 0};
    if (in_.valid()) fds[in_i = static_cast<int>(n++)] = {in_.get(), POLLOUT, 0};

    auto next = killed_ ? give_up_at_ : term_sent_ ? kill_at_ : deadline_;
    auto wait = std::chrono::duration_cast<std::chrono::milliseconds>(next - now) + std::chrono::milliseconds(1);
    // With every pipe closed only waitpid() and kill(-pgid, 0) can tell that
    // the child or its group ended: look again soon.
    if (n == 0) wait = std::min<std::chrono::milliseconds>(wait, kGroupPoll);
    wait = std::min<std::chrono::milliseconds>(wait, std::chrono::hours(1));  // fits poll()'s int
    int rc = ::poll(fds.data(), n, static_cast<int>(std::max<std::int64_t>(wait.count(), 0)));
    if (rc <= 0) return;  // timeout or EINTR: the loop re-checks

    if (out_i >= 0 && fds[out_i].revents != 0 && !drain(out_.get(), result_.out, spec_.max_output, result_.truncated)) {
      out_.reset();
    }
    if (err_i >= 0 && fds[err_i].revents != 0 && !drain(err_.get(), result_.err, spec_.max_output, result_.truncated)) {
      err_.reset();
    }
    if (in_i >= 0 && fds[in_i].revents != 0) feed();
  }

  void feed() {
    const std::string& data = spec_.stdin_data;
    ssize_t n = ::write(in_.get(), data.data() + written_, data.size() - written_);
    if (n < 0) {
      if (errno == EINTR || errno == EAGAIN) return;
      in_.reset();  // EPIPE: the child does not want the rest
      return;
    }
    written_ += static_cast<std::size_t>(n);
    if (written_ == data.size()) in_.reset();
  }

  const ProcessSpec& spec_;
  pid_t pid_;
  UniqueFd& in_;
  UniqueFd& out_;
  UniqueFd& err_;
  SteadyClock::time_point deadline_;
  SteadyClock::time_point kill_at_{};
  SteadyClock::time_point give_up_at_{};
  bool reaped_ = false;
  bool term_sent_ = false;
  bool killed_ = false;
  std::size_t written_ = 0;
  ProcessResult result_;
};

}  // namespace

Result<ProcessResult> run_process(const ProcessSpec& spec) {
  if (Status ok = check_spec(spec); !ok) return std::move(ok).error();
  const std::string& program = spec.program.empty() ? spec.argv[0] : spec.program;

  Pipe in, out, err;
  for (Pipe* p : {&in, &out, &err}) {
    if (Status ok = make_pipe(*p); !ok) return make_error(Errc::io, ok.error().message, program);
  }
  // Our end of stdin never blocks: a child that reads nothing must not stall
  // the loop that drains its output.
  ::fcntl(in.write.get(), F_SETFL, ::fcntl(in.write.get(), F_GETFL) | O_NONBLOCK);

  std::vector<std::string> args(spec.argv.begin(), spec.argv.end());
  std::vector<std::string> env = merged_environment(spec.env);
  std::vector<char*> c_args = c_strings(args);
  std::vector<char*> c_env = c_strings(env);

  SpawnSetup setup;
  if (int rc = setup.prepare(in.read.get(), out.write.get(), err.write.get()); rc != 0) {
    return make_error(Errc::io, fmt::format("cannot prepare to run: {}", std::strerror(rc)), program);
  }
  SigpipeBlock no_sigpipe;
  pid_t pid = -1;
  int rc = ::posix_spawnp(&pid, program.c_str(), setup.actions(), setup.attr(), c_args.data(), c_env.data());
  if (rc != 0) {
    const char* hint = rc == ENOENT ? "; check the path (or PATH)" : rc == EACCES ? "; check that it is executable" : "";
    return make_error(Errc::io, fmt::format("cannot run: {}{}", std::strerror(rc), hint), program);
  }
  in.read.reset();
  out.write.reset();
  err.write.reset();
  return Supervisor(spec, pid, in.write, out.read, err.read).run();
}

}  // namespace certkeeper
