// nginx as a child process of the test: free loopback ports, a written
// config, a bounded readiness wait, a stop that always reaps it; plus the
// small TLS client and bounded command runner the nginx tests need.
#include "support/nginx.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <poll.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <filesystem>
#include <cstdlib>
#include <memory>
#include <stdexcept>
#include <thread>

#include "support/loopback.h"
#include "support/ossl_ptr.h"
#include "support/program.h"
#include "support/temp_dir.h"

#include "certkeeper/util/unique_fd.h"

extern char** environ;

namespace certkeeper::testing {
namespace {

using Clock = std::chrono::steady_clock;
using namespace std::chrono_literals;

constexpr auto kNginxStartTimeout = 10s;
constexpr auto kStopGrace = 5s;
constexpr int kNginxStartAttempts = 3;

using Fd = UniqueFd;

// The environment minus NGINX (nginx would take it for inherited sockets).
std::vector<std::string> child_environment() {
  std::vector<std::string> env;
  for (char** e = environ; *e; ++e) {
    if (std::string(*e).rfind("NGINX=", 0) != 0) env.emplace_back(*e);
  }
  return env;
}

std::vector<char*> pointers(std::vector<std::string>& strings) {
  std::vector<char*> out;
  for (auto& s : strings) out.push_back(s.data());
  out.push_back(nullptr);
  return out;
}

// SIGKILL to what is left of the group, then reap; the wait status.
int kill_and_reap(pid_t pid) {
  if (::kill(-pid, SIGKILL) != 0) ::kill(pid, SIGKILL);
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  return status;
}

std::string describe_status(int status) {
  if (WIFEXITED(status)) return "nginx exited with status " + std::to_string(WEXITSTATUS(status));
  return "nginx died of signal " + std::to_string(WTERMSIG(status));
}

// Double-quoted for nginx.conf.
std::string quoted(const std::string& s) {
  std::string out = "\"";
  for (char c : s) {
    if (c == '"' || c == '\\') out += '\\';
    out += c;
  }
  return out + "\"";
}

// `text` from byte `from` on (all of it when it is shorter).
std::string after(const std::string& text, std::size_t from) {
  return from <= text.size() ? text.substr(from) : text;
}

// SIGPIPE blocked for this thread while in scope (a server that closes
// mid-handshake must fail the handshake, not kill the test); one raised
// meanwhile is consumed.
class NoSigpipe {
 public:
  NoSigpipe() {
    sigemptyset(&pipe_);
    sigaddset(&pipe_, SIGPIPE);
    sigset_t pending;
    sigpending(&pending);
    was_pending_ = sigismember(&pending, SIGPIPE) == 1;
    pthread_sigmask(SIG_BLOCK, &pipe_, &old_);
  }
  ~NoSigpipe() {
    sigset_t pending;
    sigpending(&pending);
    if (!was_pending_ && sigismember(&pending, SIGPIPE) == 1) {
      timespec zero{0, 0};
      sigtimedwait(&pipe_, nullptr, &zero);
    }
    pthread_sigmask(SIG_SETMASK, &old_, nullptr);
  }
  NoSigpipe(const NoSigpipe&) = delete;
  NoSigpipe& operator=(const NoSigpipe&) = delete;

 private:
  sigset_t pipe_{}, old_{};
  bool was_pending_ = false;
};

using SslCtx = std::unique_ptr<SSL_CTX, ossl::Deleter<SSL_CTX, SSL_CTX_free>>;
using Ssl = std::unique_ptr<SSL, ossl::Deleter<SSL, SSL_free>>;

}  // namespace

// ---------------------------------------------------------------- Nginx

Nginx::Nginx(std::string work_dir, std::vector<NginxServer> servers)
    : dir_(std::move(work_dir)),
      servers_(std::move(servers)),
      conf_(dir_ + "/nginx.conf"),
      error_log_(dir_ + "/error.log"),
      pid_file_(dir_ + "/nginx.pid"),
      stderr_log_(dir_ + "/nginx.stderr") {
  if (servers_.empty()) throw std::runtime_error("nginx fixture: no server to serve");
}

Nginx::~Nginx() { stop(); }

int Nginx::port(std::size_t index) const { return index < ports_.size() ? ports_[index] : 0; }

std::string Nginx::address(std::size_t index) const { return "127.0.0.1:" + std::to_string(port(index)); }

std::vector<std::string> Nginx::reload_argv() const {
  return {find_program("nginx", "nginx"), "-c", conf_, "-e", error_log_, "-s", "reload"};
}

std::string Nginx::reload_command() const {
  std::string line;
  for (const auto& w : reload_argv()) line += (line.empty() ? "" : " ") + w;
  return line;
}

std::string Nginx::log_tail(std::size_t max_bytes) const {
  return "--- " + error_log_ + ":\n" + file_tail(error_log_, max_bytes) + "\n--- " + stderr_log_ + ":\n" +
         file_tail(stderr_log_, max_bytes);
}

// Each port is held bound until all are chosen, so none repeats. nginx
// binds them moments later; start() retries when another process was
// faster.
void Nginx::choose_ports() { ports_ = free_ports(servers_.size()); }

void Nginx::write_config() const {
  std::string c =
      "# Written by the certkeeper test fixture (tests/support/nginx.cpp).\n"
      "daemon off;\n"
      "master_process on;\n"
      "worker_processes 1;\n"
      "pid " + quoted(pid_file_) + ";\n"
      "lock_file " + quoted(dir_ + "/nginx.lock") + ";\n"
      "error_log " + quoted(error_log_) + " notice;\n"
      "events { worker_connections 64; }\n"
      "http {\n"
      "  access_log off;\n"
      "  default_type text/plain;\n";
  for (const char* temp : {"client_body", "proxy", "fastcgi", "uwsgi", "scgi"}) {
    c += std::string("  ") + temp + "_temp_path " + quoted(dir_ + "/" + temp + "_temp") + ";\n";
  }
  c += "  ssl_protocols TLSv1.2 TLSv1.3;\n";
  for (std::size_t i = 0; i < servers_.size(); ++i) {
    const NginxServer& s = servers_[i];
    c += "  server {\n"
         "    listen 127.0.0.1:" + std::to_string(ports_[i]) + " ssl;\n"
         "    ssl_certificate " + quoted(s.certificate) + ";\n"
         "    ssl_certificate_key " + quoted(s.key.empty() ? s.certificate : s.key) + ";\n"
         "    location / { return 200 \"ok\\n\"; }\n"
         "  }\n";
  }
  c += "}\n";
  write_file(conf_, c);
}

// fork + execve, stdout and stderr appended to nginx.stderr, stdin
// /dev/null. The child leads its own process group (so do the workers it
// forks) and gets SIGTERM when the test process dies, even of SIGKILL or a
// crash: SIGTERM, not SIGKILL, because a worker outlives a killed master
// (it keeps serving), while on SIGTERM the master stops its workers first.
// (PR_SET_PDEATHSIG survives execve of a non-setuid program and follows the
// creating thread: start on a thread that outlives the fixture.)
void Nginx::spawn() {
  std::vector<std::string> args = {find_program("nginx", "nginx"), "-c", conf_, "-e", error_log_};
  std::vector<std::string> env = child_environment();
  std::vector<char*> argv = pointers(args), envp = pointers(env);
  Fd out(::open(stderr_log_.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600));
  Fd in(::open("/dev/null", O_RDONLY | O_CLOEXEC));
  if (out.get() < 0 || in.get() < 0) throw std::runtime_error("nginx fixture: cannot open " + stderr_log_);
  ::unlink(pid_file_.c_str());  // readiness is "the pid file names our child"
  const pid_t parent = ::getpid();
  pid_t pid = ::fork();
  if (pid < 0) throw std::runtime_error("nginx fixture: fork failed");
  if (pid == 0) {  // only async-signal-safe calls until execve
    ::setpgid(0, 0);
    ::prctl(PR_SET_PDEATHSIG, SIGTERM);
    if (::getppid() != parent) ::_exit(127);
    ::dup2(in.get(), STDIN_FILENO);
    ::dup2(out.get(), STDOUT_FILENO);
    ::dup2(out.get(), STDERR_FILENO);
    ::execve(argv[0], argv.data(), envp.data());
    ::_exit(127);
  }
  ::setpgid(pid, pid);  // also here, so the group exists before the first signal
  pid_ = pid;
}

// The pid file is written after every listening socket is bound, so "it
// names our child" means the ports are nginx's, not some other process's.
std::string Nginx::wait_ready() {
  const std::string want = std::to_string(pid_);
  const auto deadline = Clock::now() + kNginxStartTimeout;
  while (Clock::now() < deadline) {
    if (has_exited(pid_)) {
      const int status = kill_and_reap(pid_);
      pid_ = -1;
      return describe_status(status);
    }
    std::string pid_text = read_file(pid_file_);
    while (!pid_text.empty() && (pid_text.back() == '\n' || pid_text.back() == ' ')) pid_text.pop_back();
    bool up = pid_text == want;
    for (std::size_t i = 0; up && i < ports_.size(); ++i) up = connect_loopback(ports_[i]).valid();
    if (up) return "";
    std::this_thread::sleep_for(20ms);
  }
  stop();
  return "not ready after 10 s";
}

void Nginx::start() {
  if (pid_ > 0) throw std::runtime_error("nginx fixture: start() while running");
  std::string why;
  for (int attempt = 1; attempt <= kNginxStartAttempts; ++attempt) {
    if (ports_.empty() || attempt > 1) choose_ports();
    write_config();
    const std::size_t error_from = read_file(error_log_).size();
    const std::size_t stderr_from = read_file(stderr_log_).size();
    spawn();
    why = wait_ready();
    if (why.empty()) return;
    // Only this attempt's lines: a clash means new ports, anything else is final.
    const std::string logs = after(read_file(error_log_), error_from) + after(read_file(stderr_log_), stderr_from);
    if (logs.find("Address already in use") == std::string::npos) break;
  }
  throw std::runtime_error("nginx fixture: " + why + " (" + conf_ + ")\n" + log_tail());
}

bool Nginx::running() { return pid_ > 0 && !has_exited(pid_); }

std::vector<pid_t> Nginx::workers() const {
  std::vector<pid_t> found;
  if (pid_ <= 0) return found;
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator("/proc", ec)) {
    const std::string name = entry.path().filename();
    if (name.empty() || name.find_first_not_of("0123456789") != std::string::npos) continue;
    // /proc/PID/stat: "PID (COMM) STATE PPID ..."; COMM may hold spaces
    // and parentheses, so the fields are read after the last ')'.
    const std::string stat = read_file(entry.path().string() + "/stat");
    const std::size_t close = stat.rfind(')');
    if (close == std::string::npos) continue;
    char state = 0;
    int ppid = 0;
    if (std::sscanf(stat.c_str() + close + 1, " %c %d", &state, &ppid) != 2) continue;
    if (ppid == pid_ && state != 'Z') found.push_back(static_cast<pid_t>(std::stoi(name)));
  }
  return found;
}

bool Nginx::wait_for_workers_gone(const std::vector<pid_t>& old_workers, std::chrono::milliseconds timeout) const {
  const auto deadline = Clock::now() + timeout;
  for (;;) {
    const std::vector<pid_t> now = workers();
    bool any_left = false;
    for (pid_t old : old_workers) any_left = any_left || std::find(now.begin(), now.end(), old) != now.end();
    if (!any_left) return true;
    if (Clock::now() >= deadline) return false;
    std::this_thread::sleep_for(20ms);
  }
}

void Nginx::stop() {
  if (pid_ <= 0) return;
  ::kill(pid_, SIGTERM);  // nginx's fast shutdown; the master waits for its workers
  const auto deadline = Clock::now() + kStopGrace;
  while (!has_exited(pid_) && Clock::now() < deadline) std::this_thread::sleep_for(10ms);
  kill_and_reap(pid_);
  pid_ = -1;
}

// ---------------------------------------------------------------- clients

std::optional<std::string> served_leaf_der(int port, const std::string& servername) {
  NoSigpipe no_sigpipe;
  Fd fd = connect_loopback(port);
  if (fd.get() < 0) return std::nullopt;
  SslCtx ctx(SSL_CTX_new(TLS_client_method()));
  if (!ctx) ossl::fail("SSL_CTX_new");
  SSL_CTX_set_verify(ctx.get(), SSL_VERIFY_NONE, nullptr);  // the bytes are compared, not trusted
  Ssl ssl(SSL_new(ctx.get()));
  if (!ssl || SSL_set_fd(ssl.get(), fd.get()) != 1) ossl::fail("SSL_new");
  if (!servername.empty()) SSL_set_tlsext_host_name(ssl.get(), servername.c_str());
  if (SSL_connect(ssl.get()) != 1) {
    ERR_clear_error();
    return std::nullopt;
  }
  ossl::X509Ptr leaf(SSL_get1_peer_certificate(ssl.get()));
  std::optional<std::string> der;
  if (leaf) {
    unsigned char* bytes = nullptr;
    const int n = i2d_X509(leaf.get(), &bytes);
    if (n > 0) der = std::string(reinterpret_cast<char*>(bytes), static_cast<std::size_t>(n));
    OPENSSL_free(bytes);
  }
  SSL_shutdown(ssl.get());
  ERR_clear_error();
  return der;
}

bool wait_for_leaf(int port, const std::string& der, std::chrono::milliseconds timeout) {
  const auto deadline = Clock::now() + timeout;
  for (;;) {
    if (served_leaf_der(port) == der) return true;
    if (Clock::now() >= deadline) return false;
    std::this_thread::sleep_for(100ms);
  }
}

ProcessResult run_command(const std::vector<std::string>& argv_in, std::chrono::milliseconds timeout) {
  if (argv_in.empty()) throw std::runtime_error("run_command: empty argv");
  std::vector<std::string> args = argv_in;
  args[0] = find_program(args[0], "nginx");
  std::vector<std::string> env = child_environment();
  std::vector<char*> argv = pointers(args), envp = pointers(env);
  int out_pipe[2], err_pipe[2];
  if (::pipe2(out_pipe, O_CLOEXEC) != 0) throw std::runtime_error("run_command: pipe");
  if (::pipe2(err_pipe, O_CLOEXEC) != 0) {
    ::close(out_pipe[0]);
    ::close(out_pipe[1]);
    throw std::runtime_error("run_command: pipe");
  }
  Fd out_read(out_pipe[0]), out_write(out_pipe[1]), err_read(err_pipe[0]), err_write(err_pipe[1]);
  Fd in(::open("/dev/null", O_RDONLY | O_CLOEXEC));
  pid_t pid = ::fork();
  if (pid < 0) throw std::runtime_error("run_command: fork");
  if (pid == 0) {
    ::setpgid(0, 0);
    ::dup2(in.get(), STDIN_FILENO);
    ::dup2(out_write.get(), STDOUT_FILENO);
    ::dup2(err_write.get(), STDERR_FILENO);
    ::execve(argv[0], argv.data(), envp.data());
    ::_exit(127);
  }
  ::setpgid(pid, pid);
  { Fd close_out(std::move(out_write)), close_err(std::move(err_write)); }

  ProcessResult result;
  pollfd fds[2] = {{out_read.get(), POLLIN, 0}, {err_read.get(), POLLIN, 0}};
  const auto deadline = Clock::now() + timeout;
  char buf[8192];
  while (fds[0].fd >= 0 || fds[1].fd >= 0) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()).count();
    if (left <= 0 || ::poll(fds, 2, static_cast<int>(left)) == 0) break;
    for (int i = 0; i < 2; ++i) {
      if (fds[i].fd < 0 || !(fds[i].revents & (POLLIN | POLLHUP | POLLERR))) continue;
      const ssize_t n = ::read(fds[i].fd, buf, sizeof buf);
      if (n > 0) {
        (i == 0 ? result.out : result.err).append(buf, static_cast<std::size_t>(n));
      } else if (n == 0 || errno != EINTR) {
        fds[i].fd = -1;
      }
    }
  }
  // Both pipes closed (or the time is up): the exit follows at once unless
  // it timed out; whatever is left of its process group is killed.
  while (!has_exited(pid) && Clock::now() < deadline) std::this_thread::sleep_for(5ms);
  const int wait_status = kill_and_reap(pid);
  result.exit_code = WIFEXITED(wait_status) ? WEXITSTATUS(wait_status) : 128 + WTERMSIG(wait_status);
  return result;
}

}  // namespace certkeeper::testing
