// The C entry point of certkeeper-pq.so (contract: ../sql/pq_module.h). The
// module is built with hidden visibility; only this is exported.
#include <new>
#include <type_traits>

#include "pq_driver.h"

extern "C" __attribute__((visibility("default"))) certkeeper::store::sql::Driver* certkeeper_pq_connect(
    const certkeeper::store::sql::pq::ConnectOptions* options, certkeeper::store::sql::Failure* failure) noexcept {
  try {
    return certkeeper::store::sql::pq::connect(*options, *failure).release();
  } catch (...) {
    try {
      failure->kind = certkeeper::store::sql::FailureKind::other;
      failure->message = "PostgreSQL: out of memory while connecting";
    } catch (...) {
    }
    return nullptr;
  }
}

// The loader checks the signature through this alias at compile time.
static_assert(std::is_same_v<decltype(&certkeeper_pq_connect), certkeeper::store::sql::pq::Connect>);
