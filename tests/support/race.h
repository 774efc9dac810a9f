// Tools for the race tests (tests/races/): real processes started at once,
// and barriers that hold one of them at a known point instead of sleeping.
//
//   Running   one certkeeper process in the background (its pid, its result)
//   at_once   several processes forked together, their results in order
//   Gate      a program (for --reload or a hook) that says it was reached and
//             then waits until the test opens it
//   wait_blocked  a process is asleep waiting for something (a lock's retry
//             sleep, SQLite's busy wait, a flock): it has read everything it
//             read before that wait
//
// Every wait is bounded: a test never hangs, it fails with what it saw.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <future>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "support/spawn.h"

namespace certkeeper::testing {

// One certkeeper process started now, in a thread of this process.
class Running {
 public:
  explicit Running(std::vector<std::string> args, SpawnOptions options = {});
  ~Running();  // waits for the process (its own timeout bounds that)
  Running(const Running&) = delete;
  Running& operator=(const Running&) = delete;

  // The child's pid (waits until it is forked, at most 10 s; -1 then).
  pid_t pid();
  // Its result; the first call waits for it to end.
  const SpawnResult& result();
  // True once its stderr so far contains `text` (at most `limit`).
  bool wait_for_stderr(const std::string& text, std::chrono::milliseconds limit = std::chrono::seconds(60));

 private:
  std::mutex err_mutex_;
  std::string err_so_far_;
  std::promise<pid_t> started_;
  std::shared_future<pid_t> pid_;
  std::future<SpawnResult> done_;
  std::optional<SpawnResult> result_;
};

// Runs every command (certkeeper arguments) as its own process, all forked
// as close together as threads allow, and returns their results in order.
std::vector<SpawnResult> at_once(const std::vector<std::vector<std::string>>& commands,
                                 std::chrono::milliseconds timeout = std::chrono::seconds(120));

// True once process `pid` sleeps waiting (nanosleep, a file lock, a futex
// of a lock) at two looks 20 ms apart, within `limit`. A process that ended
// is not blocked.
bool wait_blocked(pid_t pid, std::chrono::milliseconds limit = std::chrono::seconds(20));

// A gate in `dir`: gate.sh NAME (a program for `--reload` or a hook) appends
// a line to NAME.reached, then waits (at most 60 s) for one line on the fifo
// NAME.fifo, which this object holds open for writing.
class Gate {
 public:
  Gate(const std::string& dir, const std::string& name);
  ~Gate();
  Gate(const Gate&) = delete;
  Gate& operator=(const Gate&) = delete;

  const std::string& program() const { return program_; }  // the path of gate.sh
  // How often the gate was reached so far.
  int reached() const;
  // True once it was reached `count` times (at most `limit`).
  bool wait_reached(int count = 1, std::chrono::milliseconds limit = std::chrono::seconds(60)) const;
  // Lets `count` waiters through (one line each).
  void open(int count = 1);

 private:
  std::string program_, reached_, fifo_;
  int fd_ = -1;
};

}  // namespace certkeeper::testing
