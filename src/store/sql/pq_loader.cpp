// The store's side of certkeeper-pq.so: load it, call its entry point.
#include "pq_loader.h"

#include "certkeeper/util/module_loader.h"

namespace certkeeper::store::sql {

std::unique_ptr<Driver> connect_postgresql(const pq::ConnectOptions& options, Failure& failure) {
  auto symbol = module_symbol(pq::kFile, pq::kConnect);
  if (!symbol) {
    failure = {FailureKind::other, "a postgresql:// inventory needs " + std::string(pq::kFile) +
                                       ", which cannot be used: " + symbol.error().what() +
                                       " (the package that installs certkeeper installs it too, with libpq5)"};
    return nullptr;
  }
  Driver* driver = reinterpret_cast<pq::Connect>(*symbol)(&options, &failure);
  return std::unique_ptr<Driver>(driver);
}

}  // namespace certkeeper::store::sql
