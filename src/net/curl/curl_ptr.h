// RAII holders for the libcurl objects of the HTTP client and the mailer (STYLE.md §2,
// §12). Private to src/net: no other module sees a libcurl type.
#pragma once

#include <curl/curl.h>

#include <memory>

namespace certkeeper::net {

struct CurlEasyDeleter {
  void operator()(CURL* handle) const noexcept {
    if (handle) curl_easy_cleanup(handle);
  }
};
struct CurlSlistDeleter {
  void operator()(curl_slist* list) const noexcept {
    if (list) curl_slist_free_all(list);
  }
};

using CurlPtr = std::unique_ptr<CURL, CurlEasyDeleter>;

// curl_global_init is not thread-safe and must run before any handle exists:
// once per process, for the HTTP client and the mailer alike (curl_global.cpp).
CURLcode global_init();
using CurlSlistPtr = std::unique_ptr<curl_slist, CurlSlistDeleter>;

// Appends one "Name: value" line; the holder keeps owning the whole list.
// False when libcurl could not allocate (the list is left as it was).
inline bool slist_append(CurlSlistPtr& list, const char* line) {
  curl_slist* grown = curl_slist_append(list.get(), line);
  if (!grown) return false;
  (void)list.release();  // `grown` is the same list with one more node (or a new one)
  list.reset(grown);
  return true;
}

}  // namespace certkeeper::net
