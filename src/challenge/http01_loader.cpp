// make_http_standalone_solver: the built-in http-01 responder from the
// certkeeper-http01.so module, loaded on first use (util/module_loader.h says
// why). When the module cannot be loaded, present() fails with that error.
#include "certkeeper/util/log.h"
#include "certkeeper/util/module_loader.h"
#include "http01_module.h"

namespace certkeeper::challenge {
namespace {

class UnavailableSolver final : public Solver {
 public:
  explicit UnavailableSolver(Error why) : why_(std::move(why)) {}
  std::string type() const override { return "http-01"; }
  Status present(const Task&) override { return why_; }
  void cleanup(const Task&) override {}

 private:
  Error why_;
};

}  // namespace

std::unique_ptr<Solver> make_http_standalone_solver(std::string listen) {
  auto symbol = module_symbol(module::kFile, module::kMakeSolver);
  if (!symbol) return std::make_unique<UnavailableSolver>(symbol.error());
  Solver* solver = reinterpret_cast<module::MakeSolver>(*symbol)(&listen, static_cast<int>(log::level()));
  if (solver == nullptr) {
    return std::make_unique<UnavailableSolver>(
        make_error(Errc::internal, "the http-01 responder could not be created (out of memory?)", module::kFile));
  }
  return std::unique_ptr<Solver>(solver);
}

}  // namespace certkeeper::challenge
