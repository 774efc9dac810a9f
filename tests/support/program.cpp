#include "support/program.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <stdexcept>
#include <thread>

#include "support/temp_dir.h"

namespace certkeeper::testing {

std::optional<std::string> which(const std::string& name) {
  const char* path = std::getenv("PATH");
  std::string dirs = std::string(path && *path ? path : "") + ":/usr/local/bin:/usr/bin:/bin";
  std::size_t start = 0;
  while (start < dirs.size()) {
    std::size_t end = dirs.find(':', start);
    if (end == std::string::npos) end = dirs.size();
    if (end > start) {
      std::string candidate = dirs.substr(start, end - start) + "/" + name;
      if (::access(candidate.c_str(), X_OK) == 0) return candidate;
    }
    start = end + 1;
  }
  return std::nullopt;
}

std::string find_program(const std::string& name, const std::string& package) {
  if (name.find('/') != std::string::npos) return name;
  if (auto path = which(name)) return *path;
  for (const char* dir : {"/usr/sbin/", "/sbin/"}) {
    const std::string candidate = dir + name;
    if (::access(candidate.c_str(), X_OK) == 0) return candidate;
  }
  throw std::runtime_error("test fixture: " + name + " not found in PATH (Debian package " + package + ")");
}

bool has_exited(pid_t pid) {
  siginfo_t info{};
  return ::waitid(P_PID, static_cast<id_t>(pid), &info, WEXITED | WNOHANG | WNOWAIT) == 0 && info.si_pid == pid;
}

std::string file_tail(const std::string& path, std::size_t max_bytes) {
  std::string text = read_file(path);
  if (text.size() > max_bytes) text = "..." + text.substr(text.size() - max_bytes);
  return text;
}

ProgramResult run_program(const std::vector<std::string>& args, const std::string& work_dir,
                          const std::string& stdin_path, std::chrono::milliseconds timeout) {
  if (args.empty()) throw std::invalid_argument("run_program: empty argv");
  const std::string out_path = work_dir + "/program.out", err_path = work_dir + "/program.err";
  // Everything the child needs is prepared before fork().
  std::vector<std::string> strings = args;
  std::vector<char*> argv;
  for (auto& s : strings) argv.push_back(s.data());
  argv.push_back(nullptr);
  int in = ::open(stdin_path.c_str(), O_RDONLY | O_CLOEXEC);
  int out = ::open(out_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  int err = ::open(err_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (in < 0 || out < 0 || err < 0) throw std::runtime_error("run_program: cannot open " + stdin_path + " or " + work_dir);
  pid_t pid = ::fork();
  if (pid < 0) throw std::runtime_error("run_program: fork");
  if (pid == 0) {
    ::setpgid(0, 0);
    ::prctl(PR_SET_PDEATHSIG, SIGKILL);
    ::dup2(in, STDIN_FILENO);
    ::dup2(out, STDOUT_FILENO);
    ::dup2(err, STDERR_FILENO);
    if (::chdir(work_dir.c_str()) != 0) ::_exit(126);
    ::execv(argv[0], argv.data());
    ::_exit(127);
  }
  ::setpgid(pid, pid);  // also from here, so killpg works whoever runs first
  ::close(in);
  ::close(out);
  ::close(err);

  ProgramResult result;
  const auto give_up_at = std::chrono::steady_clock::now() + timeout;
  int status = 0;
  for (;;) {
    pid_t w = ::waitpid(pid, &status, WNOHANG);
    if (w == pid) break;
    if (w < 0 && errno != EINTR) throw std::runtime_error("run_program: waitpid");
    if (std::chrono::steady_clock::now() >= give_up_at) {
      result.timed_out = true;
      ::killpg(pid, SIGKILL);
      ::waitpid(pid, &status, 0);
      break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  ::killpg(pid, SIGKILL);  // helpers the leader left behind (ESRCH when none)
  if (!result.timed_out && WIFEXITED(status)) result.exit_code = WEXITSTATUS(status);
  result.out = read_file(out_path);
  result.err = read_file(err_path);
  return result;
}

}  // namespace certkeeper::testing
