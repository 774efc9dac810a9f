#include "support/race.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <latch>
#include <stdexcept>
#include <thread>

#include "support/temp_dir.h"

namespace certkeeper::testing {
namespace {

using namespace std::chrono_literals;
using SteadyClock = std::chrono::steady_clock;

// Where the kernel has the process's main thread asleep ("" when it runs or
// is gone).
std::string wchan_of(pid_t pid) {
  std::string text = read_file("/proc/" + std::to_string(pid) + "/wchan");
  return text == "0" ? std::string() : text;
}

// Asleep in a wait that only a lock, a retry sleep or another process ends.
bool waiting(const std::string& wchan) {
  return wchan.find("nanosleep") != std::string::npos || wchan.find("lock") != std::string::npos ||
         wchan.find("futex") != std::string::npos;
}

bool alive(pid_t pid) {
  std::string stat = read_file("/proc/" + std::to_string(pid) + "/stat");
  auto close = stat.rfind(')');
  return close != std::string::npos && close + 2 < stat.size() && stat[close + 2] != 'Z';
}

}  // namespace

Running::Running(std::vector<std::string> args, SpawnOptions options) : pid_(started_.get_future().share()) {
  auto user_start = std::move(options.on_start);
  options.on_start = [this, user_start](pid_t pid) {
    started_.set_value(pid);
    if (user_start) user_start(pid);
  };
  auto user_stderr = std::move(options.on_stderr);
  options.on_stderr = [this, user_stderr](const std::string& piece) {
    {
      std::lock_guard<std::mutex> lock(err_mutex_);
      err_so_far_ += piece;
    }
    if (user_stderr) user_stderr(piece);
  };
  done_ = std::async(std::launch::async, [args = std::move(args), options = std::move(options)] {
    return spawn_certkeeper(args, options);
  });
}

Running::~Running() {
  if (done_.valid()) done_.wait();
}

pid_t Running::pid() {
  if (pid_.wait_for(10s) != std::future_status::ready) return -1;
  return pid_.get();
}

const SpawnResult& Running::result() {
  if (!result_) result_ = done_.get();
  return *result_;
}

bool Running::wait_for_stderr(const std::string& text, std::chrono::milliseconds limit) {
  auto seen = [&] {
    std::lock_guard<std::mutex> lock(err_mutex_);
    return err_so_far_.find(text) != std::string::npos;
  };
  auto give_up = SteadyClock::now() + limit;
  while (!seen()) {
    // A process that ended says nothing more.
    if (!done_.valid() || SteadyClock::now() >= give_up) return false;
    if (done_.wait_for(10ms) == std::future_status::ready) return seen();
  }
  return true;
}

std::vector<SpawnResult> at_once(const std::vector<std::vector<std::string>>& commands,
                                 std::chrono::milliseconds timeout) {
  std::latch ready(static_cast<std::ptrdiff_t>(commands.size()));
  std::vector<std::future<SpawnResult>> running;
  for (const auto& args : commands) {
    running.push_back(std::async(std::launch::async, [&ready, args, timeout] {
      SpawnOptions options;
      options.timeout = timeout;
      ready.arrive_and_wait();
      return spawn_certkeeper(args, options);
    }));
  }
  std::vector<SpawnResult> results;
  for (auto& r : running) results.push_back(r.get());
  return results;
}

bool wait_blocked(pid_t pid, std::chrono::milliseconds limit) {
  if (pid <= 0) return false;
  auto give_up = SteadyClock::now() + limit;
  bool seen_once = false;
  while (SteadyClock::now() < give_up && alive(pid)) {
    bool now = waiting(wchan_of(pid));
    if (now && seen_once) return true;
    seen_once = now;
    std::this_thread::sleep_for(20ms);
  }
  return false;
}

Gate::Gate(const std::string& dir, const std::string& name)
    : program_(dir + "/" + name + "-gate.sh"), reached_(dir + "/" + name + ".reached"), fifo_(dir + "/" + name + ".fifo") {
  if (::mkfifo(fifo_.c_str(), 0600) != 0) throw std::runtime_error("mkfifo " + fifo_ + ": " + std::strerror(errno));
  // Read and write: opening never blocks, and lines written before the
  // gated program opens the fifo wait in it for that program.
  fd_ = ::open(fifo_.c_str(), O_RDWR | O_CLOEXEC);
  if (fd_ < 0) throw std::runtime_error("open " + fifo_ + ": " + std::strerror(errno));
  // dash's `read` takes one byte at a time from a pipe: one line, one waiter.
  write_file(program_, "#!/bin/sh\necho reached >> '" + reached_ + "'\nexec timeout 60 sh -c 'read -r line < \"$0\"' '" +
                           fifo_ + "'\n");
  ::chmod(program_.c_str(), 0755);
}

Gate::~Gate() {
  if (fd_ >= 0) ::close(fd_);
}

int Gate::reached() const {
  std::string text = read_file(reached_);
  int lines = 0;
  for (char c : text) lines += c == '\n';
  return lines;
}

bool Gate::wait_reached(int count, std::chrono::milliseconds limit) const {
  auto give_up = SteadyClock::now() + limit;
  while (reached() < count) {
    if (SteadyClock::now() >= give_up) return false;
    std::this_thread::sleep_for(10ms);
  }
  return true;
}

void Gate::open(int count) {
  for (int i = 0; i < count; ++i) {
    if (::write(fd_, "go\n", 3) != 3) throw std::runtime_error("write " + fifo_ + ": " + std::strerror(errno));
  }
}

}  // namespace certkeeper::testing
