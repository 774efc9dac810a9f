// The C entry points of certkeeper-curl.so (contract: ../curl_module.h). The
// module is built with hidden visibility; only these are exported.
#include <type_traits>

#include "../curl_module.h"
#include "module_entry.h"

extern "C" __attribute__((visibility("default"))) certkeeper::net::HttpClient* certkeeper_curl_make_client(
    const certkeeper::net::HttpOptions* options) noexcept {
  try {
    return certkeeper::net::make_libcurl_client(*options).release();
  } catch (...) {
    return nullptr;
  }
}

extern "C" __attribute__((visibility("default"))) certkeeper::net::Mailer* certkeeper_curl_make_mailer(
    const certkeeper::net::SmtpOptions* options) noexcept {
  try {
    return certkeeper::net::make_libcurl_mailer(*options).release();
  } catch (...) {
    return nullptr;
  }
}

// The loader checks the signature through this alias at compile time.
static_assert(std::is_same_v<decltype(&certkeeper_curl_make_client), certkeeper::net::module::MakeClient>);
static_assert(std::is_same_v<decltype(&certkeeper_curl_make_mailer), certkeeper::net::module::MakeMailer>);
