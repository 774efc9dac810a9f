#include "responder_registry.h"

#include <map>
#include <mutex>

namespace certkeeper::challenge::detail {
namespace {

// One address: its answers and its listener.
struct Entry {
  std::mutex lifecycle;  // starting and stopping the listener (held while waiting for the port)
  std::mutex answers_mutex;  // answers; also taken by the listener's thread, so never held while it stops
  std::map<std::string, std::shared_ptr<const void>> answers;
  std::unique_ptr<Listener> listener;

  std::shared_ptr<const void> find(const std::string& name) {
    std::lock_guard<std::mutex> lock(answers_mutex);
    auto it = answers.find(name);
    return it == answers.end() ? nullptr : it->second;
  }
};

class Registry {
 public:
  // The entry of kind + address (canonical host and port, so "0.0.0.0:80"
  // and ":80" are one). Entries live as long as the process.
  Entry& entry(const std::string& kind, const ListenAddress& address) {
    std::lock_guard<std::mutex> lock(mutex_);
    auto& slot = entries_[kind + " " + address.host + " " + std::to_string(address.port)];
    if (!slot) slot = std::make_unique<Entry>();
    return *slot;
  }

 private:
  std::mutex mutex_;
  std::map<std::string, std::unique_ptr<Entry>> entries_;
};

// Never destroyed: a listener left running at exit (a solver that was never
// cleaned up) must not be joined after OpenSSL and the logger are gone.
Registry& registry() {
  static auto* r = new Registry();
  return *r;
}

}  // namespace

Status register_answer(const ResponderAddress& address, const std::string& name, std::shared_ptr<const void> answer,
                       const StartListener& start) {
  auto parsed = parse_listen_address(address.listen);
  if (!parsed) return std::move(parsed).error();
  Entry& e = registry().entry(address.kind, *parsed);
  std::lock_guard<std::mutex> lifecycle(e.lifecycle);
  {
    std::lock_guard<std::mutex> lock(e.answers_mutex);
    e.answers[name] = answer;
  }
  if (e.listener) return {};
  auto fail = [&](Error error) -> Status {
    std::lock_guard<std::mutex> lock(e.answers_mutex);
    if (auto it = e.answers.find(name); it != e.answers.end() && it->second == answer) e.answers.erase(it);
    return error;
  };
  auto fd = open_listener_waiting(*parsed, address.port_wait);
  if (!fd) return fail(std::move(fd).error());
  auto listener = start(*fd, [&e](const std::string& n) { return e.find(n); });
  if (!listener) return fail(std::move(listener).error());
  e.listener = std::move(*listener);
  return {};
}

void unregister_answer(const ResponderAddress& address, const std::string& name, const void* answer) {
  auto parsed = parse_listen_address(address.listen);
  if (!parsed) return;
  Entry& e = registry().entry(address.kind, *parsed);
  std::lock_guard<std::mutex> lifecycle(e.lifecycle);
  bool last = false;
  {
    std::lock_guard<std::mutex> lock(e.answers_mutex);
    if (auto it = e.answers.find(name); it != e.answers.end() && it->second.get() == answer) e.answers.erase(it);
    last = e.answers.empty();
  }
  if (last) e.listener.reset();  // stops and joins; the listener thread never takes `lifecycle`
}

}  // namespace certkeeper::challenge::detail
