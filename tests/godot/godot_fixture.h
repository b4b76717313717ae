// The Godot tests' fixture (tests/godot/*_test.cpp, ctest label godot): a real outpost-hub with its
// master, provisioned through the real `outpost admin` CLI, and real headless Godot 3 processes
// (Debian's godot3-server) running scenes of a private copy of the repository's godot/ project,
// whose addon starts the real outpost-agent. Output of each Godot process is collected by a reader
// thread so a test can wait for a line with a bounded deadline.
#pragma once

#include <gtest/gtest.h>
#include <signal.h>
#include <unistd.h>

#include <chrono>
#include <condition_variable>
#include <cstdlib>
#include <filesystem>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "hub_fixture.h"
#include "support/agent_process.h"
#include "support/process.h"
#include "support/spawn.h"

namespace outpost::test {

// The godot3-server executable on PATH, or "".
inline std::string findGodot() {
  const char* path = std::getenv("PATH");
  std::string p = path ? path : "/usr/bin:/bin";
  size_t start = 0;
  while (start <= p.size()) {
    size_t end = p.find(':', start);
    std::string dir = p.substr(start, end == std::string::npos ? std::string::npos : end - start);
    std::string candidate = dir + "/godot3-server";
    if (!dir.empty() && access(candidate.c_str(), X_OK) == 0) return candidate;
    if (end == std::string::npos) break;
    start = end + 1;
  }
  return "";
}

// A Godot (or any) child process (support/spawn.h) with its own environment and collected output.
class ChildProcess {
 public:
  ~ChildProcess() {
    if (pid_ > 0) stopChild(pid_, SIGKILL, 0);
    if (reader_.joinable()) reader_.join();
  }

  // `unset` names variables removed from the inherited environment; `env` adds or replaces. The
  // child leads a process group of its own; stdout and stderr are collected together.
  bool start(const std::vector<std::string>& argv, const std::map<std::string, std::string>& env,
             const std::vector<std::string>& unset = {}) {
    SpawnOptions o;
    o.argv = argv;
    o.env.assign(env.begin(), env.end());
    o.unset_env = unset;
    o.new_process_group = true;
    Child c = spawn(o);
    if (c.pid < 0) return false;
    pid_ = c.pid;
    reader_ = std::thread([this, fd = c.out_fd] {
      char buf[4096];
      for (;;) {
        ssize_t n = read(fd, buf, sizeof buf);
        if (n <= 0) break;
        std::lock_guard<std::mutex> l(mu_);
        output_.append(buf, static_cast<size_t>(n));
        cv_.notify_all();
      }
      close(fd);
      std::lock_guard<std::mutex> l(mu_);
      eof_ = true;
      cv_.notify_all();
    });
    return pid_ > 0;
  }

  // Waits until the output contains `text` (true) or timeout_ms / end of output (false).
  bool waitFor(const std::string& text, int timeout_ms) {
    std::unique_lock<std::mutex> l(mu_);
    return cv_.wait_for(l, std::chrono::milliseconds(timeout_ms), [&] {
      return output_.find(text) != std::string::npos || eof_;
    }) && output_.find(text) != std::string::npos;
  }
  // Number of times `text` occurs in the output so far.
  size_t count(const std::string& text) {
    std::lock_guard<std::mutex> l(mu_);
    size_t n = 0;
    for (size_t at = output_.find(text); at != std::string::npos; at = output_.find(text, at + 1)) ++n;
    return n;
  }
  std::string output() {
    std::lock_guard<std::mutex> l(mu_);
    return output_;
  }
  // Exit status (128+signal when killed), or -1 if still running after timeout_ms.
  int wait(int timeout_ms) {
    if (pid_ > 0) {
      int status = waitExit(pid_, timeout_ms);
      if (status < 0) return -1;
      pid_ = -1;
      if (reader_.joinable()) reader_.join();
      exit_status_ = status;
    }
    return exit_status_;
  }
  // For Godot: like wait(), but a "SCRIPT ERROR" (a parse error, or a runtime error that stops a
  // GDScript function and would leave the scene waiting forever) kills the process at once and
  // returns -2.
  int waitUnlessScriptError(int timeout_ms) {
    auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
    while (std::chrono::steady_clock::now() < deadline) {
      int status = wait(100);
      if (status != -1) return status;
      if (count("SCRIPT ERROR") > 0) {
        std::this_thread::sleep_for(std::chrono::milliseconds(200));  // the error's location line
        signal(SIGKILL);
        wait(5000);
        return -2;
      }
    }
    return -1;
  }
  void signal(int sig) {
    if (pid_ > 0) kill(pid_, sig);
  }
  pid_t pid() const { return pid_; }

 private:
  pid_t pid_ = -1;
  int exit_status_ = -1;
  std::thread reader_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::string output_;
  bool eof_ = false;
};

// A temporary copy of the repository's godot/ project, so Godot's own files (.import, user data)
// never land in the source tree, and a user-data directory (XDG_DATA_HOME) of its own.
class GodotProject {
 public:
  GodotProject() {
    root_ = makeTempDir();
    std::filesystem::copy(OUTPOST_GODOT_PROJECT_DIR, root_ + "/project", std::filesystem::copy_options::recursive);
    std::filesystem::create_directories(root_ + "/data");
  }
  ~GodotProject() {
    std::error_code ec;
    std::filesystem::remove_all(root_, ec);
  }
  std::string path() const { return root_ + "/project"; }
  std::string dataHome() const { return root_ + "/data"; }
  // argv for godot3-server running `scene` (res:// path) with user arguments after "--".
  std::vector<std::string> argv(const std::string& godot, const std::string& scene,
                                const std::vector<std::string>& user_args = {}) const {
    std::vector<std::string> a = {godot, "--path", path(), scene};
    if (!user_args.empty()) {
      a.push_back("--");
      a.insert(a.end(), user_args.begin(), user_args.end());
    }
    return a;
  }
  // The environment every Godot process of the tests gets: the agent to start, a private
  // user:// and the app id.
  std::map<std::string, std::string> baseEnv() const {
    return {{"OUTPOST_AGENT", OUTPOST_AGENT_BINARY}, {"XDG_DATA_HOME", dataHome()}, {"OUTPOST_APP_ID", "480"}};
  }

 private:
  std::string root_;
};

// "... steam_id=<decimal> ..." from `outpost admin` output.
inline uint64_t steamIdIn(const std::string& out) {
  auto at = out.find("steam_id=");
  return at == std::string::npos ? 0 : std::strtoull(out.c_str() + at + 9, nullptr, 10);
}

// A free UDP port on 127.0.0.1 that a TCP listener can use too (bound and released).
inline uint16_t freeUdpPort() { return freePort(); }

}  // namespace outpost::test
