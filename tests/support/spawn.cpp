#include "support/spawn.h"

#include <fcntl.h>
#include <sys/prctl.h>
#include <poll.h>
#include <signal.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <stdexcept>

#include "support/run_binary.h"

extern char** environ;

namespace certkeeper::testing {
namespace {

using Clock = std::chrono::steady_clock;

// Reads what is there now; closes (-1) the descriptor at end of file.
void read_available(int& fd, std::string& sink, const std::function<void(const std::string&)>& tap = {}) {
  char buf[65536];
  while (fd >= 0) {
    ssize_t n = ::read(fd, buf, sizeof buf);
    if (n > 0) {
      sink.append(buf, static_cast<std::size_t>(n));
      if (tap) tap(std::string(buf, static_cast<std::size_t>(n)));
    } else if (n == 0) {
      ::close(fd);
      fd = -1;
    } else if (errno == EINTR) {
      continue;
    } else {
      return;  // EAGAIN: nothing more for now
    }
  }
}

int open_pidfd(pid_t pid) {
#ifdef SYS_pidfd_open
  return static_cast<int>(::syscall(SYS_pidfd_open, pid, 0));
#else
  (void)pid;
  return -1;
#endif
}

}  // namespace

std::string SpawnResult::describe() const {
  std::string how = signal != 0 ? "killed by signal " + std::to_string(signal) + " (" + strsignal(signal) + ")"
                                : "exit code " + std::to_string(exit_code);
  if (timed_out) how += ", timed out";
  return how + "; stderr: " + err;
}

SpawnResult spawn(const std::vector<std::string>& args, const SpawnOptions& options) {
  if (args.empty()) throw std::invalid_argument("spawn: empty argv");
  // Everything the child needs is built before fork().
  std::vector<std::string> env_strings;
  for (char** e = environ; *e != nullptr; ++e) {
    std::string entry = *e;
    if (options.env.count(entry.substr(0, entry.find('='))) != 0) continue;
    env_strings.push_back(std::move(entry));
  }
  for (const auto& [k, v] : options.env) env_strings.push_back(k + "=" + v);
  std::vector<char*> envp;
  for (auto& s : env_strings) envp.push_back(s.data());
  envp.push_back(nullptr);
  std::vector<std::string> argv_strings = args;
  std::vector<char*> argv;
  for (auto& s : argv_strings) argv.push_back(s.data());
  argv.push_back(nullptr);

  int out_pipe[2];
  int err_pipe[2];
  if (::pipe2(out_pipe, O_CLOEXEC) != 0) throw std::runtime_error("spawn: pipe");
  if (::pipe2(err_pipe, O_CLOEXEC) != 0) {
    ::close(out_pipe[0]);
    ::close(out_pipe[1]);
    throw std::runtime_error("spawn: pipe");
  }
  const auto started = Clock::now();
  const pid_t parent = ::getpid();
  pid_t pid = ::fork();
  if (pid < 0) throw std::runtime_error("spawn: fork");
  if (pid == 0) {
    // Only async-signal-safe calls from here to execve.
    // A test process that dies (an ASan abort, a crash) takes its
    // processes with it: a daemon it started never outlives it. The
    // spawning thread waits for the child, so it outlives it.
    ::prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (::getppid() != parent) ::_exit(127);
    ::dup2(out_pipe[1], STDOUT_FILENO);
    ::dup2(err_pipe[1], STDERR_FILENO);
    int devnull = ::open("/dev/null", O_RDONLY);
    if (devnull >= 0) ::dup2(devnull, STDIN_FILENO);
    if (options.file_size_limit) {
      ::signal(SIGXFSZ, SIG_IGN);  // inherited across execve
      struct rlimit limit {
        *options.file_size_limit, *options.file_size_limit
      };
      if (::setrlimit(RLIMIT_FSIZE, &limit) != 0) ::_exit(126);
    }
    ::execve(argv[0], argv.data(), envp.data());
    ::_exit(127);
  }
  ::close(out_pipe[1]);
  ::close(err_pipe[1]);
  if (options.on_start) options.on_start(pid);
  int fds[2] = {out_pipe[0], err_pipe[0]};
  for (int fd : fds) ::fcntl(fd, F_SETFL, ::fcntl(fd, F_GETFL) | O_NONBLOCK);
  int pidfd = open_pidfd(pid);

  SpawnResult result;
  // A plain flag and time point (an optional<time_point> trips GCC's
  // -Wmaybe-uninitialized).
  bool kill_pending = options.kill_after.has_value();
  const Clock::time_point kill_at = started + options.kill_after.value_or(std::chrono::microseconds(0));
  const auto give_up_at = started + options.timeout;
  bool sent_kill = false;
  bool reaped = false;
  int status = 0;
  while (!reaped) {
    auto now = Clock::now();
    if (kill_pending && now >= kill_at) {
      // Not reaped yet, so the pid is still ours (at worst a zombie).
      ::kill(pid, SIGKILL);
      sent_kill = true;
      kill_pending = false;
    }
    if (now >= give_up_at && !result.timed_out) {
      ::kill(pid, SIGKILL);
      result.timed_out = true;
    }
    pid_t w = ::waitpid(pid, &status, WNOHANG);
    if (w == pid) {
      result.elapsed = std::chrono::duration_cast<std::chrono::microseconds>(Clock::now() - started);
      reaped = true;
      break;
    }
    if (w < 0 && errno != EINTR) throw std::runtime_error(std::string("spawn: waitpid: ") + std::strerror(errno));

    auto next = result.timed_out ? now + std::chrono::milliseconds(10) : give_up_at;
    if (kill_pending && kill_at < next) next = kill_at;
    // Without a pidfd, an exit is noticed by polling waitpid.
    if (pidfd < 0 && next > now + std::chrono::milliseconds(5)) next = now + std::chrono::milliseconds(5);
    auto wait = std::chrono::duration_cast<std::chrono::nanoseconds>(next - now);
    if (wait.count() < 0) wait = std::chrono::nanoseconds(0);
    timespec ts{static_cast<time_t>(wait.count() / 1'000'000'000), static_cast<long>(wait.count() % 1'000'000'000)};
    pollfd pfds[3];
    nfds_t n = 0;
    for (int fd : fds) {
      if (fd >= 0) pfds[n++] = {fd, POLLIN, 0};
    }
    if (pidfd >= 0) pfds[n++] = {pidfd, POLLIN, 0};
    if (::ppoll(pfds, n, &ts, nullptr) < 0 && errno != EINTR) {
      throw std::runtime_error(std::string("spawn: ppoll: ") + std::strerror(errno));
    }
    read_available(fds[0], result.out);
    read_available(fds[1], result.err, options.on_stderr);
  }
  // What the process wrote before it ended; a grandchild that inherited the
  // pipes (none should) cannot hold this up: the reads do not block.
  read_available(fds[0], result.out);
  read_available(fds[1], result.err, options.on_stderr);
  for (int fd : fds) {
    if (fd >= 0) ::close(fd);
  }
  if (pidfd >= 0) ::close(pidfd);
  if (WIFEXITED(status)) {
    result.exit_code = WEXITSTATUS(status);
  } else if (WIFSIGNALED(status)) {
    result.signal = WTERMSIG(status);
    result.killed_on_purpose = sent_kill && result.signal == SIGKILL && !result.timed_out;
  }
  return result;
}

SpawnResult spawn_certkeeper(const std::vector<std::string>& args, const SpawnOptions& options) {
  std::vector<std::string> argv = {certkeeper_binary()};
  argv.insert(argv.end(), args.begin(), args.end());
  return spawn(argv, options);
}

}  // namespace certkeeper::testing
