// The HTTPS client's wire format (src/net/http_wire.h) and URL parts
// (src/net/url.h), fed a server's bytes through a scripted channel: every
// framing rule, bound and malformed answer, each cut into 1-byte reads as
// well as whole.
#include <gtest/gtest.h>

#include "net/http_wire.h"
#include "net/url.h"
#include "support/scripted_channel.h"

namespace certkeeper::net {
namespace {

using testing::ScriptedChannel;

class WireTest : public ::testing::TestWithParam<std::size_t> {
 protected:
  // The response to one request, read from `said` in reads of GetParam() bytes.
  Result<WireResponse> read(std::string_view said, bool head = false, std::size_t max_body = 1024) {
    ScriptedChannel server(said, GetParam());
    ResponseReader reader(server, max_body);
    auto r = reader.read(head);
    unread_ = server.unread();
    received_ = reader.received();
    return r;
  }
  std::size_t unread_ = 0;
  std::size_t received_ = 0;
};

TEST_P(WireTest, ContentLengthBodyAndLowerCasedHeaders) {
  auto r = read("HTTP/1.1 201 Created\r\nReplay-Nonce: abc \r\nLocation: /acct/1\r\nContent-Length: 5\r\n\r\nhelloNEXT");
  ASSERT_TRUE(r) << r.error().what();
  EXPECT_EQ(r->status, 201);
  EXPECT_EQ(r->body, "hello");
  EXPECT_TRUE(r->reusable);
  ASSERT_EQ(r->headers.size(), 3u);
  EXPECT_EQ(r->headers[0], (std::pair<std::string, std::string>{"replay-nonce", "abc"}));
  EXPECT_EQ(r->headers[1].first, "location");
}

TEST_P(WireTest, ChunkedBodyWithExtensionsAndTrailers) {
  auto r = read("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5;name=x\r\nhello\r\n6\r\n world\r\n0\r\nX-T: 1\r\n\r\n");
  ASSERT_TRUE(r) << r.error().what();
  EXPECT_EQ(r->body, "hello world");
  EXPECT_TRUE(r->reusable);
  EXPECT_EQ(unread_, 0u);
}

TEST_P(WireTest, InterimResponsesAreSkipped) {
  auto r = read("HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 103 Early Hints\r\nLink: </x>\r\n\r\nHTTP/1.1 204 No Content\r\n\r\n");
  ASSERT_TRUE(r) << r.error().what();
  EXPECT_EQ(r->status, 204);
  EXPECT_TRUE(r->headers.empty());
}

TEST_P(WireTest, HeadHasNoBodyWhateverContentLengthSays) {
  auto r = read("HTTP/1.1 200 OK\r\nContent-Length: 99\r\n\r\n", true);
  ASSERT_TRUE(r) << r.error().what();
  EXPECT_EQ(r->body, "");
  EXPECT_TRUE(r->reusable);
}

TEST_P(WireTest, ObsFoldJoinsTheValueAndBareLineFeedsAreLines) {
  auto r = read("HTTP/1.1 200 OK\nLink: </a>;\n\trel=\"up\"\nContent-Length: 0\n\n");
  ASSERT_TRUE(r) << r.error().what();
  ASSERT_EQ(r->headers.size(), 2u);
  EXPECT_EQ(r->headers[0].second, "</a>; rel=\"up\"");
}

TEST_P(WireTest, WithoutLengthTheBodyRunsToTheCloseAndTheConnectionIsDone) {
  auto r = read("HTTP/1.1 200 OK\r\n\r\nall of it");
  ASSERT_TRUE(r) << r.error().what();
  EXPECT_EQ(r->body, "all of it");
  EXPECT_FALSE(r->reusable);
}

TEST_P(WireTest, ConnectionCloseAndHttp10AreNotReused) {
  auto closing = read("HTTP/1.1 200 OK\r\nConnection: keep-alive, Close\r\nContent-Length: 0\r\n\r\n");
  ASSERT_TRUE(closing) << closing.error().what();
  EXPECT_FALSE(closing->reusable);
  auto old = read("HTTP/1.0 200 OK\r\nContent-Length: 0\r\n\r\n");
  ASSERT_TRUE(old) << old.error().what();
  EXPECT_FALSE(old->reusable);
}

TEST_P(WireTest, BothFramingsAtOnceUseChunksAndEndTheConnection) {
  auto r = read("HTTP/1.1 200 OK\r\nContent-Length: 100\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nok\r\n0\r\n\r\n");
  ASSERT_TRUE(r) << r.error().what();
  EXPECT_EQ(r->body, "ok");
  EXPECT_FALSE(r->reusable);
}

TEST_P(WireTest, BodyOverTheLimitIsAnErrorWhateverTheFraming) {
  for (const char* said : {"HTTP/1.1 200 OK\r\nContent-Length: 11\r\n\r\nhello world",
                           "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n6\r\nhello \r\n5\r\nworld\r\n0\r\n\r\n",
                           "HTTP/1.1 200 OK\r\n\r\nhello world"}) {
    auto r = read(said, false, 10);
    ASSERT_FALSE(r) << said;
    EXPECT_EQ(r.error().message, "response larger than 10 bytes") << said;
    EXPECT_EQ(r.error().code, Errc::network);
  }
  auto exact = read("HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\n0123456789", false, 10);
  ASSERT_TRUE(exact) << exact.error().what();
}

TEST_P(WireTest, MalformedAnswersAreNetworkErrorsThatSayWhat) {
  const std::pair<std::string_view, const char*> cases[] = {
      {"SSH-2.0-OpenSSH_9.2\r\n", "not an HTTP/1.x response"},
      {"HTTP/2 200\r\n\r\n", "not an HTTP/1.x response"},
      {"HTTP/1.1 2000 OK\r\n\r\n", "not an HTTP/1.x response"},
      {"HTTP/1.1 200 OK\r\nNo colon here\r\n\r\n", "malformed header line"},
      {"HTTP/1.1 200 OK\r\nName : value\r\n\r\n", "malformed header line"},
      {"HTTP/1.1 200 OK\r\n continued\r\n\r\n", "start with a continuation line"},
      {"HTTP/1.1 200 OK\r\n0\r\x07X-Name: t\r\n\r\n", "malformed header line"},  // fuzzing found it
      {"HTTP/1.1 200 OK\r\nX-Name: a\rb\r\n\r\n", "malformed header line"},
      {std::string_view("HTTP/1.1 200 OK\r\nX-Name: a\0b\r\n\r\n", 32), "malformed header line"},
      {"HTTP/1.1 200 OK\r\nX: a\r\n \rb\r\n\r\n", "malformed header line"},
      {"HTTP/1.1 200 OK\r\nX(y): a\r\n\r\n", "malformed header line"},
      {"HTTP/1.1 200 OK\r\nContent-Length: -1\r\n\r\n", "invalid Content-Length"},
      {"HTTP/1.1 200 OK\r\nContent-Length: 5, 6\r\n\r\nhello", "invalid Content-Length"},
      {"HTTP/1.1 200 OK\r\nContent-Length: 99999999999999999999999\r\n\r\n", "invalid Content-Length"},
      {"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n", "malformed chunk size"},
      {"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nfffffffffffffffff\r\n", "malformed chunk size"},
      {"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nokX\r\n0\r\n\r\n", "longer than its size"},
      {"HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nshort", "closed the connection while reading the response body"},
      {"HTTP/1.1 101 Switching Protocols\r\n\r\n", "switched to another protocol"},
      {"", "closed the connection while waiting for the response"},
  };
  for (const auto& [said, expected] : cases) {
    auto r = read(said);
    ASSERT_FALSE(r) << said;
    EXPECT_EQ(r.error().code, Errc::network) << said;
    EXPECT_NE(r.error().message.find(expected), std::string::npos) << said << " -> " << r.error().message;
    EXPECT_EQ(r.error().subject, "server.example.test:443");
  }
}

TEST_P(WireTest, EveryLengthBeforeTheBodyIsBounded) {
  auto long_line = read("HTTP/1.1 200 OK\r\nX: " + std::string(kMaxHeaderLine, 'a') + "\r\n\r\n");
  ASSERT_FALSE(long_line);
  EXPECT_NE(long_line.error().message.find("line longer than 8192 bytes"), std::string::npos) << long_line.error().what();
  std::string many = "HTTP/1.1 200 OK\r\n";
  for (std::size_t i = 0; i <= kMaxHeaderCount; ++i) many += "X-" + std::to_string(i) + ": v\r\n";
  auto too_many = read(many + "\r\n");
  ASSERT_FALSE(too_many);
  EXPECT_NE(too_many.error().message.find("more than 100 headers"), std::string::npos) << too_many.error().what();
  std::string big = "HTTP/1.1 200 OK\r\n";
  for (int i = 0; i < 20; ++i) big += "X: " + std::string(4000, 'b') + "\r\n";
  auto too_big = read(big + "\r\n");
  ASSERT_FALSE(too_big);
  EXPECT_NE(too_big.error().message.find("headers are larger than"), std::string::npos) << too_big.error().what();
  std::string interim;
  for (int i = 0; i <= kMaxInterimResponses; ++i) interim += "HTTP/1.1 100 Continue\r\n\r\n";
  auto endless = read(interim);
  ASSERT_FALSE(endless);
  EXPECT_NE(endless.error().message.find("interim"), std::string::npos) << endless.error().what();
}

TEST_P(WireTest, ControlBytesInAQuotedAnswerArePrintedEscaped) {
  auto r = read("HTTP/1.1 200 OK\r\nBad\x1b[31m line\r\n\r\n");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().message.find('\x1b'), std::string::npos) << r.error().message;
  EXPECT_NE(r.error().message.find("\\x1B"), std::string::npos) << r.error().message;
}

TEST_P(WireTest, NothingReceivedIsToldApart) {
  auto r = read("");
  ASSERT_FALSE(r);
  EXPECT_EQ(received_, 0u);
}

INSTANTIATE_TEST_SUITE_P(Reads, WireTest, ::testing::Values(std::size_t{4096}, std::size_t{1}),
                         [](const auto& info) { return info.param == 1 ? std::string("byte_by_byte") : "whole"; });

TEST(RequestHeadTest, WritesRequestLineHostAgentHeadersAndLength) {
  auto url = parse_url("https://ca.example.test:14000/acme/new-order?x=1#frag");
  ASSERT_TRUE(url) << url.error().what();
  auto head = request_head("POST", *url, {{"Content-Type", "application/jose+json"}}, 42, "certkeeper/1");
  ASSERT_TRUE(head) << head.error().what();
  EXPECT_EQ(*head,
            "POST /acme/new-order?x=1 HTTP/1.1\r\nHost: ca.example.test:14000\r\nUser-Agent: certkeeper/1\r\n"
            "Accept: */*\r\nContent-Type: application/jose+json\r\nContent-Length: 42\r\n\r\n");
  auto get = request_head("GET", *parse_url("https://[::1]/"), {}, 0, "a");
  ASSERT_TRUE(get);
  EXPECT_EQ(get->substr(0, 31), "GET / HTTP/1.1\r\nHost: [::1]\r\nUs");
}

TEST(RequestHeadTest, RefusesHeadersThatWouldBreakTheFraming) {
  auto url = parse_url("https://ca.example.test/");
  ASSERT_TRUE(url);
  EXPECT_FALSE(request_head("GET", *url, {{"X", "a\r\nInjected: 1"}}, 0, "a"));
  EXPECT_FALSE(request_head("GET", *url, {{"X:Y", "a"}}, 0, "a"));
  EXPECT_FALSE(request_head("GET", *url, {}, 0, "agent\n"));
}

TEST(UrlTest, PartsOfGoodUrls) {
  auto a = parse_url("HTTPS://CA.example.test/dir");
  ASSERT_TRUE(a) << a.error().what();
  EXPECT_EQ(a->scheme, "https");
  EXPECT_EQ(a->host, "CA.example.test");
  EXPECT_EQ(a->port, 443);
  EXPECT_EQ(a->target, "/dir");
  EXPECT_EQ(a->authority(), "CA.example.test");
  auto b = parse_url("http://[2001:db8::1]:8080?q");
  ASSERT_TRUE(b) << b.error().what();
  EXPECT_EQ(b->host, "2001:db8::1");
  EXPECT_EQ(b->port, 8080);
  EXPECT_EQ(b->target, "/?q");
  EXPECT_EQ(b->authority(), "[2001:db8::1]:8080");
}

TEST(UrlTest, RefusesWhatIsNoUsableUrl) {
  for (const char* bad : {"ca.example.test/dir", "ftp://ca.example.test/", "https:///path", "https://:443/",
                          "https://user:secret@ca.example.test/", "https://ca.example.test:0/",
                          "https://ca.example.test:65536/", "https://ca.example.test:x/", "https://[::1/",
                          "https://[::1]x/", "https://ca.example.test/a b", "https://ca.example.test/\x01"}) {
    auto r = parse_url(bad);
    EXPECT_FALSE(r) << bad;
    if (!r) {
      EXPECT_EQ(r.error().code, Errc::usage);
    }
  }
  EXPECT_EQ(parse_url("https://user:secret@ca.example.test/").error().what().find("secret"), std::string::npos);
}

TEST(UrlTest, ResolvesReferencesAgainstTheBase) {
  const std::string base = "https://ca.example.test:14000/acme/order/1?x=y";
  EXPECT_EQ(resolve_reference("https://other.test/a", base), "https://other.test/a");
  EXPECT_EQ(resolve_reference("//other.test/a", base), "https://other.test/a");
  EXPECT_EQ(resolve_reference("/dir", base), "https://ca.example.test:14000/dir");
  EXPECT_EQ(resolve_reference("2", base), "https://ca.example.test:14000/acme/order/2");
  EXPECT_EQ(resolve_reference("?page=2", base), "https://ca.example.test:14000/acme/order/1?page=2");
  EXPECT_EQ(resolve_reference("x", "https://ca.example.test"), "https://ca.example.test/x");
}

}  // namespace
}  // namespace certkeeper::net
