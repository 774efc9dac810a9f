// The HTTP client: every request to a CA (ACME) and for a CRL goes through
// it. Two implementations keep one contract (tests/net/http_client_test.cpp
// runs it against both): our own on OpenSSL, and libcurl's, which carries
// the requests when the environment names a proxy.
//
// Contracts:
// - HTTPS only by default, redirects included (a redirect to http:// fails).
// - TLS is verified against the system store, or only against `ca_file`
//   when one is given. There is no way to turn verification off.
// - Every response body is capped (`max_body`); a larger one is an error,
//   never silently cut. Slow servers time out (`timeout`).
// - One client keeps its connections alive between requests (one handle);
//   it is not thread-safe: use one per thread.
#pragma once

#include <chrono>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "certkeeper/util/result.h"

namespace certkeeper::net {

struct HttpRequest {
  std::string method = "GET";  // GET, HEAD, POST
  std::string url;
  std::vector<std::pair<std::string, std::string>> headers;  // e.g. {"Content-Type", "application/jose+json"}
  std::string body;
};

struct HttpResponse {
  int status = 0;
  // Header names lower-cased, in arrival order; repeated headers (Link) appear
  // once per occurrence.
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
  std::string url;  // the final URL after redirects

  // The first value of a header (name case-insensitive), or "".
  std::string header(const std::string& name) const;
  // Every value of a header, in order.
  std::vector<std::string> header_values(const std::string& name) const;
  // The target URLs of Link headers with this rel (RFC 8288), resolved
  // against `url` when relative: links("alternate"), links("up"), links("index").
  std::vector<std::string> links(const std::string& rel) const;
};

struct HttpOptions {
  std::string ca_file;  // trust only these CAs (PEM) instead of the system store
  std::chrono::milliseconds timeout{30'000};
  std::chrono::milliseconds connect_timeout{10'000};
  std::size_t max_body = 1024 * 1024;
  bool https_only = true;
  int max_redirects = 5;
  std::string user_agent = "certkeeper/0.1";
};

class HttpClient {
 public:
  virtual ~HttpClient() = default;
  // Errc::network for connection, TLS, timeout or size failures (the message
  // says which, with the URL as subject); an HTTP error status is a response,
  // not an error.
  virtual Result<HttpResponse> send(const HttpRequest& request) = 0;
  // How many requests this client has sent (for the benchmark's count).
  virtual std::size_t requests_sent() const = 0;
};

// The client to use: libcurl's when https_proxy, HTTPS_PROXY, http_proxy,
// all_proxy or ALL_PROXY is set (libcurl knows proxies, their
// authentication and no_proxy), our own on OpenSSL otherwise (it maps no
// library beyond OpenSSL; bench/README.md "Memory").
std::unique_ptr<HttpClient> make_http_client(const HttpOptions& options);

// HTTP/1.1 on OpenSSL, no proxy support.
std::unique_ptr<HttpClient> make_openssl_client(const HttpOptions& options);
// libcurl, from the certkeeper-curl.so module (loaded on first use).
std::unique_ptr<HttpClient> make_curl_client(const HttpOptions& options);

}  // namespace certkeeper::net
