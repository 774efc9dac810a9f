// The HTTP client's contract (http_client.h), for both implementations (our
// own on OpenSSL, libcurl's), against a real HTTPS server on loopback
// (cpp-httplib) with a certificate from the generated test PKI.
#include <gtest/gtest.h>
#include <httplib.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <condition_variable>
#include <cstdlib>
#include <ctime>
#include <mutex>
#include <thread>

#include "certkeeper/net/http_client.h"
#include "support/loopback.h"
#include "support/test_pki.h"

namespace certkeeper::net {
namespace {

using namespace std::chrono_literals;
using testing::CertOptions;
using testing::TestPki;

// A loopback server (HTTPS or plain) running on its own thread until the
// end of the test.
class LoopbackServer {
 public:
  explicit LoopbackServer(std::unique_ptr<httplib::Server> server) : server_(std::move(server)) {}
  ~LoopbackServer() { stop(); }

  httplib::Server& routes() { return *server_; }

  void start(const char* scheme) {
    port_ = server_->bind_to_any_port("127.0.0.1");
    ASSERT_GT(port_, 0);
    base_ = std::string(scheme) + "://127.0.0.1:" + std::to_string(port_);
    thread_ = std::thread([this] { server_->listen_after_bind(); });
    for (int i = 0; i < 200 && !server_->is_running(); ++i) std::this_thread::sleep_for(5ms);
  }

  void stop() {
    if (thread_.joinable()) {
      server_->stop();
      thread_.join();
    }
  }

  int port() const { return port_; }
  std::string url(const std::string& path) const { return base_ + path; }

 private:
  std::unique_ptr<httplib::Server> server_;
  std::thread thread_;
  int port_ = 0;
  std::string base_;
};

using ClientFactory = std::unique_ptr<HttpClient> (*)(const HttpOptions&);

struct Implementation {
  const char* name;
  ClientFactory make;
};

const Implementation kImplementations[] = {{"openssl", &make_openssl_client}, {"curl", &make_curl_client}};

std::string implementation_name(const ::testing::TestParamInfo<Implementation>& info) { return info.param.name; }

// A real HTTPS server with the routes the tests ask for.
class HttpsServerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    CertOptions options;
    options.cn = "127.0.0.1";
    options.dns = {"localhost"};
    options.ips = {"127.0.0.1"};
    const testing::Cert cert = pki_.issue(options, pki_.root());
    const std::string cert_file = pki_.write("server.pem", cert.pem());
    const std::string key_file = pki_.write("server-key.pem", cert.key().pem());
    ca_file_ = pki_.write("ca.pem", pki_.root().pem());
    other_ca_file_ = pki_.write("other-ca.pem", pki_.other_root().pem());

    auto ssl = std::make_unique<httplib::SSLServer>(cert_file.c_str(), key_file.c_str());
    ASSERT_TRUE(ssl->is_valid());
    server_ = std::make_unique<LoopbackServer>(std::move(ssl));
    add_routes(server_->routes());
    server_->routes().set_keep_alive_max_count(100);
    server_->start("https");
  }

  void TearDown() override {
    {
      std::lock_guard<std::mutex> lock(mutex_);
      released_ = true;
    }
    released_cv_.notify_all();
    server_.reset();
  }

  void add_routes(httplib::Server& s) {
    s.Get("/hello", [](const httplib::Request&, httplib::Response& res) {
      res.set_header("Replay-Nonce", "nonce-1");
      res.set_content("hello", "text/plain");
    });
    s.Post("/echo", [](const httplib::Request& req, httplib::Response& res) {
      res.status = 201;
      res.set_header("X-Got-Type", req.get_header_value("Content-Type"));
      res.set_header("X-Got-Agent", req.get_header_value("User-Agent"));
      res.set_content("echo:" + req.body, "text/plain");
    });
    s.Get("/links", [this](const httplib::Request&, httplib::Response& res) {
      res.set_header("Link", "<" + server_->url("/alt/1") + ">;rel=\"alternate\"");
      res.set_header("Link", "</dir>;rel=\"index\"");
      res.set_header("Link", "</alt/2>; rel=\"alternate\"");
      res.set_content("{}", "application/json");
    });
    s.Get("/missing", [](const httplib::Request&, httplib::Response& res) {
      res.status = 404;
      res.set_content("secret-problem-body", "application/problem+json");
    });
    s.Get("/redirect", [](const httplib::Request&, httplib::Response& res) {
      res.set_header("X-Hop", "first");
      res.set_redirect("/hello");
    });
    s.Get("/to-http", [this](const httplib::Request&, httplib::Response& res) {
      res.set_redirect("http://127.0.0.1:" + std::to_string(server_->port()) + "/hello");
    });
    s.Get("/loop", [](const httplib::Request&, httplib::Response& res) { res.set_redirect("/loop"); });
    s.Get("/big", [](const httplib::Request&, httplib::Response& res) {
      res.set_content(std::string(5000, 'B'), "application/octet-stream");
    });
    s.Get("/exact", [](const httplib::Request&, httplib::Response& res) {
      res.set_content(std::string(1000, 'E'), "application/octet-stream");
    });
    s.Get("/slow", [this](const httplib::Request&, httplib::Response& res) {
      // Sleeps up to 2 s, but wakes at once when the test ends.
      std::unique_lock<std::mutex> lock(mutex_);
      released_cv_.wait_for(lock, 2s, [this] { return released_; });
      res.set_content("late", "text/plain");
    });
    s.Get("/chunked", [](const httplib::Request&, httplib::Response& res) {
      res.set_chunked_content_provider("text/plain", [](std::size_t offset, httplib::DataSink& sink) {
        if (offset < 3 * 4000) {
          const std::string piece(4000, static_cast<char>('a' + offset / 4000));
          sink.write(piece.data(), piece.size());
        } else {
          sink.done();
        }
        return true;
      });
    });
    s.Post("/post-then-see-other", [](const httplib::Request&, httplib::Response& res) {
      res.set_redirect("/hello", 303);
    });
    s.Get("/port", [](const httplib::Request& req, httplib::Response& res) {
      res.set_content(std::to_string(req.remote_port), "text/plain");
    });
  }

  HttpOptions trusting() const {
    HttpOptions options;
    options.ca_file = ca_file_;
    options.timeout = 5000ms;
    options.connect_timeout = 2000ms;
    return options;
  }

  static HttpRequest get(const std::string& url) {
    HttpRequest r;
    r.url = url;
    return r;
  }

  TestPki pki_{static_cast<UnixTime>(std::time(nullptr))};
  std::string ca_file_;
  std::string other_ca_file_;
  std::mutex mutex_;
  std::condition_variable released_cv_;
  bool released_ = false;
  std::unique_ptr<LoopbackServer> server_;
};

// The contract, for each implementation.
class HttpClientTest : public HttpsServerTest, public ::testing::WithParamInterface<Implementation> {
 protected:
  static std::unique_ptr<HttpClient> make_client(const HttpOptions& options) { return GetParam().make(options); }
};

TEST_P(HttpClientTest, GetReturnsStatusBodyAndLowerCasedHeaders) {
  auto client = make_client(trusting());
  Result<HttpResponse> r = client->send(get(server_->url("/hello")));
  ASSERT_TRUE(r) << r.error().what();
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->body, "hello");
  EXPECT_EQ(r->url, server_->url("/hello"));
  EXPECT_EQ(r->header("Replay-Nonce"), "nonce-1");
  bool found = false;
  for (const auto& [name, value] : r->headers) {
    if (name == "replay-nonce") found = value == "nonce-1";
    EXPECT_EQ(name.find_first_of("ABCDEFGHIJKLMNOPQRSTUVWXYZ"), std::string::npos) << name;
    EXPECT_TRUE(value.empty() || (value.front() != ' ' && value.back() != '\r' && value.back() != '\n')) << value;
  }
  EXPECT_TRUE(found);
  EXPECT_EQ(r->header("content-type"), "text/plain");
}

TEST_P(HttpClientTest, PostSendsBodyHeadersAndUserAgent) {
  HttpOptions options = trusting();
  options.user_agent = "certkeeper-test/9";
  auto client = make_client(options);
  HttpRequest req;
  req.method = "POST";
  req.url = server_->url("/echo");
  req.headers = {{"Content-Type", "application/jose+json"}};
  req.body = R"({"protected":"x","payload":"","signature":"y"})";
  Result<HttpResponse> r = client->send(req);
  ASSERT_TRUE(r) << r.error().what();
  EXPECT_EQ(r->status, 201);
  EXPECT_EQ(r->body, "echo:" + req.body);
  EXPECT_EQ(r->header("x-got-type"), "application/jose+json");
  EXPECT_EQ(r->header("x-got-agent"), "certkeeper-test/9");
}

TEST_P(HttpClientTest, HeadHasHeadersButNoBody) {
  auto client = make_client(trusting());
  HttpRequest req = get(server_->url("/hello"));
  req.method = "HEAD";
  Result<HttpResponse> r = client->send(req);
  ASSERT_TRUE(r) << r.error().what();
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->body, "");
  EXPECT_EQ(r->header("replay-nonce"), "nonce-1");
  // The handle is reused: a GET after a HEAD has its body again.
  Result<HttpResponse> again = client->send(get(server_->url("/hello")));
  ASSERT_TRUE(again) << again.error().what();
  EXPECT_EQ(again->body, "hello");
}

TEST_P(HttpClientTest, ErrorStatusIsAResponseNotAnError) {
  auto client = make_client(trusting());
  Result<HttpResponse> r = client->send(get(server_->url("/missing")));
  ASSERT_TRUE(r) << r.error().what();
  EXPECT_EQ(r->status, 404);
  EXPECT_EQ(r->header("content-type"), "application/problem+json");
}

TEST_P(HttpClientTest, RepeatedLinkHeadersAllArriveAndResolve) {
  auto client = make_client(trusting());
  Result<HttpResponse> r = client->send(get(server_->url("/links")));
  ASSERT_TRUE(r) << r.error().what();
  EXPECT_EQ(r->header_values("link").size(), 3u);
  EXPECT_EQ(r->links("alternate"), (std::vector<std::string>{server_->url("/alt/1"), server_->url("/alt/2")}));
  EXPECT_EQ(r->links("index"), std::vector<std::string>{server_->url("/dir")});
  EXPECT_TRUE(r->links("up").empty());
}

TEST_P(HttpClientTest, FollowsRedirectsAndKeepsOnlyTheFinalHeaders) {
  auto client = make_client(trusting());
  Result<HttpResponse> r = client->send(get(server_->url("/redirect")));
  ASSERT_TRUE(r) << r.error().what();
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->body, "hello");
  EXPECT_EQ(r->url, server_->url("/hello"));
  EXPECT_EQ(r->header("x-hop"), "");
  EXPECT_EQ(r->header("location"), "");
  EXPECT_EQ(r->header_values("replay-nonce").size(), 1u);
}

TEST_P(HttpClientTest, TooManyRedirectsIsAnError) {
  HttpOptions options = trusting();
  options.max_redirects = 3;
  auto client = make_client(options);
  Result<HttpResponse> r = client->send(get(server_->url("/loop")));
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, Errc::network);
  EXPECT_NE(r.error().message.find("more than 3 redirects"), std::string::npos) << r.error().what();
}

TEST_P(HttpClientTest, BodyOverMaxBodyIsAnErrorNotATruncation) {
  HttpOptions options = trusting();
  options.max_body = 1000;
  auto client = make_client(options);
  Result<HttpResponse> r = client->send(get(server_->url("/big")));
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, Errc::network);
  EXPECT_EQ(r.error().message, "response larger than 1000 bytes");
  EXPECT_EQ(r.error().subject, server_->url("/big"));
  // A body of exactly max_body is fine, on the same client.
  Result<HttpResponse> exact = client->send(get(server_->url("/exact")));
  ASSERT_TRUE(exact) << exact.error().what();
  EXPECT_EQ(exact->body.size(), 1000u);
}

TEST_P(HttpClientTest, SlowServerTimesOut) {
  HttpOptions options = trusting();
  options.timeout = 300ms;
  auto client = make_client(options);
  const auto start = std::chrono::steady_clock::now();
  Result<HttpResponse> r = client->send(get(server_->url("/slow")));
  const auto elapsed = std::chrono::steady_clock::now() - start;
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, Errc::network);
  EXPECT_NE(r.error().message.find("timed out"), std::string::npos) << r.error().what();
  EXPECT_EQ(r.error().subject, server_->url("/slow"));
  EXPECT_LT(elapsed, 1500ms);
}

TEST_P(HttpClientTest, UntrustedCertificateIsATlsError) {
  HttpOptions options;  // the system store does not know the test root
  options.timeout = 5000ms;
  auto client = make_client(options);
  Result<HttpResponse> r = client->send(get(server_->url("/hello")));
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, Errc::network);
  EXPECT_NE(r.error().message.find("TLS verify failed"), std::string::npos) << r.error().what();
  EXPECT_EQ(r.error().subject, server_->url("/hello"));
}

TEST_P(HttpClientTest, CaFileOfAnotherCaIsATlsError) {
  HttpOptions options = trusting();
  options.ca_file = other_ca_file_;
  auto client = make_client(options);
  Result<HttpResponse> r = client->send(get(server_->url("/hello")));
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().message.find("TLS verify failed"), std::string::npos) << r.error().what();
}

TEST_P(HttpClientTest, MissingCaFileIsAnError) {
  HttpOptions options = trusting();
  options.ca_file = pki_.path("no-such-ca.pem");
  auto client = make_client(options);
  Result<HttpResponse> r = client->send(get(server_->url("/hello")));
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, Errc::network);
  EXPECT_NE(r.error().message.find("no-such-ca.pem"), std::string::npos) << r.error().what();
}

TEST_P(HttpClientTest, PlainHttpUrlIsRefused) {
  auto client = make_client(trusting());
  Result<HttpResponse> r = client->send(get("http://127.0.0.1:" + std::to_string(server_->port()) + "/hello"));
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, Errc::network);
  EXPECT_NE(r.error().message.find("https://"), std::string::npos) << r.error().what();
  EXPECT_EQ(client->requests_sent(), 0u);
}

TEST_P(HttpClientTest, RedirectToHttpIsRefused) {
  auto client = make_client(trusting());
  Result<HttpResponse> r = client->send(get(server_->url("/to-http")));
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, Errc::network);
  EXPECT_NE(r.error().message.find("refused a redirect to http://127.0.0.1"), std::string::npos)
      << r.error().what();
  EXPECT_EQ(r.error().subject, server_->url("/to-http"));
}

TEST_P(HttpClientTest, ConnectionRefusedIsANetworkError) {
  const int closed_port = testing::free_ports(1).front();  // bound once, then closed
  ASSERT_GT(closed_port, 0);
  auto client = make_client(trusting());
  const std::string url = "https://127.0.0.1:" + std::to_string(closed_port) + "/";
  Result<HttpResponse> r = client->send(get(url));
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, Errc::network);
  EXPECT_NE(r.error().message.find("connect refused"), std::string::npos) << r.error().what();
  EXPECT_EQ(r.error().subject, url);
}

TEST_P(HttpClientTest, CountsRequestsSent) {
  auto client = make_client(trusting());
  EXPECT_EQ(client->requests_sent(), 0u);
  ASSERT_TRUE(client->send(get(server_->url("/hello"))));
  ASSERT_TRUE(client->send(get(server_->url("/missing"))));
  HttpRequest head = get(server_->url("/hello"));
  head.method = "HEAD";
  ASSERT_TRUE(client->send(head));
  EXPECT_EQ(client->requests_sent(), 3u);
}

TEST_P(HttpClientTest, KeepsTheConnectionAliveAcrossRequests) {
  auto client = make_client(trusting());
  std::string first_port;
  for (int i = 0; i < 5; ++i) {
    HttpRequest req = get(server_->url("/port"));
    if (i % 2 == 1) {
      req.method = "POST";  // a POST in between keeps the same connection too
      req.url = server_->url("/echo");
    }
    Result<HttpResponse> r = client->send(req);
    ASSERT_TRUE(r) << r.error().what();
    if (req.method == "POST") continue;
    if (first_port.empty()) first_port = r->body;
    EXPECT_EQ(r->body, first_port) << "request " << i << " used a new connection";
  }
  EXPECT_EQ(client->requests_sent(), 5u);
}

TEST_P(HttpClientTest, ChunkedBodyArrivesWhole) {
  auto client = make_client(trusting());
  Result<HttpResponse> r = client->send(get(server_->url("/chunked")));
  ASSERT_TRUE(r) << r.error().what();
  EXPECT_EQ(r->body, std::string(4000, 'a') + std::string(4000, 'b') + std::string(4000, 'c'));
  // The connection stays usable after a chunked body.
  Result<HttpResponse> after = client->send(get(server_->url("/hello")));
  ASSERT_TRUE(after) << after.error().what();
  EXPECT_EQ(after->body, "hello");
}

TEST_P(HttpClientTest, SeeOtherAfterAPostIsFollowedWithAGet) {
  auto client = make_client(trusting());
  HttpRequest req;
  req.method = "POST";
  req.url = server_->url("/post-then-see-other");
  req.headers = {{"Content-Type", "application/jose+json"}};
  req.body = "{}";
  Result<HttpResponse> r = client->send(req);
  ASSERT_TRUE(r) << r.error().what();
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->body, "hello");
  EXPECT_EQ(r->url, server_->url("/hello"));
}

TEST_P(HttpClientTest, AConnectionTheServerClosedWhileIdleIsReplaced) {
  server_->routes().set_keep_alive_timeout(1);
  auto client = make_client(trusting());
  Result<HttpResponse> first = client->send(get(server_->url("/port")));
  ASSERT_TRUE(first) << first.error().what();
  std::this_thread::sleep_for(1500ms);  // the server's keep-alive timeout is whole seconds
  Result<HttpResponse> second = client->send(get(server_->url("/port")));
  ASSERT_TRUE(second) << second.error().what();
  EXPECT_NE(second->body, first->body) << "the closed connection was used again";
}

using HttpClientChoiceTest = HttpsServerTest;

// A proxy that refuses every tunnel, and remembers what it was asked.
class RefusingProxy {
 public:
  RefusingProxy() : listener_(testing::bind_loopback(SOCK_STREAM, 0)) {
    ::listen(listener_.get(), 4);
    thread_ = std::thread([this] {
      UniqueFd client(::accept(listener_.get(), nullptr, nullptr));
      if (!client.valid()) return;
      char buffer[2048];
      const ssize_t n = ::recv(client.get(), buffer, sizeof buffer, 0);
      if (n > 0) asked_.assign(buffer, static_cast<std::size_t>(n));
      const std::string refusal = "HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\n\r\n";
      (void)::send(client.get(), refusal.data(), refusal.size(), MSG_NOSIGNAL);
    });
  }
  ~RefusingProxy() {
    ::shutdown(listener_.get(), SHUT_RDWR);  // wakes accept() when nobody came
    thread_.join();
  }
  std::string url() const { return "http://127.0.0.1:" + std::to_string(testing::bound_port(listener_.get())); }
  const std::string& asked() const { return asked_; }  // read after the destructor ran or the request ended

 private:
  UniqueFd listener_;
  std::string asked_;
  std::thread thread_;
};

// make_http_client hands the request to libcurl when the environment names a
// proxy (our own client speaks no proxy protocol), and goes direct otherwise.
TEST_F(HttpClientChoiceTest, AProxyInTheEnvironmentIsUsed) {
  RefusingProxy proxy;
  ::setenv("https_proxy", proxy.url().c_str(), 1);
  auto via_proxy = make_http_client(trusting());
  Result<HttpResponse> refused = via_proxy->send(get(server_->url("/hello")));
  ::unsetenv("https_proxy");
  ASSERT_FALSE(refused) << "the request went around the proxy";
  EXPECT_EQ(proxy.asked().rfind("CONNECT 127.0.0.1:" + std::to_string(server_->port()) + " HTTP/1.1", 0), 0u)
      << proxy.asked();

  auto direct = make_http_client(trusting());
  Result<HttpResponse> r = direct->send(get(server_->url("/hello")));
  ASSERT_TRUE(r) << r.error().what();
  EXPECT_EQ(r->body, "hello");
}

INSTANTIATE_TEST_SUITE_P(Both, HttpClientTest, ::testing::ValuesIn(kImplementations), implementation_name);

class HttpClientPlainTest : public ::testing::TestWithParam<Implementation> {};

TEST_P(HttpClientPlainTest, PlainHttpWorksOnlyWhenAllowed) {
  LoopbackServer server(std::make_unique<httplib::Server>());
  server.routes().Get("/hi", [](const httplib::Request&, httplib::Response& res) { res.set_content("hi", "text/plain"); });
  server.start("http");
  HttpOptions options;
  options.https_only = false;
  options.timeout = 5000ms;
  auto client = GetParam().make(options);
  HttpRequest req;
  req.url = server.url("/hi");
  Result<HttpResponse> r = client->send(req);
  ASSERT_TRUE(r) << r.error().what();
  EXPECT_EQ(r->body, "hi");
}

INSTANTIATE_TEST_SUITE_P(Both, HttpClientPlainTest, ::testing::ValuesIn(kImplementations), implementation_name);

}  // namespace
}  // namespace certkeeper::net
