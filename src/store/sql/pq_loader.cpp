// The store's side of certkeeper-pq.so: load it, call its entry point.
#include "pq_loader.h"

#include "certkeeper/util/module_loader.h"

namespace certkeeper::store::sql {

std::unique_ptr<Driver> connect_postgresql(const pq::ConnectOptions& options, Failure& failure) {
  auto symbol = module_symbol(pq::kFile, pq::kConnect);
  if (!symbol) {
    // "a postgresql:// inventory needs its driver module: certkeeper-pq.so:
    // certkeeper module not found in DIRS; reinstall certkeeper (...)"
    failure = {FailureKind::other, "a postgresql:// inventory needs its driver module: " + symbol.error().what() +
                                       " (the package installs the module and libpq5)"};
    return nullptr;
  }
  Driver* driver = reinterpret_cast<pq::Connect>(*symbol)(&options, &failure);
  return std::unique_ptr<Driver>(driver);
}

}  // namespace certkeeper::store::sql
