// Child processes for integration tests and bench/hub_bench: start a real outpost-hub (reading its
// listen address and public key from its first lines of output), stop it with SIGTERM or SIGKILL,
// and run the real outpost CLI capturing its output and exit status. Every wait is bounded. The
// fork/exec itself is support/spawn.h's.
#pragma once

#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <unistd.h>

#include <chrono>
#include <string>
#include <utility>
#include <vector>

#include "support/spawn.h"

namespace outpost::test {

// Runs `argv` (argv[0] a path) to completion, capturing stdout and stderr together; killed
// (SIGKILL, exit_code 137) after timeout_s.
inline ProcessResult runProcess(const std::vector<std::string>& argv, int timeout_s = 60) {
  SpawnOptions o;
  o.argv = argv;
  return runToCompletion(o, timeout_s * 1000);
}

// The real CLI against a hub: `<cli_binary> admin --hub <hub_address> --data-dir <data_dir> <words...>`
// (the data directory gives it the hub's key and admin token).
inline ProcessResult runAdmin(const std::string& cli_binary, const std::string& hub_address,
                              const std::string& data_dir, const std::vector<std::string>& words, int timeout_s = 60) {
  std::vector<std::string> argv = {cli_binary, "admin", "--hub", hub_address, "--data-dir", data_dir};
  argv.insert(argv.end(), words.begin(), words.end());
  return runProcess(argv, timeout_s);
}

#ifdef OUTPOST_CLI_BINARY
// runAdmin with the outpost CLI this build made.
inline ProcessResult runAdmin(const std::string& hub_address, const std::string& data_dir,
                              const std::vector<std::string>& words, int timeout_s = 60) {
  return runAdmin(OUTPOST_CLI_BINARY, hub_address, data_dir, words, timeout_s);
}
#endif

class HubProcess {
 public:
  // Starts outpost-hub on 127.0.0.1 with an ephemeral port and waits for its banner.
  bool start(const std::string& data_dir) {
    SpawnOptions o;
    o.argv = {binary};
    if (include_defaults)
      o.argv.insert(o.argv.end(), {"--data-dir", data_dir, "--listen", "127.0.0.1:0", "--master", "127.0.0.1:0"});
    o.argv.insert(o.argv.end(), extra_args.begin(), extra_args.end());
    o.env = env;
    o.out = Stream::kPipe;
    o.err = stderr_path.empty() ? Stream::kInherit : Stream::kFile;
    o.err_path = stderr_path;
    Child c = spawn(o);
    if (c.pid < 0) return false;
    pid_ = c.pid;
    out_fd_ = c.out_fd;
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
    int status = stopChild(pid_, sig, wait_ms);
    pid_ = -1;
    while (true) {  // collect the rest of the output
      auto line = readLine(std::chrono::steady_clock::now() + std::chrono::milliseconds(200));
      if (line.empty()) break;
      banner += line + "\n";
    }
    close(out_fd_);
    out_fd_ = -1;
    return status;
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
