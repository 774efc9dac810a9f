#include <cstdlib>

#include "certkeeper/net/http_client.h"

namespace certkeeper::net {

std::unique_ptr<HttpClient> make_http_client(const HttpOptions& options) {
  // The variables libcurl reads (HTTP_PROXY in capitals it ignores on
  // purpose: CGI sets it from a request header, "httpoxy").
  for (const char* name : {"https_proxy", "HTTPS_PROXY", "http_proxy", "all_proxy", "ALL_PROXY"}) {
    const char* value = std::getenv(name);
    if (value != nullptr && *value != '\0') return make_curl_client(options);
  }
  return make_openssl_client(options);
}

}  // namespace certkeeper::net
