// The one libcurl wrapper (STYLE.md §12), built into the certkeeper-curl.so
// module. One easy handle per client, reset (not recreated) before each
// request so that live connections and TLS sessions are reused.
#include <algorithm>
#include <cctype>
#include <mutex>
#include <string_view>

#include "certkeeper/net/http_client.h"
#include "certkeeper/util/text.h"
#include "curl_ptr.h"
#include "module_entry.h"

namespace certkeeper::net {
namespace {

using text::ascii_lower;
using text::trim_blanks;

bool starts_with_scheme(const std::string& url, std::string_view scheme) {
  return ascii_lower(url.substr(0, scheme.size())) == scheme;
}

// What one transfer collects; the callbacks write into it.
struct Transfer {
  std::size_t max_body = 0;
  bool too_large = false;
  HttpResponse response;
};

std::size_t on_body(char* data, std::size_t size, std::size_t count, void* user) {
  auto* t = static_cast<Transfer*>(user);
  const std::size_t n = size * count;
  if (t->response.body.size() + n > t->max_body) {
    t->too_large = true;
    return 0;  // anything but n aborts the transfer with CURLE_WRITE_ERROR
  }
  t->response.body.append(data, n);
  return n;
}

std::size_t on_header(char* data, std::size_t size, std::size_t count, void* user) {
  auto* t = static_cast<Transfer*>(user);
  const std::size_t n = size * count;
  const std::string_view line(data, n);
  if (line.substr(0, 5) == "HTTP/") {
    // A new response starts (after a redirect or a 1xx): keep only the last one's headers.
    t->response.headers.clear();
    return n;
  }
  auto& headers = t->response.headers;
  if (!line.empty() && (line.front() == ' ' || line.front() == '\t')) {
    // obs-fold (RFC 9112 §5.2): a continuation of the previous value.
    if (!headers.empty()) {
      headers.back().second += ' ';  // piece by piece: g++ 12 -O3 sees a false -Wrestrict otherwise
      headers.back().second += trim_blanks(line);
    }
    return n;
  }
  const auto colon = line.find(':');
  if (colon == std::string_view::npos || colon == 0) return n;  // the blank line ending the block, or junk
  headers.emplace_back(ascii_lower(trim_blanks(line.substr(0, colon))), std::string(trim_blanks(line.substr(colon + 1))));
  return n;
}

class CurlClient final : public HttpClient {
 public:
  explicit CurlClient(HttpOptions options) : options_(std::move(options)) {
    if (global_init() == CURLE_OK) handle_.reset(curl_easy_init());
  }

  Result<HttpResponse> send(const HttpRequest& request) override;
  std::size_t requests_sent() const override { return sent_; }

 private:
  Error failure(CURLcode code, const Transfer& transfer, const HttpRequest& request) const;
  bool configure(const HttpRequest& request, Transfer& transfer, CurlSlistPtr& headers);

  HttpOptions options_;
  CurlPtr handle_;
  char error_buffer_[CURL_ERROR_SIZE] = {};
  std::size_t sent_ = 0;
};

bool CurlClient::configure(const HttpRequest& request, Transfer& transfer, CurlSlistPtr& headers) {
  CURL* h = handle_.get();
  const char* protocols = options_.https_only ? "https" : "http,https";
  bool ok = true;
  auto set = [&ok](CURLcode rc) { ok = ok && rc == CURLE_OK; };
  set(curl_easy_setopt(h, CURLOPT_ERRORBUFFER, error_buffer_));
  set(curl_easy_setopt(h, CURLOPT_URL, request.url.c_str()));
  set(curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, protocols));
  set(curl_easy_setopt(h, CURLOPT_REDIR_PROTOCOLS_STR, protocols));
  set(curl_easy_setopt(h, CURLOPT_FOLLOWLOCATION, 1L));
  set(curl_easy_setopt(h, CURLOPT_MAXREDIRS, static_cast<long>(options_.max_redirects)));
  set(curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L));
  set(curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, static_cast<long>(options_.timeout.count())));
  set(curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS, static_cast<long>(options_.connect_timeout.count())));
  set(curl_easy_setopt(h, CURLOPT_USERAGENT, options_.user_agent.c_str()));
  // Verification stays on, always (the contract has no switch to turn it off).
  set(curl_easy_setopt(h, CURLOPT_SSL_VERIFYPEER, 1L));
  set(curl_easy_setopt(h, CURLOPT_SSL_VERIFYHOST, 2L));
  if (!options_.ca_file.empty()) {
    // Only these CAs: drop the built-in CA directory as well as the bundle.
    set(curl_easy_setopt(h, CURLOPT_CAINFO, options_.ca_file.c_str()));
    set(curl_easy_setopt(h, CURLOPT_CAPATH, nullptr));
  }
  set(curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_body));
  set(curl_easy_setopt(h, CURLOPT_WRITEDATA, &transfer));
  set(curl_easy_setopt(h, CURLOPT_HEADERFUNCTION, on_header));
  set(curl_easy_setopt(h, CURLOPT_HEADERDATA, &transfer));
  if (request.method == "HEAD") {
    set(curl_easy_setopt(h, CURLOPT_NOBODY, 1L));
  } else if (request.method == "POST") {
    set(curl_easy_setopt(h, CURLOPT_POST, 1L));
    set(curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(request.body.size())));
    set(curl_easy_setopt(h, CURLOPT_POSTFIELDS, request.body.c_str()));
  } else {
    set(curl_easy_setopt(h, CURLOPT_HTTPGET, 1L));
  }
  for (const auto& [name, value] : request.headers) {
    ok = ok && slist_append(headers, (name + ": " + value).c_str());
  }
  // No "Expect: 100-continue" round trip before a large POST body.
  ok = ok && slist_append(headers, "Expect:");
  set(curl_easy_setopt(h, CURLOPT_HTTPHEADER, headers.get()));
  return ok;
}

Result<HttpResponse> CurlClient::send(const HttpRequest& request) {
  if (!handle_) return make_error(Errc::network, "libcurl could not be initialised", request.url);
  if (request.method != "GET" && request.method != "HEAD" && request.method != "POST") {
    return make_error(Errc::internal, "unsupported HTTP method " + request.method, request.url);
  }
  if (options_.https_only && !starts_with_scheme(request.url, "https://")) {
    return make_error(Errc::network, "refused: only https:// URLs are allowed", request.url);
  }
  curl_easy_reset(handle_.get());  // keeps live connections and the TLS session cache
  Transfer transfer;
  transfer.max_body = options_.max_body;
  CurlSlistPtr headers;
  error_buffer_[0] = '\0';
  if (!configure(request, transfer, headers)) {
    return make_error(Errc::internal, "setting up the request failed", request.url);
  }
  ++sent_;
  const CURLcode code = curl_easy_perform(handle_.get());
  curl_easy_setopt(handle_.get(), CURLOPT_HTTPHEADER, nullptr);  // `headers` dies before the next perform
  if (code != CURLE_OK) return failure(code, transfer, request);

  long status = 0;
  char* effective = nullptr;
  curl_easy_getinfo(handle_.get(), CURLINFO_RESPONSE_CODE, &status);
  curl_easy_getinfo(handle_.get(), CURLINFO_EFFECTIVE_URL, &effective);
  transfer.response.status = static_cast<int>(status);
  transfer.response.url = effective ? effective : request.url;
  return std::move(transfer.response);
}

// One line naming what failed; never the response body.
Error CurlClient::failure(CURLcode code, const Transfer& transfer, const HttpRequest& request) const {
  std::string detail = error_buffer_[0] ? std::string(error_buffer_) : curl_easy_strerror(code);
  while (!detail.empty() && (detail.back() == '\n' || detail.back() == '\r')) detail.pop_back();
  std::string message;
  switch (code) {
    case CURLE_WRITE_ERROR:
      message = transfer.too_large ? "response larger than " + std::to_string(options_.max_body) + " bytes"
                                   : "storing the response failed";
      break;
    case CURLE_OPERATION_TIMEDOUT:
      message = "timed out (" + detail + ")";
      break;
    case CURLE_COULDNT_RESOLVE_HOST:
      message = "could not resolve the host name (" + detail + ")";
      break;
    case CURLE_COULDNT_CONNECT:
      message = "connect refused or unreachable (" + detail + ")";
      break;
    case CURLE_PEER_FAILED_VERIFICATION:
      message = "TLS verify failed: the server certificate is not trusted or does not match (" + detail + ")";
      break;
    case CURLE_SSL_CONNECT_ERROR:
      message = "TLS handshake failed (" + detail + ")";
      break;
    case CURLE_SSL_CACERT_BADFILE:
      message = "TLS setup failed: the CA file " + options_.ca_file + " could not be read";
      break;
    case CURLE_UNSUPPORTED_PROTOCOL: {
      // The first URL was checked before sending: this is a redirect's target.
      char* target = nullptr;
      curl_easy_getinfo(handle_.get(), CURLINFO_EFFECTIVE_URL, &target);
      message = "refused a redirect to " + std::string(target && target != request.url ? target : "a non-HTTPS URL") +
                ": only https:// URLs are allowed";
      break;
    }
    case CURLE_TOO_MANY_REDIRECTS:
      message = "more than " + std::to_string(options_.max_redirects) + " redirects";
      break;
    case CURLE_GOT_NOTHING:
    case CURLE_SEND_ERROR:
    case CURLE_RECV_ERROR:
    case CURLE_PARTIAL_FILE:
      message = "the connection broke (" + detail + ")";
      break;
    default:
      message = "request failed (" + detail + ")";
      break;
  }
  return make_error(Errc::network, std::move(message), request.url);
}

}  // namespace

std::unique_ptr<HttpClient> make_libcurl_client(const HttpOptions& options) {
  return std::make_unique<CurlClient>(options);
}

}  // namespace certkeeper::net
