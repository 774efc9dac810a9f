#include "support/ossl_ptr.h"

#include <openssl/err.h>

namespace certkeeper::testing::ossl {

void fail(const std::string& what) {
  std::string message = "test PKI: " + what;
  while (unsigned long e = ERR_get_error()) {
    char buf[256];
    ERR_error_string_n(e, buf, sizeof buf);
    message += "; ";
    message += buf;
  }
  throw std::runtime_error(message);
}

Bio mem_bio() { return Bio(check(BIO_new(BIO_s_mem()), "BIO_new")); }

std::string bio_string(BIO* bio) {
  char* data = nullptr;
  long n = BIO_get_mem_data(bio, &data);
  return n > 0 ? std::string(data, static_cast<std::size_t>(n)) : std::string();
}

}  // namespace certkeeper::testing::ossl
