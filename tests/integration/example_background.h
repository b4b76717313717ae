// Background: a child process for the example-game tests (example_*_test.cpp) that keeps
// running while the test talks to it — its stdout and stderr go to a file the test reads, with
// bounded waits for a line of output or for the exit. Optionally the child leads its own process
// group, so the test can signal it and everything it started at once, as Ctrl-C in a terminal
// does. The child never outlives the test (support/spawn.h: PR_SET_PDEATHSIG; the group is SIGKILLed on
// destruction).
#pragma once

#include <signal.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <fstream>
#include <sstream>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "support/spawn.h"

namespace outpost::test {

class Background {
 public:
  using Clock = std::chrono::steady_clock;

  // argv[0] is a path. env: extra variables. own_group: the child leads a new process group.
  Background(std::vector<std::string> argv, std::string log_path,
             std::vector<std::pair<std::string, std::string>> env = {}, bool own_group = false)
      : log_(std::move(log_path)), own_group_(own_group) {
    SpawnOptions o;
    o.argv = std::move(argv);
    o.out = o.err = Stream::kFile;
    o.out_path = o.err_path = log_;
    o.env = std::move(env);
    o.new_process_group = own_group;
    pid_ = spawn(o).pid;
    group_ = own_group && pid_ > 0 ? pid_ : 0;
  }
  ~Background() {
    if (pid_ > 0) {
      if (own_group_) kill(-pid_, SIGKILL);
      stop(SIGKILL);
    }
  }
  Background(const Background&) = delete;
  Background& operator=(const Background&) = delete;

  // The process group the child leads (own_group), 0 otherwise. Stays valid after it exits, so a
  // test can check that nothing of the group is left: kill(-group(), 0) fails with ESRCH.
  pid_t group() const { return group_; }
  pid_t pid() const { return pid_; }  // -1 once it exited

  std::string output() const {
    std::ifstream f(log_);
    std::stringstream s;
    s << f.rdbuf();
    return s.str();
  }
  bool waitForOutput(const std::string& text, int limit_ms = 15000) const {
    auto deadline = Clock::now() + std::chrono::milliseconds(limit_ms);
    while (Clock::now() < deadline) {
      if (output().find(text) != std::string::npos) return true;
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    return output().find(text) != std::string::npos;
  }
  // Waits (bounded) for the process to exit by itself: its exit status (128 + signal when a
  // signal ended it), or -1 if it is still running.
  int waitExit(int limit_ms) {
    int status = test::waitExit(pid_, limit_ms);
    if (status >= 0) pid_ = -1;
    return status;
  }
  // Sends `sig` (to the whole group when the child leads one), waits up to limit_ms, then
  // SIGKILLs. The exit status, 128 + SIGKILL if it had to be killed.
  int stop(int sig, int limit_ms = 10000) {
    if (pid_ <= 0) return -1;
    int status = stopChild(pid_, sig, limit_ms, own_group_);
    pid_ = -1;
    return status;
  }

 private:
  std::string log_;
  bool own_group_ = false;
  pid_t pid_ = -1;
  pid_t group_ = 0;
};

}  // namespace outpost::test
