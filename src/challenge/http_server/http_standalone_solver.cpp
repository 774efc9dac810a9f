// http-01 with a built-in HTTP server (RFC 8555 §8.3) for hosts without a
// web server on port 80; built into the certkeeper-http01.so module. It listens only while a token is active, so the
// port is free again as soon as the last authorization is cleaned up.
#include <httplib.h>

#include <atomic>
#include <chrono>
#include <map>
#include <mutex>
#include <thread>

#include <fmt/format.h>

#include "certkeeper/challenge/solver.h"
#include "certkeeper/util/log.h"
#include "../listen_address.h"
#include "../unsafe_token.h"
#include "module_entry.h"

namespace certkeeper::challenge {
namespace {

using namespace std::chrono_literals;

constexpr auto kStartWait = 5s;  // for the server thread to reach its accept loop

class HttpStandaloneSolver final : public Solver {
 public:
  explicit HttpStandaloneSolver(std::string listen) : listen_(std::move(listen)) {}
  ~HttpStandaloneSolver() override {
    std::lock_guard<std::mutex> lock(lifecycle_);
    stop();
  }
  HttpStandaloneSolver(const HttpStandaloneSolver&) = delete;
  HttpStandaloneSolver& operator=(const HttpStandaloneSolver&) = delete;

  std::string type() const override { return "http-01"; }

  Status present(const Task& task) override {
    if (!valid_token(task.token)) return detail::unsafe_token_error(task);
    std::lock_guard<std::mutex> lock(lifecycle_);
    {
      std::lock_guard<std::mutex> tokens_lock(tokens_mutex_);
      tokens_[task.token] = task.key_authorization;
    }
    if (server_) return {};
    Status started = start();
    if (!started) {
      std::lock_guard<std::mutex> tokens_lock(tokens_mutex_);
      tokens_.erase(task.token);
    }
    return started;
  }

  void cleanup(const Task& task) override {
    std::lock_guard<std::mutex> lock(lifecycle_);
    bool last = false;
    {
      std::lock_guard<std::mutex> tokens_lock(tokens_mutex_);
      tokens_.erase(task.token);
      last = tokens_.empty();
    }
    if (last) stop();
  }

 private:
  void answer(const httplib::Request& request, httplib::Response& response) {
    std::string token = request.matches.size() > 1 ? request.matches[1].str() : std::string();
    std::lock_guard<std::mutex> tokens_lock(tokens_mutex_);
    auto it = tokens_.find(token);
    if (it == tokens_.end()) {
      response.status = 404;
      response.set_content("no such challenge\n", "text/plain");
      return;
    }
    response.status = 200;
    response.set_content(it->second, "text/plain");
  }

  // Caller holds lifecycle_. cpp-httplib may throw (it allocates, makes
  // threads): nothing escapes this function.
  Status start() {
    auto address = detail::parse_listen_address(listen_);
    if (!address) return std::move(address).error();
    try {
      auto server = std::make_unique<httplib::Server>();
      server->set_socket_options([](socket_t sock) {
        int yes = 1;  // no SO_REUSEPORT: a second live listener must fail, not share the port
        ::setsockopt(sock, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof yes);
      });
      // One request per connection and short timeouts, so that stop() never
      // waits long for a worker held by an idle or slow client.
      server->set_keep_alive_max_count(1);
      server->set_read_timeout(5, 0);
      server->set_write_timeout(5, 0);
      server->new_task_queue = [] { return new httplib::ThreadPool(4); };
      server->Get(R"(/\.well-known/acme-challenge/([A-Za-z0-9_-]+))",
                  [this](const httplib::Request& req, httplib::Response& res) { answer(req, res); });
      if (!server->bind_to_port(address->host, address->port)) {
        int err = detail::probe_bind_error(*address);
        return detail::listen_error(*address, err != 0 ? err : EADDRINUSE);
      }
      auto finished = std::make_shared<std::atomic<bool>>(false);
      httplib::Server* raw = server.get();
      std::thread thread([raw, finished] {
        try {
          raw->listen_after_bind();
        } catch (...) {
          log::warn("http-01 responder stopped after an internal error");
        }
        *finished = true;
      });
      // Bounded: stop() is a no-op until the accept loop runs, so wait for it.
      auto give_up = std::chrono::steady_clock::now() + kStartWait;
      while (!raw->is_running() && !*finished && std::chrono::steady_clock::now() < give_up) {
        std::this_thread::sleep_for(1ms);
      }
      server_ = std::move(server);
      thread_ = std::move(thread);
      finished_ = std::move(finished);
      if (!server_->is_running()) {
        stop();
        return make_error(Errc::io, fmt::format("the http-01 responder on {} did not start", listen_));
      }
      return {};
    } catch (const std::exception& e) {
      return make_error(Errc::io, fmt::format("cannot start the http-01 responder on {}: {}", listen_, e.what()));
    }
  }

  // Caller holds lifecycle_ (never tokens_mutex_: the workers take it).
  void stop() {
    if (!server_) return;
    // httplib's stop() acts only once the accept loop runs, and must be
    // called once: wait for the loop (or its early end), then stop it.
    bool stopped = false;
    while (!*finished_) {
      if (!stopped && server_->is_running()) {
        server_->stop();
        stopped = true;
      }
      std::this_thread::sleep_for(1ms);
    }
    if (thread_.joinable()) thread_.join();
    server_.reset();
    finished_.reset();
  }

  const std::string listen_;
  std::mutex lifecycle_;     // start/stop and the server objects
  std::mutex tokens_mutex_;  // tokens_, also taken by the server's workers
  std::map<std::string, std::string> tokens_;
  std::unique_ptr<httplib::Server> server_;
  std::thread thread_;
  std::shared_ptr<std::atomic<bool>> finished_;
};

}  // namespace

std::unique_ptr<Solver> make_httplib_solver(std::string listen) {
  return std::make_unique<HttpStandaloneSolver>(std::move(listen));
}

}  // namespace certkeeper::challenge
