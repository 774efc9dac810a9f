#include "support/postgres.h"

#include <pwd.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdlib>
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

Postgres::Postgres(std::string bin_dir)
    : bin_dir_(std::move(bin_dir)), data_(dir_.path() + "/data"), log_(dir_.path() + "/postgres.log") {
  as_root_ = ::geteuid() == 0;
  if (!as_root_) return;
  const passwd* pw = ::getpwnam("postgres");
  if (pw == nullptr) {
    throw std::runtime_error(
        "postgres fixture: no `postgres` user (initdb refuses root): install Debian's postgresql-15");
  }
  if (::chown(dir_.path().c_str(), pw->pw_uid, pw->pw_gid) != 0 || ::chmod(dir_.path().c_str(), 0700) != 0) {
    throw std::runtime_error("postgres fixture: cannot give " + dir_.path() + " to the postgres user");
  }
}

Postgres::~Postgres() { stop(); }

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
        dir_.path(), "/dev/null", 60s);
    if (r.exit_code != 0) throw std::runtime_error("postgres fixture: initdb failed:\n" + r.out + r.err);
    initialised_ = true;
  }
  std::string why;
  for (int attempt = 1; attempt <= kPostgresStartAttempts; ++attempt) {
    port_ = free_ports(1).front();
    // fsync off: a test cluster; the crash tests kill the postmaster, not the machine.
    const std::string options = "-k " + dir_.path() + " -h 127.0.0.1 -p " + std::to_string(port_) +
                                " -c fsync=off -c full_page_writes=off";
    ProgramResult r = run_program(as_server_user({pg_ctl, "-D", data_, "-o", options, "-l", log_, "-w", "-t", "30",
                                                  "start"}),
                                  dir_.path(), "/dev/null", 40s);
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
                                dir_.path(), "/dev/null", 30s);
  if (r.exit_code == 0 || pid <= 0) return;
  // Only a live postgres: a stale pid file may name a reused pid.
  if (read_file("/proc/" + std::to_string(pid) + "/comm").rfind("postgres", 0) != 0) return;
  // Not the fixture's child (pg_ctl daemonised it): poll, never waitpid.
  ::kill(pid, SIGKILL);
  const auto give_up_at = std::chrono::steady_clock::now() + 5s;
  while (::kill(pid, 0) == 0 && std::chrono::steady_clock::now() < give_up_at) std::this_thread::sleep_for(20ms);
}

std::string Postgres::conninfo(const std::string& dbname) const {
  return "host=" + dir_.path() + " port=" + std::to_string(port_) + " user=ck dbname=" + dbname +
         " connect_timeout=10";
}

std::string Postgres::uri(const std::string& dbname) const {
  return "postgresql://ck@/" + dbname + "?host=" + dir_.path() + "&port=" + std::to_string(port_);
}

std::string Postgres::psql(const std::string& dbname, const std::string& sql) const {
  ProgramResult r = run_program({program("psql"), "-X", "-q", "-A", "-t", "-v", "ON_ERROR_STOP=1", "-h", dir_.path(),
                                 "-p", std::to_string(port_), "-U", "ck", "-d", dbname, "-c", sql},
                                dir_.path());
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
