#include "pq_loader.h"

#include "certkeeper/util/module_loader.h"

namespace certkeeper::store::sql {

std::unique_ptr<Driver> connect_postgresql(const pq::ConnectOptions& options, Failure& failure) {
  auto symbol = module_symbol(pq::kFile, pq::kConnect);
  if (!symbol) {
    failure = Failure{FailureKind::other, symbol.error().message + " (" + pq::kFile + ")"};
    return nullptr;
  }
  Driver* driver = reinterpret_cast<pq::Connect>(*symbol)(&options, &failure);
  return std::unique_ptr<Driver>(driver);
}

}  // namespace certkeeper::store::sql
