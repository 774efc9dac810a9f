#include "support/postgres.h"

#include <pwd.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <stdexcept>
#include <thread>
#include <utility>
#include <vector>

#include "support/loopback.h"
#include "support/program.h"

namespace certkeeper::testing {
namespace {

using namespace std::chrono_literals;

constexpr int kPostgresStartAttempts = 3;

}  // namespace

std::string Postgres::program(const std::string& name) const {
  const std::string path = bin_dir_ + "/" + name;
  if (::access(path.c_str(), X_OK) != 0) {
    throw std::runtime_error("postgres fixture: " + path +
                             " is missing: install Debian's postgresql-15 (contrib/test.sh installs it with "
                             "the test packages)");
  }
  return path;
}

Postgres::Postgres(std::string bin_dir) : bin_dir_(std::move(bin_dir)), temp_(std::make_unique<TempDir>()) {
  dir_path_ = temp_->path();
  data_ = dir_path_ + "/data";
  log_ = dir_path_ + "/postgres.log";
  own_dir();
}

Postgres::Postgres(std::string bin_dir, const std::string& dir) : Postgres(std::move(bin_dir), dir, false) {
  std::error_code ec;
  std::filesystem::remove_all(dir, ec);
  std::filesystem::create_directories(dir, ec);
  if (ec) throw std::runtime_error("postgres fixture: cannot make " + dir + ": " + ec.message());
  own_dir();
}

Postgres::Postgres(std::string bin_dir, const std::string& dir, bool attached)
    : bin_dir_(std::move(bin_dir)), dir_path_(dir), data_(dir + "/data"), log_(dir + "/postgres.log") {
  as_root_ = ::geteuid() == 0;
  if (attached) {
    owned_ = false;
    initialised_ = true;
  }
}

void Postgres::own_dir() {
  as_root_ = ::geteuid() == 0;
  if (!as_root_) return;
  const passwd* pw = ::getpwnam("postgres");
  if (pw == nullptr) {
    throw std::runtime_error(
        "postgres fixture: no `postgres` user (initdb refuses root): install Debian's postgresql-15");
  }
  if (::chown(dir_path_.c_str(), pw->pw_uid, pw->pw_gid) != 0 || ::chmod(dir_path_.c_str(), 0700) != 0) {
    throw std::runtime_error("postgres fixture: cannot give " + dir_path_ + " to the postgres user");
  }
}

std::unique_ptr<Postgres> Postgres::attach(const std::string& dir) {
  std::unique_ptr<Postgres> server(new Postgres("/usr/lib/postgresql/15/bin", dir, true));
  const std::string port = read_file(dir + "/port");
  server->port_ = static_cast<int>(std::strtol(port.c_str(), nullptr, 10));
  const pid_t pid = server->postmaster_pid();
  if (server->port_ <= 0 || pid <= 0 || ::kill(pid, 0) != 0) {
    throw std::runtime_error("postgres fixture: no server runs in " + dir +
                             " ($CERTKEEPER_TEST_PG; CTest's fixture `postgres` starts it: run the test through "
                             "ctest, or unset the variable to start one for this process)");
  }
  server->running_ = true;
  return server;
}

Postgres::~Postgres() {
  if (!owned_) return;
  stop();
  if (!temp_) {
    std::error_code ec;
    std::filesystem::remove_all(dir_path_, ec);
  }
}

std::vector<std::string> Postgres::as_server_user(std::vector<std::string> argv) const {
  if (!as_root_) return argv;
  std::vector<std::string> wrapped = {find_program("runuser", "util-linux"), "-u", "postgres", "--"};
  wrapped.insert(wrapped.end(), argv.begin(), argv.end());
  return wrapped;
}

void Postgres::start() {
  if (running_) return;
  const std::string pg_ctl = program("pg_ctl");
  if (!initialised_) {
    ProgramResult r = run_program(
        as_server_user({program("initdb"), "-D", data_, "-A", "trust", "-U", "ck", "-E", "UTF8", "--no-sync"}),
        dir_path_, "/dev/null", 60s);
    if (r.exit_code != 0) throw std::runtime_error("postgres fixture: initdb failed:\n" + r.out + r.err);
    initialised_ = true;
  }
  std::string why;
  for (int attempt = 1; attempt <= kPostgresStartAttempts; ++attempt) {
    // A restart keeps its address, as a real server's outage does (a
    // client's URI names it); a new port only when that one was taken.
    port_ = attempt == 1 && port_ != 0 ? port_ : free_ports(1).front();
    // fsync off: a test cluster; the crash tests kill the postmaster, not the machine.
    const std::string options = "-k " + dir_path_ + " -h 127.0.0.1 -p " + std::to_string(port_) +
                                " -c fsync=off -c full_page_writes=off";
    ProgramResult r = run_program(as_server_user({pg_ctl, "-D", data_, "-o", options, "-l", log_, "-w", "-t", "30",
                                                  "start"}),
                                  dir_path_, "/dev/null", 40s);
    if (r.exit_code == 0) {
      running_ = true;
      return;
    }
    why = r.timed_out ? "pg_ctl start did not return within 40 s" : "pg_ctl start failed: " + r.out + r.err;
    running_ = true;  // whatever half-started is stopped
    stop();
    if (log_tail().find("could not bind") == std::string::npos) break;
  }
  throw std::runtime_error("postgres fixture: " + why + "\n--- server log:\n" + log_tail());
}

pid_t Postgres::postmaster_pid() const {
  const std::string pid_file = read_file(data_ + "/postmaster.pid");
  if (pid_file.empty()) return -1;
  const long pid = std::strtol(pid_file.c_str(), nullptr, 10);
  return pid > 0 ? static_cast<pid_t>(pid) : -1;
}

void Postgres::stop() {
  if (!running_) return;
  running_ = false;
  const pid_t pid = postmaster_pid();
  ProgramResult r = run_program(as_server_user({bin_dir_ + "/pg_ctl", "-D", data_, "-m", "fast", "-w",
                                                "-t", "20", "stop"}),
                                dir_path_, "/dev/null", 30s);
  if (r.exit_code == 0 || pid <= 0) return;
  // Only a live postgres: a stale pid file may name a reused pid.
  if (read_file("/proc/" + std::to_string(pid) + "/comm").rfind("postgres", 0) != 0) return;
  // Not the fixture's child (pg_ctl daemonised it): poll, never waitpid.
  ::kill(pid, SIGKILL);
  const auto give_up_at = std::chrono::steady_clock::now() + 5s;
  while (::kill(pid, 0) == 0 && std::chrono::steady_clock::now() < give_up_at) std::this_thread::sleep_for(20ms);
}

std::string Postgres::conninfo(const std::string& dbname) const {
  return "host=" + dir_path_ + " port=" + std::to_string(port_) + " user=ck dbname=" + dbname +
         " connect_timeout=10";
}

std::string Postgres::uri(const std::string& dbname) const {
  return "postgresql://ck@/" + dbname + "?host=" + dir_path_ + "&port=" + std::to_string(port_);
}

std::string Postgres::psql(const std::string& dbname, const std::string& sql) const {
  // run_program's out and err files: a dir of this call's own, as the
  // server's dir is shared by every test process of a run.
  TempDir work;
  ProgramResult r = run_program({program("psql"), "-X", "-q", "-A", "-t", "-v", "ON_ERROR_STOP=1", "-h", dir_path_,
                                 "-p", std::to_string(port_), "-U", "ck", "-d", dbname, "-c", sql},
                                work.path());
  if (r.exit_code != 0) throw std::runtime_error("postgres fixture: psql failed on " + dbname + ": " + sql + "\n" + r.err);
  return r.out;
}

std::string Postgres::create_database() {
  const std::string name = "ck_" + std::to_string(::getpid()) + "_" + std::to_string(++databases_);
  psql("postgres", "CREATE DATABASE " + name);
  return name;
}

std::string Postgres::log_tail(std::size_t max_bytes) const { return file_tail(log_, max_bytes); }

Postgres& shared_postgres() {
  // Destroyed at exit, which stops the server.
  static std::unique_ptr<Postgres> server;
  static std::string failure;
  if (!failure.empty()) throw std::runtime_error(failure);
  if (!server) {
    try {
      if (const char* dir = std::getenv("CERTKEEPER_TEST_PG"); dir != nullptr && *dir != '\0') {
        server = Postgres::attach(dir);
        return *server;
      }
      auto made = std::make_unique<Postgres>();
      made->start();
      server = std::move(made);
    } catch (const std::exception& e) {
      failure = e.what();
      throw;
    }
  }
  return *server;
}

}  // namespace certkeeper::testing
