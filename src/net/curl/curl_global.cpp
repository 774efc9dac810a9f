// curl_global_init, once per process (see curl_ptr.h).
#include <mutex>

#include "curl_ptr.h"

namespace certkeeper::net {
namespace {

CURLcode result = CURLE_OK;

// A plain function, not a lambda: the std::call_once instantiation then names
// no certkeeper type, so nothing of ours leaves the module's symbol table.
void init_once() { result = curl_global_init(CURL_GLOBAL_DEFAULT); }

}  // namespace

CURLcode global_init() {
  static std::once_flag once;
  std::call_once(once, init_once);
  return result;
}

}  // namespace certkeeper::net
