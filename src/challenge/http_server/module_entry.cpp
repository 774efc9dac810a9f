// The C entry point of certkeeper-http01.so (contract: ../http01_module.h).
// The module is built with hidden visibility; only this is exported.
#include <type_traits>

#include "../http01_module.h"
#include "certkeeper/util/log.h"
#include "module_entry.h"

extern "C" __attribute__((visibility("default"))) certkeeper::challenge::Solver* certkeeper_http01_make_solver(
    const std::string* listen, int log_level) noexcept {
  try {
    certkeeper::log::set_level(static_cast<certkeeper::log::Level>(log_level));
    return certkeeper::challenge::make_httplib_solver(*listen).release();
  } catch (...) {
    return nullptr;
  }
}

static_assert(std::is_same_v<decltype(&certkeeper_http01_make_solver), certkeeper::challenge::module::MakeSolver>);
