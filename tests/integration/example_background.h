// Background: a child process for the example-game tests (example_*_test.cpp) that keeps
// running while the test talks to it — its stdout and stderr go to a file the test reads, with
// bounded waits for a line of output or for the exit. Optionally the child leads its own process
// group, so the test can signal it and everything it started at once, as Ctrl-C in a terminal
// does. The child never outlives the test (PR_SET_PDEATHSIG; the group is SIGKILLed on destruction).
#pragma once

#include <fcntl.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <fstream>
#include <sstream>
#include <string>
#include <thread>
#include <utility>
#include <vector>

namespace outpost::test {

class Background {
 public:
  using Clock = std::chrono::steady_clock;

  // argv[0] is a path. env: extra variables. own_group: the child leads a new process group.
  Background(std::vector<std::string> argv, std::string log_path,
             std::vector<std::pair<std::string, std::string>> env = {}, bool own_group = false)
      : log_(std::move(log_path)), own_group_(own_group) {
    pid_ = fork();
    if (pid_ == 0) {
      prctl(PR_SET_PDEATHSIG, SIGKILL);  // never outlive the test
      if (own_group) setpgid(0, 0);
      int fd = open(log_.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
      dup2(fd, 1);
      dup2(fd, 2);
      for (const auto& [k, v] : env) setenv(k.c_str(), v.c_str(), 1);
      std::vector<char*> args;
      for (auto& a : argv) args.push_back(a.data());
      args.push_back(nullptr);
      execv(args[0], args.data());
      _exit(127);
    }
    if (own_group) setpgid(pid_, pid_);  // also here, so a signal sent right away finds the group
    group_ = own_group ? pid_ : 0;
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
    auto deadline = Clock::now() + std::chrono::milliseconds(limit_ms);
    while (pid_ > 0) {
      int status = 0;
      if (waitpid(pid_, &status, WNOHANG) == pid_) {
        pid_ = -1;
        return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
      }
      if (Clock::now() >= deadline) break;
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    return -1;
  }
  // Sends `sig` (to the whole group when the child leads one), waits up to limit_ms, then
  // SIGKILLs. The exit status, 128 + SIGKILL if it had to be killed.
  int stop(int sig, int limit_ms = 10000) {
    if (pid_ <= 0) return -1;
    kill(own_group_ ? -pid_ : pid_, sig);
    int r = waitExit(limit_ms);
    if (r >= 0) return r;
    kill(pid_, SIGKILL);
    int status = 0;
    waitpid(pid_, &status, 0);
    pid_ = -1;
    return 128 + SIGKILL;
  }

 private:
  std::string log_;
  bool own_group_ = false;
  pid_t pid_ = -1;
  pid_t group_ = 0;
};

}  // namespace outpost::test
