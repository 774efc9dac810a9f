// Pebble and pebble-challtestsrv as child processes of the test: free
// loopback ports, a generated listener certificate, a written config, a
// bounded readiness wait and a stop that always reaps both children.
#include "support/pebble.h"

#include <arpa/inet.h>
#include <fstream>
#include <fcntl.h>
#include <httplib.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <ctime>
#include <nlohmann/json.hpp>
#include <optional>
#include <set>
#include <stdexcept>
#include <thread>
#include <vector>

#include "support/loopback.h"
#include "support/program.h"
#include "support/test_pki.h"

#include "certkeeper/util/unique_fd.h"

extern char** environ;

namespace certkeeper::testing {

// A server the fixture started (pebble, challtestsrv). Outside the anonymous
// namespace because Pebble::Impl holds two.
struct PebbleChild {
  std::string name;
  std::string log;
  pid_t pid = -1;
};

namespace {

using Clock = std::chrono::steady_clock;
using namespace std::chrono_literals;

constexpr auto kPebbleStartTimeout = 10s;
constexpr auto kTermGrace = 2s;
constexpr int kPebbleStartAttempts = 3;  // new ports when another process took one meanwhile

using Fd = UniqueFd;


// fork + execve with stdout and stderr appended to `log`, stdin /dev/null.
// The child leads its own process group (signals reach anything it starts)
// and gets SIGKILL when the test process dies, so a crashed test cannot
// leave a pebble behind. (PR_SET_PDEATHSIG follows the creating thread:
// create the fixture on a thread that outlives it.)
PebbleChild spawn(const std::string& name, const std::vector<std::string>& args,
            const std::map<std::string, std::string>& env, const std::string& log) {
  std::string program = find_program(name, "pebble");
  std::vector<std::string> argv_strings = {program};
  argv_strings.insert(argv_strings.end(), args.begin(), args.end());
  std::vector<std::string> env_strings;
  for (char** e = environ; *e; ++e) {
    std::string entry = *e;
    std::string key = entry.substr(0, entry.find('='));
    // Pebble's behaviour is the fixture's choice, not the caller's shell's.
    if (key.rfind("PEBBLE_", 0) == 0 || env.count(key)) continue;
    env_strings.push_back(entry);
  }
  for (const auto& [k, v] : env) env_strings.push_back(k + "=" + v);
  std::vector<char*> argv, envp;
  for (auto& s : argv_strings) argv.push_back(s.data());
  argv.push_back(nullptr);
  for (auto& s : env_strings) envp.push_back(s.data());
  envp.push_back(nullptr);

  Fd out(::open(log.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600));
  Fd in(::open("/dev/null", O_RDONLY | O_CLOEXEC));
  if (out.get() < 0 || in.get() < 0) throw std::runtime_error("pebble fixture: cannot open " + log);
  const pid_t parent = ::getpid();
  pid_t pid = ::fork();
  if (pid < 0) throw std::runtime_error("pebble fixture: fork failed");
  if (pid == 0) {  // only async-signal-safe calls until execve
    ::setpgid(0, 0);
    ::prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (::getppid() != parent) ::_exit(127);
    ::dup2(in.get(), STDIN_FILENO);
    ::dup2(out.get(), STDOUT_FILENO);
    ::dup2(out.get(), STDERR_FILENO);
    ::execve(program.c_str(), argv.data(), envp.data());
    ::_exit(127);
  }
  ::setpgid(pid, pid);  // also here, so the group exists before the first signal
  return PebbleChild{name, log, pid};
}

// Kills whatever is left in the child's process group, then reaps the
// child; its wait status.
int reap(PebbleChild& child) {
  if (::kill(-child.pid, SIGKILL) != 0) ::kill(child.pid, SIGKILL);
  int status = 0;
  while (::waitpid(child.pid, &status, 0) < 0 && errno == EINTR) {
  }
  child.pid = -1;
  return status;
}

// SIGTERM, up to 2 s, then SIGKILL; always reaped.
void stop(PebbleChild& child) {
  if (child.pid <= 0) return;
  if (::kill(-child.pid, SIGTERM) != 0) ::kill(child.pid, SIGTERM);
  const auto deadline = Clock::now() + kTermGrace;
  while (!has_exited(child.pid) && Clock::now() < deadline) std::this_thread::sleep_for(10ms);
  reap(child);
}

// "" while running; a description once it has exited (and is reaped).
std::string exited(PebbleChild& child) {
  if (child.pid <= 0 || !has_exited(child.pid)) return "";
  const int status = reap(child);
  if (WIFEXITED(status)) return child.name + " exited with status " + std::to_string(WEXITSTATUS(status));
  return child.name + " died of signal " + std::to_string(WTERMSIG(status));
}

bool is_port_clash(const std::string& log) {
  return log.find("address already in use") != std::string::npos;
}

}  // namespace

struct Pebble::Impl {
  // The listener certificate must be valid at the wall-clock time pebble's
  // clients connect at, so this PKI uses the real time, not kPkiNow.
  TestPki pki{static_cast<UnixTime>(std::time(nullptr))};
  std::string ca_file, cert_file, key_file, config_file;
  int acme_port = 0, mgmt_port = 0, http01_port = 0, tlsalpn01_port = 0;
  int dns_port = 0, cts_mgmt_port = 0;
  PebbleChild challtestsrv, pebble;

  ~Impl() { stop_all(); }

  void stop_all() {
    stop(pebble);
    stop(challtestsrv);
  }

  void write_certificate() {
    CertOptions o;
    o.cn = "localhost";
    o.dns = {"localhost"};
    o.ips = {"127.0.0.1"};
    const Cert listener = pki.issue(o, pki.root());
    ca_file = pki.write("pebble-ca.pem", pki.root().pem());
    cert_file = pki.write("pebble-cert.pem", listener.pem());
    key_file = pki.write("pebble-key.pem", listener.key().pem());
    ::chmod(key_file.c_str(), 0600);
  }

  void write_config(const PebbleOptions& options) {
    nlohmann::json p = {
        {"listenAddress", "127.0.0.1:" + std::to_string(acme_port)},
        {"managementListenAddress", "127.0.0.1:" + std::to_string(mgmt_port)},
        {"certificate", cert_file},
        {"privateKey", key_file},
        {"httpPort", http01_port},
        {"tlsPort", tlsalpn01_port},
        {"ocspResponderURL", ""},
        {"externalAccountBindingRequired", options.eab},
    };
    if (options.eab) {
      // The two keys of /usr/share/doc/pebble/examples/pebble-config-external-account-bindings.json.
      p["externalAccountMACKeys"] = {
          {kEabKid, kEabHmacKey},
          {"kid-2", "b10lLJs8l1GPIzsLP0s6pMt8O0XVGnfTaCeROxQM0BIt2XrJMDHJZBM5NuQmQJQH"},
      };
    }
    if (options.certificate_validity > 0) p["certificateValidityPeriod"] = options.certificate_validity;
    config_file = pki.write("pebble-config.json", nlohmann::json{{"pebble", p}}.dump(2));
  }

  std::map<std::string, std::string> pebble_env(const PebbleOptions& options) const {
    std::map<std::string, std::string> env = {{"PEBBLE_VA_NOSLEEP", "1"}};
    if (options.always_valid) env["PEBBLE_VA_ALWAYS_VALID"] = "1";
    if (options.alternate_roots > 0) env["PEBBLE_ALTERNATE_ROOTS"] = std::to_string(options.alternate_roots);
    for (const auto& [k, v] : options.extra_env) env[k] = v;
    return env;
  }

  void launch(const PebbleOptions& options) {
    std::vector<int> ports = free_ports(6);
    dns_port = ports[0];
    cts_mgmt_port = ports[1];
    acme_port = ports[2];
    mgmt_port = ports[3];
    http01_port = ports[4];
    tlsalpn01_port = ports[5];
    write_config(options);
    std::string dns = options.dns_server;
    if (dns.empty()) {
      dns = "127.0.0.1:" + std::to_string(dns_port);
      challtestsrv = spawn("pebble-challtestsrv",
                           {"-dns01", dns, "-management", "127.0.0.1:" + std::to_string(cts_mgmt_port),
                            "-defaultIPv4", "127.0.0.1", "-defaultIPv6", "", "-http01", "", "-https01", "",
                            "-tlsalpn01", ""},
                           {}, pki.path("challtestsrv.log"));
    }
    pebble = spawn("pebble", {"-config", config_file, "-dnsserver", dns}, pebble_env(options),
                   pki.path("pebble.log"));
  }

  bool https_ok(int port, const char* path) const {
    httplib::SSLClient client("127.0.0.1", port);
    client.set_ca_cert_path(ca_file.c_str());
    client.enable_server_certificate_verification(true);
    client.set_connection_timeout(0, 300'000);
    client.set_read_timeout(2, 0);
    auto res = client.Get(path);
    return res && res->status == 200;
  }

  bool challtestsrv_answers() const {
    httplib::Client client("127.0.0.1", cts_mgmt_port);
    client.set_connection_timeout(0, 300'000);
    client.set_read_timeout(2, 0);
    return static_cast<bool>(client.Get("/"));  // any HTTP answer will do
  }

  // "" when both answer within the bounded wait, else why not.
  std::string wait_ready() {
    const auto deadline = Clock::now() + kPebbleStartTimeout;
    while (Clock::now() < deadline) {
      for (PebbleChild* c : {&challtestsrv, &pebble}) {
        if (std::string why = exited(*c); !why.empty()) return why;
      }
      const bool challtestsrv_ready =
          challtestsrv.pid <= 0 || (connect_loopback(dns_port).valid() && challtestsrv_answers());
      if (challtestsrv_ready && https_ok(acme_port, "/dir") &&
          https_ok(mgmt_port, "/roots/0")) {
        return "";
      }
      std::this_thread::sleep_for(50ms);
    }
    return "not ready after 10 s";
  }

  void start(const PebbleOptions& options) {
    write_certificate();
    std::string why;
    for (int attempt = 1; attempt <= kPebbleStartAttempts; ++attempt) {
      launch(options);
      why = wait_ready();
      if (why.empty()) return;
      stop_all();
      const std::string logs = read_file(pebble.log) + read_file(challtestsrv.log);
      if (!is_port_clash(logs)) break;
      write_file(pebble.log, "");
      if (!challtestsrv.log.empty()) write_file(challtestsrv.log, "");
    }
    throw std::runtime_error("pebble fixture: " + why + "\n--- pebble.log:\n" + file_tail(pebble.log) +
                             "\n--- challtestsrv.log:\n" + file_tail(challtestsrv.log));
  }
};

Pebble::Pebble(const PebbleOptions& options) : impl_(std::make_unique<Impl>()) {
  impl_->start(options);  // on a throw, ~Impl (a finished member) stops the children
}

Pebble::~Pebble() = default;

std::string Pebble::directory_url() const {
  return "https://127.0.0.1:" + std::to_string(impl_->acme_port) + "/dir";
}

std::string Pebble::ca_file() const { return impl_->ca_file; }
int Pebble::http01_port() const { return impl_->http01_port; }
int Pebble::tlsalpn01_port() const { return impl_->tlsalpn01_port; }
int Pebble::dns_port() const { return impl_->dns_port; }

std::string Pebble::challtestsrv_management_url() const {
  return "http://127.0.0.1:" + std::to_string(impl_->cts_mgmt_port);
}

std::string Pebble::issuing_root_pem(int index) const {
  const std::string path = "/roots/" + std::to_string(index);
  httplib::SSLClient client("127.0.0.1", impl_->mgmt_port);
  client.set_ca_cert_path(impl_->ca_file.c_str());
  client.enable_server_certificate_verification(true);
  client.set_connection_timeout(2, 0);
  client.set_read_timeout(5, 0);
  auto res = client.Get(path.c_str());
  if (!res || res->status != 200) {
    throw std::runtime_error("pebble fixture: GET " + path + " failed: " +
                             (res ? std::to_string(res->status) : httplib::to_string(res.error())));
  }
  return res->body;
}

namespace {
void challtestsrv_post(int port, const char* path, const nlohmann::json& body) {
  httplib::Client client("127.0.0.1", port);
  client.set_connection_timeout(2, 0);
  client.set_read_timeout(5, 0);
  auto res = client.Post(path, body.dump(), "application/json");
  if (!res || res->status != 200) {
    throw std::runtime_error(std::string("pebble fixture: challtestsrv ") + path + " failed: " +
                             (res ? std::to_string(res->status) + " " + res->body
                                  : httplib::to_string(res.error())));
  }
}
}  // namespace

void Pebble::set_txt(const std::string& fqdn, const std::string& value) const {
  challtestsrv_post(impl_->cts_mgmt_port, "/set-txt", {{"host", fqdn}, {"value", value}});
}

void Pebble::clear_txt(const std::string& fqdn) const {
  challtestsrv_post(impl_->cts_mgmt_port, "/clear-txt", {{"host", fqdn}});
}

int Pebble::orders_in_log() const {
  std::ifstream log(impl_->pki.path("pebble.log"));
  std::string line;
  int orders = 0;
  while (std::getline(log, line)) {
    if (line.find("Added order ") != std::string::npos) ++orders;
  }
  return orders;
}

void Pebble::add_a(const std::string& host, const std::string& address) const {
  challtestsrv_post(impl_->cts_mgmt_port, "/add-a", {{"host", host}, {"addresses", nlohmann::json::array({address})}});
}

}  // namespace certkeeper::testing
