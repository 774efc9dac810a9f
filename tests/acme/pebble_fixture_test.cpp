// The pebble fixture itself: it starts real pebble + pebble-challtestsrv on
// loopback, their HTTPS and DNS answer, and nothing survives the fixture.
#include <arpa/inet.h>
#include <dirent.h>
#include <gtest/gtest.h>
#include <httplib.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdint>
#include <cstdio>
#include <nlohmann/json.hpp>
#include <stdexcept>
#include <string>
#include <vector>

#include "support/pebble.h"
#include "support/temp_dir.h"

namespace certkeeper::testing {
namespace {

// Our children whose command name starts with "pebble" (pebble and
// pebble-challtestsrv), from /proc.
std::vector<pid_t> pebble_children() {
  std::vector<pid_t> out;
  DIR* proc = ::opendir("/proc");
  if (!proc) return out;
  while (dirent* e = ::readdir(proc)) {
    const std::string name = e->d_name;
    if (name.find_first_not_of("0123456789") != std::string::npos) continue;
    const std::string stat = read_file("/proc/" + name + "/stat");
    // "pid (comm) state ppid ..."; comm may hold spaces, so split at the last ')'.
    const auto open = stat.find('('), close = stat.rfind(')');
    if (open == std::string::npos || close == std::string::npos) continue;
    const std::string comm = stat.substr(open + 1, close - open - 1);
    int ppid = 0;
    char state = 0;
    if (std::sscanf(stat.c_str() + close + 1, " %c %d", &state, &ppid) != 2) continue;
    if (ppid == ::getpid() && comm.rfind("pebble", 0) == 0) out.push_back(static_cast<pid_t>(std::stoi(name)));
  }
  ::closedir(proc);
  return out;
}

nlohmann::json get_directory(const Pebble& pebble) {
  httplib::SSLClient client("127.0.0.1", std::stoi(pebble.directory_url().substr(pebble.directory_url().rfind(':') + 1)));
  client.set_ca_cert_path(pebble.ca_file().c_str());
  client.enable_server_certificate_verification(true);
  client.set_connection_timeout(2, 0);
  client.set_read_timeout(5, 0);
  auto res = client.Get("/dir");
  if (!res) return nullptr;
  EXPECT_EQ(res->status, 200);
  return nlohmann::json::parse(res->body, nullptr, false);
}

// A DNS TXT query over UDP, built by hand (RFC 1035 §4.1): the strings of
// every TXT answer for `name`.
std::vector<std::string> query_txt(int port, const std::string& name) {
  std::string q = {'\x12', '\x34', '\x01', '\x00', '\x00', '\x01', '\x00', '\x00', '\x00', '\x00', '\x00', '\x00'};
  std::size_t start = 0;
  while (start < name.size()) {
    std::size_t dot = name.find('.', start);
    if (dot == std::string::npos) dot = name.size();
    q += static_cast<char>(dot - start);
    q += name.substr(start, dot - start);
    start = dot + 1;
  }
  q += std::string("\x00\x00\x10\x00\x01", 5);  // root label, QTYPE TXT, QCLASS IN

  int fd = ::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  EXPECT_GE(fd, 0);
  timeval tv{1, 0};
  ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<std::uint16_t>(port));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  unsigned char buf[4096];
  ssize_t n = -1;
  for (int attempt = 0; attempt < 3 && n < 0; ++attempt) {  // UDP: a bounded retry
    ::sendto(fd, q.data(), q.size(), 0, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
    n = ::recv(fd, buf, sizeof buf, 0);
  }
  ::close(fd);
  std::vector<std::string> out;
  if (n < 12) return out;
  const std::size_t len = static_cast<std::size_t>(n);
  auto u16 = [&](std::size_t at) { return at + 1 < len ? (buf[at] << 8) | buf[at + 1] : 0; };
  EXPECT_EQ(u16(0), 0x1234);
  const int answers = u16(6);
  std::size_t at = q.size();  // the question is echoed as sent
  for (int i = 0; i < answers && at < len; ++i) {
    if ((buf[at] & 0xc0) == 0xc0) {
      at += 2;  // a compression pointer
    } else {
      while (at < len && buf[at] != 0) at += buf[at] + 1u;
      at += 1;
    }
    const int type = u16(at);
    const std::size_t rdlen = static_cast<std::size_t>(u16(at + 8));
    at += 10;
    if (type == 16) {
      for (std::size_t p = at; p < at + rdlen && p < len; p += buf[p] + 1u) {
        out.emplace_back(reinterpret_cast<const char*>(buf + p + 1), std::min<std::size_t>(buf[p], len - p - 1));
      }
    }
    at += rdlen;
  }
  return out;
}

TEST(PebbleFixtureTest, ServesDirectoryRootAndDns) {
  std::vector<pid_t> children;
  {
    Pebble pebble;
    children = pebble_children();
    EXPECT_EQ(children.size(), 2u);

    const nlohmann::json dir = get_directory(pebble);
    ASSERT_TRUE(dir.is_object()) << dir;
    for (const char* key : {"newNonce", "newAccount", "newOrder"}) {
      ASSERT_TRUE(dir.contains(key)) << key;
      EXPECT_EQ(dir[key].get<std::string>().rfind("https://127.0.0.1:", 0), 0u);
    }
    EXPECT_FALSE(dir["meta"].value("externalAccountRequired", true));
    EXPECT_EQ(pebble.directory_url().rfind("https://127.0.0.1:", 0), 0u);
    EXPECT_GT(pebble.http01_port(), 0);
    EXPECT_GT(pebble.tlsalpn01_port(), 0);
    EXPECT_NE(pebble.http01_port(), pebble.tlsalpn01_port());

    const std::string root = pebble.issuing_root_pem();
    EXPECT_EQ(root.rfind("-----BEGIN CERTIFICATE-----", 0), 0u) << root;

    const std::string fqdn = "_acme-challenge.fixture.test.";
    EXPECT_TRUE(query_txt(pebble.dns_port(), fqdn).empty());
    pebble.set_txt(fqdn, "token-value-1");
    EXPECT_EQ(query_txt(pebble.dns_port(), fqdn), std::vector<std::string>{"token-value-1"});
    pebble.clear_txt(fqdn);
    EXPECT_TRUE(query_txt(pebble.dns_port(), fqdn).empty());
  }
  ASSERT_FALSE(children.empty());
  for (pid_t pid : children) {
    errno = 0;
    EXPECT_EQ(::kill(pid, 0), -1) << "pid " << pid << " survived the fixture";
    EXPECT_EQ(errno, ESRCH);
  }
  EXPECT_TRUE(pebble_children().empty());
}

TEST(PebbleFixtureTest, EabVariantRequiresExternalAccount) {
  PebbleOptions options;
  options.eab = true;
  options.certificate_validity = 3600;
  Pebble pebble(options);
  const nlohmann::json dir = get_directory(pebble);
  ASSERT_TRUE(dir.is_object());
  EXPECT_TRUE(dir["meta"].value("externalAccountRequired", false)) << dir;
}

TEST(PebbleFixtureTest, FailedStartThrowsWithTheLogAndLeavesNothingRunning) {
  PebbleOptions options;
  options.extra_env["PEBBLE_CHAIN_LENGTH"] = "0";  // pebble 2.4.0 panics at start
  try {
    Pebble pebble(options);
    ADD_FAILURE() << "pebble started with PEBBLE_CHAIN_LENGTH=0";
  } catch (const std::runtime_error& e) {
    const std::string what = e.what();
    EXPECT_NE(what.find("pebble exited with status"), std::string::npos) << what;
    EXPECT_NE(what.find("--- pebble.log:"), std::string::npos) << what;
  }
  EXPECT_TRUE(pebble_children().empty());  // challtestsrv, already up, was stopped too
}

TEST(PebbleFixtureTest, TwoAtOnceGetTheirOwnPorts) {
  Pebble a, b;
  EXPECT_NE(a.directory_url(), b.directory_url());
  EXPECT_NE(a.dns_port(), b.dns_port());
  EXPECT_NE(a.issuing_root_pem(), b.issuing_root_pem());  // a new root on every start
}

}  // namespace
}  // namespace certkeeper::testing
