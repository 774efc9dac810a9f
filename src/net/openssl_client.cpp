// The HTTPS client on OpenSSL (http_client.h): HTTP/1.1 over our own
// connection and TLS channel, one kept-alive connection per client.
//
// Why not libcurl here: Debian's libcurl4 maps 25 libraries (Kerberos, LDAP,
// GnuTLS, ...) into the process, 3.5 MB of an issuance's peak RSS, for a
// conversation that is a few small HTTPS requests to one server
// (bench/README.md "Memory"). libcurl still carries proxied requests
// (make_http_client) and mail.
#include <algorithm>
#include <memory>
#include <optional>

#include "certkeeper/net/connection.h"
#include "certkeeper/net/http_client.h"
#include "certkeeper/net/tls_session.h"
#include "certkeeper/util/text.h"
#include "http_wire.h"
#include "url.h"

namespace certkeeper::net {
namespace {

bool is_redirect(int status) { return status == 301 || status == 302 || status == 303 || status == 307 || status == 308; }

// An error about `url` with the contract's code: timeouts are network errors
// to the caller (http_client.h).
Error about(Error error, const std::string& url) {
  if (error.code == Errc::timeout) error.code = Errc::network;
  error.subject = url;
  return error;
}

// The live connection and where it leads.
struct Link {
  std::string scheme;
  std::string host;
  int port = 0;
  std::optional<Connection> plain;
  std::optional<TlsChannel> tls;

  Channel& channel() { return tls ? static_cast<Channel&>(*tls) : static_cast<Channel&>(*plain); }
  Connection& connection() { return tls ? tls->connection() : *plain; }
  bool leads_to(const Url& url) const { return scheme == url.scheme && host == url.host && port == url.port; }
};

class OpensslClient final : public HttpClient {
 public:
  explicit OpensslClient(HttpOptions options) : options_(std::move(options)) {}

  Result<HttpResponse> send(const HttpRequest& request) override;
  std::size_t requests_sent() const override { return sent_; }

 private:
  Result<WireResponse> exchange(const Url& url, const std::string& method, const HeaderList& headers,
                                const std::string& body, const Deadline& deadline);
  Result<WireResponse> attempt(const std::string& head, const std::string& body, bool is_head,
                               const Deadline& deadline, bool& retry);
  Status connect(const Url& url, const Deadline& deadline);
  Result<SSL_CTX*> context();

  HttpOptions options_;
  crypto::SslCtxPtr ctx_;
  std::optional<Link> link_;
  std::size_t sent_ = 0;
};

Result<SSL_CTX*> OpensslClient::context() {
  if (!ctx_) {
    auto made = verifying_client_context(options_.ca_file);
    if (!made) return std::move(made).error();
    ctx_ = std::move(*made);
  }
  return ctx_.get();
}

Status OpensslClient::connect(const Url& url, const Deadline& deadline) {
  link_.reset();
  // The connect phase has its own, shorter bound within the request's.
  Deadline connecting = Deadline::after(options_.connect_timeout, "to connect");
  if (deadline.at < connecting.at) connecting = deadline;
  auto conn = Connection::open(url.host, url.port, connecting);
  if (!conn) {
    Error e = std::move(conn).error();
    if (e.code == Errc::network && !e.message.starts_with("cannot resolve")) {
      e.message = "connect refused or unreachable (" + e.message + ")";
    }
    return e;
  }
  Link link{url.scheme, url.host, url.port, std::nullopt, std::nullopt};
  if (url.scheme == "https") {
    auto ctx = context();
    if (!ctx) return std::move(ctx).error();
    auto tls = TlsChannel::handshake(std::move(*conn), *ctx, {url.host, url.host});
    if (!tls) return std::move(tls).error();
    link.tls.emplace(std::move(*tls));
  } else {
    link.plain.emplace(std::move(*conn));
  }
  link_.emplace(std::move(link));
  return {};
}

// One try on the live connection. `retry` says whether a failure happened
// before the server could have answered on a reused connection (it may have
// closed it while idle), so that the request can go again on a new one.
Result<WireResponse> OpensslClient::attempt(const std::string& head, const std::string& body, bool is_head,
                                            const Deadline& deadline, bool& retry) {
  link_->connection().set_deadline(deadline);
  Channel& channel = link_->channel();
  // One write: head and body in one TLS record and TCP segment where they fit.
  Status sent = channel.send_all(head + body, "sending the request");
  if (!sent) {
    retry = sent.error().code != Errc::timeout;
    return std::move(sent).error();
  }
  ResponseReader reader(channel, options_.max_body);
  auto response = reader.read(is_head);
  if (!response) retry = reader.received() == 0 && response.error().code != Errc::timeout;
  return response;
}

Result<WireResponse> OpensslClient::exchange(const Url& url, const std::string& method, const HeaderList& headers,
                                             const std::string& body, const Deadline& deadline) {
  auto head = request_head(method, url, headers, body.size(), options_.user_agent);
  if (!head) return std::move(head).error();
  bool reused = link_ && link_->leads_to(url) && !link_->connection().stale();
  if (!reused) {
    if (auto connected = connect(url, deadline); !connected) return std::move(connected).error();
  }
  bool retry = false;
  auto response = attempt(*head, body, method == "HEAD", deadline, retry);
  if (!response && reused && retry) {
    if (auto connected = connect(url, deadline); !connected) return std::move(connected).error();
    response = attempt(*head, body, method == "HEAD", deadline, retry);
  }
  if (!response || !response->reusable) link_.reset();
  return response;
}

Result<HttpResponse> OpensslClient::send(const HttpRequest& request) {
  if (request.method != "GET" && request.method != "HEAD" && request.method != "POST") {
    return make_error(Errc::internal, "unsupported HTTP method " + request.method, request.url);
  }
  auto first = parse_url(request.url);
  if (!first) return make_error(Errc::network, first.error().message, request.url);
  if (options_.https_only && first->scheme != "https") {
    return make_error(Errc::network, "refused: only https:// URLs are allowed", request.url);
  }
  ++sent_;
  // One bound for the whole request, redirects included (as libcurl's
  // CURLOPT_TIMEOUT).
  const Deadline deadline = Deadline::after(options_.timeout);
  std::string url = request.url;
  Url target = std::move(*first);
  std::string method = request.method;
  std::string body = request.body;
  HeaderList headers = request.headers;
  for (int hops = 0;; ++hops) {
    auto wire = exchange(target, method, headers, body, deadline);
    if (!wire) return about(std::move(wire).error(), request.url);
    const std::string location = [&] {
      for (const auto& [name, value] : wire->headers) {
        if (name == "location") return value;
      }
      return std::string();
    }();
    if (!is_redirect(wire->status) || location.empty()) {
      HttpResponse response;
      response.status = wire->status;
      response.headers = std::move(wire->headers);
      response.body = std::move(wire->body);
      response.url = std::move(url);
      return response;
    }
    if (hops == options_.max_redirects) {
      return make_error(Errc::network, "more than " + std::to_string(options_.max_redirects) + " redirects",
                        request.url);
    }
    url = resolve_reference(location, url);
    auto next = parse_url(url);
    if (!next) return make_error(Errc::network, "refused a redirect: " + next.error().message, request.url);
    if (options_.https_only && next->scheme != "https") {
      return make_error(Errc::network, "refused a redirect to " + url + ": only https:// URLs are allowed",
                        request.url);
    }
    target = std::move(*next);
    // RFC 9110 §15.4: 303 asks for a GET; so do 301 and 302 after a POST,
    // as every client does. 307 and 308 repeat the request as it was.
    if (wire->status == 303 || ((wire->status == 301 || wire->status == 302) && method == "POST")) {
      if (method != "HEAD") method = "GET";
      body.clear();
      std::erase_if(headers, [](const auto& h) { return text::ascii_lower(h.first) == "content-type"; });
    }
  }
}

}  // namespace

std::unique_ptr<HttpClient> make_openssl_client(const HttpOptions& options) {
  return std::make_unique<OpensslClient>(options);
}

}  // namespace certkeeper::net
