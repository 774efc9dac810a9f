// http-01 with the built-in responder (RFC 8555 §8.3) for hosts without a web
// server on the port: each token's key authorization goes into the
// process-wide registry of its listen address (responder_registry.h), whose
// one HttpResponder answers for every order in flight and stops with the
// last token.
#include <map>
#include <mutex>

#include "certkeeper/challenge/solver.h"
#include "http_responder.h"
#include "responder_registry.h"
#include "unsafe_token.h"

namespace certkeeper::challenge {
namespace {

class HttpStandaloneSolver final : public Solver {
 public:
  HttpStandaloneSolver(std::string listen, std::chrono::seconds port_wait)
      : address_{"http-01", std::move(listen), port_wait} {}
  // Tokens never cleaned up are withdrawn here, so the port is free again.
  ~HttpStandaloneSolver() override {
    for (const auto& [token, answer] : mine_) detail::unregister_answer(address_, token, answer.get());
  }
  HttpStandaloneSolver(const HttpStandaloneSolver&) = delete;
  HttpStandaloneSolver& operator=(const HttpStandaloneSolver&) = delete;

  std::string type() const override { return "http-01"; }

  Status present(const Task& task) override {
    if (!valid_token(task.token)) return detail::unsafe_token_error(task);
    auto answer = std::make_shared<const std::string>(task.key_authorization);
    if (auto ok = detail::register_answer(address_, task.token, answer, detail::HttpResponder::start); !ok) return ok;
    std::lock_guard<std::mutex> lock(mutex_);
    mine_[task.token] = answer;
    return {};
  }

  void cleanup(const Task& task) override {
    std::shared_ptr<const std::string> answer;
    {
      std::lock_guard<std::mutex> lock(mutex_);
      auto it = mine_.find(task.token);
      if (it == mine_.end()) return;  // never presented, or its present() failed
      answer = std::move(it->second);
      mine_.erase(it);
    }
    detail::unregister_answer(address_, task.token, answer.get());
  }

 private:
  const detail::ResponderAddress address_;
  std::mutex mutex_;  // mine_
  std::map<std::string, std::shared_ptr<const std::string>> mine_;  // what this solver registered, by token
};

}  // namespace

std::unique_ptr<Solver> make_http_standalone_solver(std::string listen, std::chrono::seconds port_wait) {
  return std::make_unique<HttpStandaloneSolver>(std::move(listen), port_wait);
}

}  // namespace certkeeper::challenge
