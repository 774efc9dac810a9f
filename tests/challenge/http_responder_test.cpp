// The built-in http-01 responder byte for byte, from a raw socket: what it
// answers to requests an HTTP library would never send, and the bounds that
// keep one client from holding it up.
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <string>

#include "certkeeper/challenge/solver.h"
#include "challenge/challenge_fixture.h"

namespace certkeeper::challenge {
namespace {

using testing::free_port;
using testing::loopback;
using testing::task_of;
using testing::token_of;

int connect_to(int port) {
  int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<std::uint16_t>(port));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    ::close(fd);
    return -1;
  }
  return fd;
}

// Everything the server sends until it closes (at most 3 s).
std::string read_to_end(int fd) {
  std::string out;
  char buf[4096];
  auto give_up = std::chrono::steady_clock::now() + std::chrono::seconds(3);
  while (std::chrono::steady_clock::now() < give_up) {
    pollfd p{fd, POLLIN, 0};
    if (::poll(&p, 1, 100) <= 0) continue;
    ssize_t n = ::recv(fd, buf, sizeof buf, 0);
    if (n <= 0) break;
    out.append(buf, static_cast<std::size_t>(n));
  }
  return out;
}

// Sends `request` on a new connection and returns the whole answer.
std::string round_trip(int port, const std::string& request) {
  int fd = connect_to(port);
  if (fd < 0) return "(no connection)";
  ::send(fd, request.data(), request.size(), MSG_NOSIGNAL);
  std::string answer = read_to_end(fd);
  ::close(fd);
  return answer;
}

class HttpResponderTest : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_TRUE(solver_->present(task_)); }
  void TearDown() override { solver_->cleanup(task_); }

  std::string path() const { return "/.well-known/acme-challenge/" + task_.token; }

  int port_ = free_port();
  std::unique_ptr<Solver> solver_ = make_http_standalone_solver(loopback(port_), std::chrono::seconds(0));
  Task task_ = task_of("http-01", "www.example.test", token_of('r'));
};

TEST_F(HttpResponderTest, AnswersOneGetAndClosesTheConnection) {
  std::string answer = round_trip(port_, "GET " + path() + " HTTP/1.1\r\nHost: www.example.test\r\n\r\n");
  EXPECT_EQ(answer.rfind("HTTP/1.1 200 OK\r\n", 0), 0u) << answer;
  EXPECT_NE(answer.find("Content-Length: " + std::to_string(task_.key_authorization.size()) + "\r\n"),
            std::string::npos);
  EXPECT_NE(answer.find("Connection: close\r\n"), std::string::npos);
  EXPECT_EQ(answer.substr(answer.find("\r\n\r\n") + 4), task_.key_authorization) << "and then end of stream";
}

TEST_F(HttpResponderTest, HeadGetsTheHeadersOnly) {
  std::string answer = round_trip(port_, "HEAD " + path() + " HTTP/1.1\r\n\r\n");
  EXPECT_EQ(answer.rfind("HTTP/1.1 200 OK\r\n", 0), 0u) << answer;
  EXPECT_EQ(answer.substr(answer.find("\r\n\r\n") + 4), "");
}

TEST_F(HttpResponderTest, AbsoluteFormQueriesAndBareNewlinesAreUnderstood) {
  for (const std::string& request :
       {"GET http://www.example.test" + path() + " HTTP/1.1\r\n\r\n", "GET " + path() + "?x=1 HTTP/1.1\r\n\r\n",
        "GET " + path() + " HTTP/1.0\n\n"}) {
    std::string answer = round_trip(port_, request);
    EXPECT_EQ(answer.rfind("HTTP/1.1 200 OK\r\n", 0), 0u) << request << answer;
  }
}

TEST_F(HttpResponderTest, AnythingElseIsRefusedWithoutTheKeyAuthorization) {
  struct Case {
    std::string request;
    const char* status;
  };
  for (const Case& c : std::initializer_list<Case>{
           {"POST " + path() + " HTTP/1.1\r\nContent-Length: 0\r\n\r\n", "HTTP/1.1 405 "},
           {"GET /.well-known/acme-challenge/" + token_of('z') + " HTTP/1.1\r\n\r\n", "HTTP/1.1 404 "},
           {"GET /.well-known/acme-challenge/../" + task_.token + " HTTP/1.1\r\n\r\n", "HTTP/1.1 404 "},
           {"GET " + path() + "\r\n\r\n", "HTTP/1.1 400 "},
           {"GET " + path() + " SPDY/3\r\n\r\n", "HTTP/1.1 400 "},
           {"GET  " + path() + " HTTP/1.1\r\n\r\n", "HTTP/1.1 400 "},
           {"\x16\x03\x01\x02\x01\r\n\r\n", "HTTP/1.1 400 "},
       }) {
    std::string answer = round_trip(port_, c.request);
    EXPECT_EQ(answer.rfind(c.status, 0), 0u) << c.request << " -> " << answer;
    EXPECT_EQ(answer.find(task_.key_authorization), std::string::npos) << c.request;
  }
}

TEST_F(HttpResponderTest, ARequestLargerThan8KiBIsRefused) {
  std::string huge = "GET " + path() + " HTTP/1.1\r\nX: " + std::string(9000, 'a') + "\r\n\r\n";
  std::string answer = round_trip(port_, huge);
  EXPECT_EQ(answer.rfind("HTTP/1.1 400 ", 0), 0u) << answer.substr(0, 100);
}

TEST_F(HttpResponderTest, ARequestInPiecesIsAnsweredWhenComplete) {
  int fd = connect_to(port_);
  ASSERT_GE(fd, 0);
  std::string request = "GET " + path() + " HTTP/1.1\r\nHost: www.example.test\r\n\r\n";
  for (char c : request) {
    ASSERT_EQ(::send(fd, &c, 1, MSG_NOSIGNAL), 1);
  }
  std::string answer = read_to_end(fd);
  ::close(fd);
  EXPECT_EQ(answer.rfind("HTTP/1.1 200 OK\r\n", 0), 0u) << answer;
}

TEST_F(HttpResponderTest, SilentClientsHoldUpNeitherOthersNorTheEnd) {
  std::vector<int> idle;
  for (int i = 0; i < 10; ++i) idle.push_back(connect_to(port_));
  std::string answer = round_trip(port_, "GET " + path() + " HTTP/1.1\r\n\r\n");
  EXPECT_EQ(answer.rfind("HTTP/1.1 200 OK\r\n", 0), 0u) << answer;
  auto start = std::chrono::steady_clock::now();
  solver_->cleanup(task_);
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(1));
  EXPECT_EQ(connect_to(port_), -1) << "nothing listens after the last token";
  for (int fd : idle) ::close(fd);
}

}  // namespace
}  // namespace certkeeper::challenge
