#include "support/bind.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <filesystem>
#include <sstream>
#include <stdexcept>
#include <thread>

#include "support/loopback.h"
#include "support/program.h"
#include "support/temp_dir.h"
#include "certkeeper/util/unique_fd.h"

namespace certkeeper::testing {
namespace {

using namespace std::chrono_literals;
using SteadyClock = std::chrono::steady_clock;

constexpr auto kBindStartTimeout = 15s;
constexpr int kBindStartAttempts = 3;

std::string run_ok(const std::vector<std::string>& argv, const std::string& dir) {
  ProgramResult r = run_program(argv, dir, "/dev/null", 30s);
  if (r.exit_code != 0) throw std::runtime_error("bind fixture: " + argv[0] + " failed: " + r.err);
  return r.out;
}

}  // namespace

Bind::Bind(const std::string& work_dir, const std::string& zone) : dir_(work_dir + "/bind"), zone_(zone) {
  std::filesystem::create_directories(dir_);
  write_files();
  start();
}

Bind::~Bind() { stop(); }

std::string Bind::log() const { return read_file(dir_ + "/named.log"); }

void Bind::write_files() {
  const std::string keygen = find_program("tsig-keygen", "bind9");
  const std::string update = run_ok({keygen, "-a", "hmac-sha256", "ck-update"}, dir_);
  write_file(key_file(), update);
  write_file(refused_key_file(), run_ok({keygen, "-a", "hmac-sha256", "ck-other"}, dir_));
  // The same key name with another secret: the server's verification fails.
  const std::string other_secret = run_ok({keygen, "-a", "hmac-sha256", "ck-update"}, dir_);
  write_file(wrong_key_file(), other_secret);
  for (const auto& f : {key_file(), refused_key_file(), wrong_key_file()}) ::chmod(f.c_str(), 0600);
  write_file(dir_ + "/" + zone_ + ".zone",
             "$TTL 60\n@ IN SOA ns." + zone_ + ". hostmaster." + zone_ +
                 ". 1 3600 600 86400 60\n@ IN NS ns." + zone_ + ".\nns IN A 127.0.0.1\n@ IN A 127.0.0.1\n");
}

void Bind::start() {
  std::string why;
  for (int attempt = 1; attempt <= kBindStartAttempts; ++attempt) {
    port_ = free_ports(1).front();
    write_file(dir_ + "/named.conf",
               "include \"" + key_file() + "\";\ninclude \"" + refused_key_file() +
                   "\";\noptions {\n  directory \"" + dir_ + "\";\n  listen-on port " + std::to_string(port_) +
                   " { 127.0.0.1; };\n  listen-on-v6 { none; };\n  pid-file \"" + dir_ +
                   "/named.pid\";\n  session-keyfile \"" + dir_ +
                   "/session.key\";\n  recursion no;\n  dnssec-validation no;\n  notify no;\n};\n"
                   "controls { };\nzone \"" + zone_ + "\" {\n  type primary;\n  file \"" + dir_ + "/" + zone_ +
                   ".zone\";\n  allow-update { key ck-update; };\n};\n");
    write_file(dir_ + "/named.log", "");
    const std::string named = find_program("named", "bind9");
    std::vector<std::string> args = {named, "-g", "-4", "-n", "1", "-c", dir_ + "/named.conf"};
    std::vector<char*> argv;
    for (auto& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    UniqueFd log_fd(::open((dir_ + "/named.log").c_str(), O_WRONLY | O_APPEND | O_CLOEXEC));
    UniqueFd in(::open("/dev/null", O_RDONLY | O_CLOEXEC));
    const pid_t parent = ::getpid();
    pid_ = ::fork();
    if (pid_ < 0) throw std::runtime_error("bind fixture: fork failed");
    if (pid_ == 0) {  // only async-signal-safe calls until execv
      ::setpgid(0, 0);
      ::prctl(PR_SET_PDEATHSIG, SIGKILL);
      if (::getppid() != parent) ::_exit(127);
      ::dup2(in.get(), STDIN_FILENO);
      ::dup2(log_fd.get(), STDOUT_FILENO);
      ::dup2(log_fd.get(), STDERR_FILENO);
      ::execv(argv[0], argv.data());
      ::_exit(127);
    }
    ::setpgid(pid_, pid_);
    const auto deadline = SteadyClock::now() + kBindStartTimeout;
    const std::string dig = find_program("dig", "bind9-dnsutils");
    while (SteadyClock::now() < deadline) {
      int status = 0;
      if (::waitpid(pid_, &status, WNOHANG) == pid_) {
        pid_ = -1;
        why = "named exited";
        break;
      }
      ProgramResult r = run_program({dig, "@127.0.0.1", "-p", std::to_string(port_), "+time=1", "+tries=1",
                                     "+norecurse", "SOA", zone_, "+short"},
                                    dir_, "/dev/null", 5s);
      if (r.exit_code == 0 && r.out.find("ns." + zone_) != std::string::npos) return;
      std::this_thread::sleep_for(100ms);
    }
    if (why.empty()) why = "named did not answer for " + zone_ + " within 15 s";
    stop();
    if (log().find("address in use") == std::string::npos) break;
  }
  throw std::runtime_error("bind fixture: " + why + "\n--- named.log:\n" + log());
}

void Bind::stop() {
  if (pid_ <= 0) return;
  ::kill(-pid_, SIGTERM);
  const auto deadline = SteadyClock::now() + 3s;
  int status = 0;
  while (SteadyClock::now() < deadline) {
    if (::waitpid(pid_, &status, WNOHANG) == pid_) {
      pid_ = -1;
      return;
    }
    std::this_thread::sleep_for(20ms);
  }
  ::kill(-pid_, SIGKILL);
  while (::waitpid(pid_, &status, 0) < 0 && errno == EINTR) {
  }
  pid_ = -1;
}

std::vector<std::string> Bind::txt(const std::string& fqdn) const {
  ProgramResult r = run_program({find_program("dig", "bind9-dnsutils"), "@127.0.0.1", "-p", std::to_string(port_),
                                 "+time=2", "+tries=2", "+norecurse", "TXT", fqdn, "+short"},
                                dir_, "/dev/null", 10s);
  std::vector<std::string> values;
  std::istringstream lines(r.out);
  for (std::string line; std::getline(lines, line);) {
    if (line.size() >= 2 && line.front() == '"' && line.back() == '"') values.push_back(line.substr(1, line.size() - 2));
  }
  std::sort(values.begin(), values.end());
  return values;
}

}  // namespace certkeeper::testing
