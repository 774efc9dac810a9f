#include <gtest/gtest.h>
#include <httplib.h>

#include <atomic>
#include <memory>
#include <thread>
#include <vector>

#include "certkeeper/challenge/solver.h"
#include "challenge/challenge_fixture.h"

namespace certkeeper::challenge {
namespace {

using testing::free_port;
using testing::loopback;
using testing::PortHolder;
using testing::task_of;
using testing::token_of;

// Every wait bounded: refusals come at once, answers within a second.
httplib::Result get(const std::string& host, int port, const std::string& path) {
  httplib::Client client(host, port);
  client.set_connection_timeout(0, 500'000);
  client.set_read_timeout(2, 0);
  client.set_keep_alive(false);
  return client.Get(path.c_str());
}

httplib::Result get(int port, const std::string& path) { return get("127.0.0.1", port, path); }

std::string challenge_path(const std::string& token) { return "/.well-known/acme-challenge/" + token; }

TEST(HttpStandaloneSolver, AnswersActiveTokensOnlyWhileOpen) {
  int port = free_port();
  auto solver = make_http_standalone_solver(loopback(port));
  EXPECT_EQ(solver->type(), "http-01");
  Task task = task_of("http-01", "www.example.test", token_of('a'));

  auto before = get(port, challenge_path(task.token));
  ASSERT_FALSE(before);  // nothing listens before present()
  EXPECT_EQ(before.error(), httplib::Error::Connection);

  ASSERT_TRUE(solver->present(task));
  auto answer = get(port, challenge_path(task.token));
  ASSERT_TRUE(answer) << httplib::to_string(answer.error());
  EXPECT_EQ(answer->status, 200);
  EXPECT_EQ(answer->body, task.key_authorization);
  // RFC 8555 §8.3's example answers as application/octet-stream.
  EXPECT_EQ(answer->get_header_value("Content-Type"), "application/octet-stream");

  auto unknown = get(port, challenge_path(token_of('z')));
  ASSERT_TRUE(unknown);
  EXPECT_EQ(unknown->status, 404);
  EXPECT_EQ(unknown->body.find(task.key_authorization), std::string::npos);
  for (const char* other : {"/", "/index.html", "/.well-known/acme-challenge/", "/.well-known/other/x"}) {
    auto r = get(port, other);
    ASSERT_TRUE(r) << other;
    EXPECT_EQ(r->status, 404) << other;
  }
  auto nested = get(port, challenge_path(task.token) + "/x");
  ASSERT_TRUE(nested);
  EXPECT_EQ(nested->status, 404);

  solver->cleanup(task);
  auto after = get(port, challenge_path(task.token));
  ASSERT_FALSE(after);  // the port is free again
  EXPECT_EQ(after.error(), httplib::Error::Connection);
  EXPECT_TRUE(testing::can_listen_on(port));
}

TEST(HttpStandaloneSolver, ServesTwoTokensAndStopsAfterTheLast) {
  int port = free_port();
  auto solver = make_http_standalone_solver(loopback(port));
  Task a = task_of("http-01", "a.example.test", token_of('a'));
  Task b = task_of("http-01", "b.example.test", token_of('b'));
  ASSERT_TRUE(solver->present(a));
  ASSERT_TRUE(solver->present(b));
  EXPECT_EQ(get(port, challenge_path(a.token))->body, a.key_authorization);
  EXPECT_EQ(get(port, challenge_path(b.token))->body, b.key_authorization);

  solver->cleanup(a);
  auto gone = get(port, challenge_path(a.token));
  ASSERT_TRUE(gone);  // still listening for b
  EXPECT_EQ(gone->status, 404);
  EXPECT_EQ(get(port, challenge_path(b.token))->body, b.key_authorization);

  solver->cleanup(b);
  EXPECT_FALSE(get(port, challenge_path(b.token)));

  // And it opens again for the next order.
  ASSERT_TRUE(solver->present(a));
  EXPECT_EQ(get(port, challenge_path(a.token))->body, a.key_authorization);
  solver->cleanup(a);
  EXPECT_FALSE(get(port, challenge_path(a.token)));
}

TEST(HttpStandaloneSolver, IsSafeForParallelOrders) {
  int port = free_port();
  auto solver = make_http_standalone_solver(loopback(port));
  std::atomic<int> failures{0};
  std::vector<std::thread> threads;
  for (char c : {'a', 'b', 'c', 'd'}) {
    threads.emplace_back([&, c] {
      for (int round = 0; round < 5; ++round) {
        Task task = task_of("http-01", std::string(1, c) + ".example.test", token_of(c));
        if (!solver->present(task)) {
          ++failures;
          continue;
        }
        auto r = get(port, challenge_path(task.token));
        if (!r || r->status != 200 || r->body != task.key_authorization) ++failures;
        solver->cleanup(task);
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(failures.load(), 0);
  EXPECT_FALSE(get(port, "/"));
}

TEST(HttpStandaloneSolver, TwoSolversOnOneAddressShareItsListener) {
  // renew's workers each make their own solver for the same --listen: the
  // second must not fail with "Address already in use".
  int port = free_port();
  auto first = make_http_standalone_solver(loopback(port), std::chrono::seconds(0));
  auto second = make_http_standalone_solver(loopback(port), std::chrono::seconds(0));
  Task a = task_of("http-01", "a.example.test", token_of('a'));
  Task b = task_of("http-01", "b.example.test", token_of('b'));
  ASSERT_TRUE(first->present(a));
  auto shown = second->present(b);
  ASSERT_TRUE(shown) << shown.error().what();
  EXPECT_EQ(get(port, challenge_path(a.token))->body, a.key_authorization);
  EXPECT_EQ(get(port, challenge_path(b.token))->body, b.key_authorization);
  first->cleanup(a);
  EXPECT_EQ(get(port, challenge_path(a.token))->status, 404);
  EXPECT_EQ(get(port, challenge_path(b.token))->body, b.key_authorization) << "still listening for the other";
  second->cleanup(b);
  EXPECT_FALSE(get(port, "/"));
  EXPECT_TRUE(testing::can_listen_on(port));
}

TEST(HttpStandaloneSolver, APortHeldByAnotherProgramIsWaitedFor) {
  auto taken = std::make_unique<PortHolder>();
  int port = taken->port();
  auto solver = make_http_standalone_solver(loopback(port), std::chrono::seconds(10));
  Task task = task_of("http-01", "www.example.test", token_of('w'));
  std::thread release([&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(300));
    taken.reset();
  });
  auto start = std::chrono::steady_clock::now();
  auto shown = solver->present(task);
  release.join();
  ASSERT_TRUE(shown) << shown.error().what();
  EXPECT_GE(std::chrono::steady_clock::now() - start, std::chrono::milliseconds(250)) << "it waited";
  EXPECT_EQ(get(port, challenge_path(task.token))->body, task.key_authorization);
  solver->cleanup(task);
}

TEST(HttpStandaloneSolver, APortHeldPastTheWaitFailsSayingHowLongItWaited) {
  PortHolder taken;
  auto solver = make_http_standalone_solver(loopback(taken.port()), std::chrono::seconds(1));
  auto s = solver->present(task_of("http-01", "www.example.test", token_of('x')));
  ASSERT_FALSE(s);
  EXPECT_EQ(s.error().code, Errc::io);
  EXPECT_NE(s.error().message.find("cannot listen on " + loopback(taken.port())), std::string::npos)
      << s.error().message;
  EXPECT_NE(s.error().message.find("waited 1 s"), std::string::npos) << s.error().message;
}

TEST(HttpStandaloneSolver, APortInUseIsAClearError) {
  PortHolder taken;
  auto solver = make_http_standalone_solver(loopback(taken.port()), std::chrono::seconds(0));
  Task task = task_of("http-01", "www.example.test", token_of('a'));
  auto s = solver->present(task);
  ASSERT_FALSE(s);
  EXPECT_EQ(s.error().code, Errc::io);
  EXPECT_NE(s.error().message.find(loopback(taken.port())), std::string::npos) << s.error().message;
  EXPECT_NE(s.error().message.find("in use"), std::string::npos) << s.error().message;
  EXPECT_NE(s.error().message.find("stop it"), std::string::npos) << s.error().message;
  solver->cleanup(task);  // safe after a failed present()
}

TEST(HttpStandaloneSolver, RefusesMalformedListenAddressesAndUnsafeTokens) {
  for (const char* listen : {"nonsense", "127.0.0.1", "127.0.0.1:", "127.0.0.1:0", "127.0.0.1:65536",
                             "127.0.0.1:80x", "::1:80", "[::1]80", "[]:80"}) {
    auto solver = make_http_standalone_solver(listen);
    auto s = solver->present(task_of("http-01", "www.example.test", token_of('a')));
    ASSERT_FALSE(s) << listen;
    EXPECT_EQ(s.error().code, Errc::usage) << listen;
  }
  int port = free_port();
  auto solver = make_http_standalone_solver(loopback(port));
  auto s = solver->present(task_of("http-01", "www.example.test", "../../etc/passwd"));
  ASSERT_FALSE(s);
  EXPECT_EQ(s.error().code, Errc::ca_failed);
  EXPECT_FALSE(get(port, "/"));  // and it did not start listening for it
}

TEST(HttpStandaloneSolver, ListensOnIPv6Loopback) {
  int port = free_port();
  auto solver = make_http_standalone_solver("[::1]:" + std::to_string(port));
  Task task = task_of("http-01", "www.example.test", token_of('6'));
  auto s = solver->present(task);
  if (!s && s.error().message.find("no such address") != std::string::npos) GTEST_SKIP() << "no IPv6 loopback here";
  ASSERT_TRUE(s) << s.error().what();
  auto r = get("::1", port, challenge_path(task.token));
  ASSERT_TRUE(r) << httplib::to_string(r.error());
  EXPECT_EQ(r->body, task.key_authorization);
  solver->cleanup(task);
}

TEST(HttpStandaloneSolver, DestroyingItWhileOpenStopsTheServer) {
  int port = free_port();
  {
    auto solver = make_http_standalone_solver(loopback(port));
    ASSERT_TRUE(solver->present(task_of("http-01", "www.example.test", token_of('a'))));
  }
  EXPECT_FALSE(get(port, "/"));
}

}  // namespace
}  // namespace certkeeper::challenge
