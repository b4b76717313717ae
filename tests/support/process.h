// Child processes for integration tests and bench/hub_bench: start a real outpost-hub (reading its
// listen address and public key from its first lines of output), stop it with SIGTERM or SIGKILL,
// and run the real outpost CLI capturing its output and exit status. Every wait is bounded.
#pragma once

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

namespace outpost::test {

struct ProcessResult {
  int exit_code = -1;
  std::string out;
};

// Runs `argv` to completion (bounded by timeout_s), capturing stdout and stderr together.
inline ProcessResult runProcess(const std::vector<std::string>& argv, int timeout_s = 60) {
  ProcessResult r;
  int fds[2];
  if (pipe(fds) != 0) return r;
  pid_t pid = fork();
  if (pid == 0) {
    prctl(PR_SET_PDEATHSIG, SIGKILL);  // never outlive the test (a crashed test must not leak it)
    dup2(fds[1], 1);
    dup2(fds[1], 2);
    close(fds[0]);
    std::vector<char*> args;
    for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
    args.push_back(nullptr);
    execv(args[0], args.data());
    _exit(127);
  }
  close(fds[1]);
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(timeout_s);
  char buf[4096];
  for (;;) {
    pollfd p{fds[0], POLLIN, 0};
    int left = static_cast<int>(
        std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now()).count());
    if (left <= 0) {
      kill(pid, SIGKILL);
      break;
    }
    if (poll(&p, 1, left) <= 0) continue;
    ssize_t n = read(fds[0], buf, sizeof buf);
    if (n <= 0) break;
    r.out.append(buf, static_cast<size_t>(n));
  }
  close(fds[0]);
  int status = 0;
  waitpid(pid, &status, 0);
  r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  return r;
}

#ifdef OUTPOST_CLI_BINARY
// The real CLI against a hub: `outpost admin --hub <hub_address> --data-dir <data_dir> <words...>`
// (the data directory gives it the hub's key and admin token).
inline ProcessResult runAdmin(const std::string& hub_address, const std::string& data_dir,
                              const std::vector<std::string>& words, int timeout_s = 60) {
  std::vector<std::string> argv = {OUTPOST_CLI_BINARY, "admin", "--hub", hub_address, "--data-dir", data_dir};
  argv.insert(argv.end(), words.begin(), words.end());
  return runProcess(argv, timeout_s);
}
#endif

class HubProcess {
 public:
  // Starts outpost-hub on 127.0.0.1 with an ephemeral port and waits for its banner.
  bool start(const std::string& data_dir) {
    int fds[2];
    if (pipe(fds) != 0) return false;
    pid_ = fork();
    if (pid_ == 0) {
      prctl(PR_SET_PDEATHSIG, SIGKILL);  // never outlive the test (a crashed test must not leak it)
      dup2(fds[1], 1);
      close(fds[0]);
      if (!stderr_path.empty()) {
        int err = open(stderr_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
        if (err >= 0) dup2(err, 2);
      }
      for (const auto& [k, v] : env) setenv(k.c_str(), v.c_str(), 1);
      std::vector<std::string> args = {binary};
      if (include_defaults)
        args.insert(args.end(), {"--data-dir", data_dir, "--listen", "127.0.0.1:0", "--master", "127.0.0.1:0"});
      args.insert(args.end(), extra_args.begin(), extra_args.end());
      std::vector<char*> argv;
      for (auto& a : args) argv.push_back(const_cast<char*>(a.c_str()));
      argv.push_back(nullptr);
      execv(argv[0], argv.data());
      _exit(127);
    }
    close(fds[1]);
    out_fd_ = fds[0];
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
    while (std::chrono::steady_clock::now() < deadline && (address.empty() || public_key.empty())) {
      std::string line = readLine(deadline);
      if (line.empty()) break;
      banner += line + "\n";
      auto take = [&](const std::string& prefix, std::string& out) {
        if (line.rfind(prefix, 0) == 0) out = line.substr(prefix.size());
      };
      take("outpost-hub: listening on ", address);
      take("outpost-hub: master query on ", master_address);
      if (line.rfind("outpost-hub: public key ", 0) == 0) {
        public_key = line.substr(24, 64);
        new_key = line.find("(new)") != std::string::npos;
      }
    }
    return !address.empty() && public_key.size() == 64;
  }
  // Sends `sig` and waits (up to wait_ms, then SIGKILL) for the process. Returns its exit status
  // (128+signal).
  int stop(int sig, int wait_ms = 5000) {
    if (pid_ <= 0) return -1;
    kill(pid_, sig);
    int status = 0;
    for (int i = 0; i < wait_ms / 25 && waitpid(pid_, &status, WNOHANG) == 0; ++i) usleep(25000);
    if (waitpid(pid_, &status, WNOHANG) == 0) {
      kill(pid_, SIGKILL);
      waitpid(pid_, &status, 0);
    }
    pid_ = -1;
    while (true) {  // collect the rest of the output
      auto line = readLine(std::chrono::steady_clock::now() + std::chrono::milliseconds(200));
      if (line.empty()) break;
      banner += line + "\n";
    }
    close(out_fd_);
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  }
  ~HubProcess() {
    if (pid_ > 0) stop(SIGKILL);
  }
  pid_t pid() const { return pid_; }  // -1 when not running

  std::string address, master_address, public_key, banner;
#ifdef OUTPOST_HUB_BINARY
  std::string binary = OUTPOST_HUB_BINARY;  // the outpost-hub to run
#else
  std::string binary;  // the outpost-hub to run (bench/hub_bench: --hub-binary); set before start()
#endif
  std::vector<std::string> extra_args;                   // more outpost-hub flags, set before start()
  std::vector<std::pair<std::string, std::string>> env;  // environment for the hub
  std::string stderr_path;                               // where its stderr goes ("" = inherited)
  bool include_defaults = true;                          // pass --data-dir/--listen/--master (false: extra_args only)
  bool new_key = false;

 private:
  std::string readLine(std::chrono::steady_clock::time_point deadline) {
    std::string line;
    char c;
    while (std::chrono::steady_clock::now() < deadline) {
      pollfd p{out_fd_, POLLIN, 0};
      if (poll(&p, 1, 50) <= 0) continue;
      if (read(out_fd_, &c, 1) != 1) return line;
      if (c == '\n') return line;
      line.push_back(c);
    }
    return line;
  }
  pid_t pid_ = -1;
  int out_fd_ = -1;
};

inline std::string makeTempDir() {
  char tmpl[] = "/tmp/outpost-test-XXXXXX";
  return mkdtemp(tmpl);
}

}  // namespace outpost::test
