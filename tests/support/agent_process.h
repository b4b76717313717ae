// Test helpers for the real outpost-agent process (tests/integration/agent_test.cpp and the Godot
// tests): start it (support/spawn.h) as a parent would (secret in OUTPOST_AGENT_SECRET, or --secret-file), read its
// port from its banner, talk to it over 127.0.0.1 TCP in frames (u32 LE length + payload), and
// watch whether a process is still alive. Every wait is bounded.
#pragma once

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <fstream>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "support/spawn.h"

namespace outpost::test {

// True while `pid` exists and is not a zombie (an orphan's zombie may linger in a container whose
// init does not reap).
inline bool processAlive(pid_t pid) {
  std::ifstream f("/proc/" + std::to_string(pid) + "/stat");
  std::string stat;
  if (!std::getline(f, stat)) return false;
  auto close = stat.rfind(')');
  if (close == std::string::npos || close + 2 >= stat.size()) return false;
  char state = stat[close + 2];
  return state != 'Z' && state != 'X';
}

inline bool waitUntilGone(pid_t pid, int timeout_ms) {
  auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
  while (std::chrono::steady_clock::now() < deadline) {
    waitpid(pid, nullptr, WNOHANG);  // reap it if it is our child
    if (!processAlive(pid)) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return !processAlive(pid);
}

// A 64-hex test secret (generated per run; never a constant).
inline std::string randomSecretHex() {
  std::string s;
  std::ifstream u("/dev/urandom", std::ios::binary);
  const char* digits = "0123456789abcdef";
  for (int i = 0; i < 32; ++i) {
    unsigned char b = static_cast<unsigned char>(u.get());
    s.push_back(digits[b >> 4]);
    s.push_back(digits[b & 15]);
  }
  return s;
}

class AgentProcess {
 public:
  ~AgentProcess() {
    if (pid_ > 0) stopChild(pid_, SIGKILL, 0);
    if (out_fd_ >= 0) close(out_fd_);
  }

  // Starts the agent with `args`; with a non-empty secret it goes in OUTPOST_AGENT_SECRET. Waits
  // for the banner (or the process's end). false if no banner came; `output` has what it printed.
  bool start(const std::vector<std::string>& args, const std::string& secret) {
    SpawnOptions o;
    o.argv = {OUTPOST_AGENT_BINARY};
    o.argv.insert(o.argv.end(), args.begin(), args.end());
    if (!secret.empty()) o.env = {{"OUTPOST_AGENT_SECRET", secret}};
    Child c = spawn(o);
    if (c.pid < 0) return false;
    pid_ = c.pid;
    out_fd_ = c.out_fd;
    const std::string prefix = "outpost-agent: listening on ";
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    while (std::chrono::steady_clock::now() < deadline) {
      std::string line = readLine(deadline);
      if (line.empty() && eof_) break;
      output += line + "\n";
      if (line.rfind(prefix, 0) == 0) {
        port = static_cast<uint16_t>(std::stoi(line.substr(line.rfind(':') + 1)));
        return true;
      }
    }
    return false;
  }

  // Waits for the process to exit; its status (128+signal when killed), or -1 if still running.
  int wait(int timeout_ms) {
    int status = waitExit(pid_, timeout_ms);
    if (status >= 0) {
      pid_ = -1;
      drain();
    }
    return status;
  }
  void drain() {
    for (;;) {
      std::string line = readLine(std::chrono::steady_clock::now() + std::chrono::milliseconds(100));
      if (line.empty()) break;
      output += line + "\n";
    }
  }

  pid_t pid() const { return pid_; }
  uint16_t port = 0;
  std::string output;

 private:
  std::string readLine(std::chrono::steady_clock::time_point deadline) {
    std::string line;
    char c;
    while (std::chrono::steady_clock::now() < deadline) {
      pollfd p{out_fd_, POLLIN, 0};
      if (poll(&p, 1, 20) <= 0) continue;
      ssize_t n = read(out_fd_, &c, 1);
      if (n != 1) {
        eof_ = true;
        return line;
      }
      if (c == '\n') return line;
      line.push_back(c);
    }
    return line;
  }
  pid_t pid_ = -1;
  int out_fd_ = -1;
  bool eof_ = false;
};

// One TCP connection to an agent, speaking frames.
class AgentClient {
 public:
  ~AgentClient() { disconnect(); }
  bool connect(uint16_t port) {
    fd_ = socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_port = htons(port);
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    int one = 1;
    setsockopt(fd_, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    return ::connect(fd_, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0;
  }
  void disconnect() {
    if (fd_ >= 0) close(fd_);
    fd_ = -1;
  }
  bool sendRaw(const std::vector<uint8_t>& bytes) {
    size_t sent = 0;
    while (sent < bytes.size()) {
      ssize_t n = send(fd_, bytes.data() + sent, bytes.size() - sent, MSG_NOSIGNAL);
      if (n <= 0) return false;
      sent += static_cast<size_t>(n);
    }
    return true;
  }
  bool sendFrame(const std::vector<uint8_t>& payload) {
    std::vector<uint8_t> f = {static_cast<uint8_t>(payload.size()), static_cast<uint8_t>(payload.size() >> 8),
                              static_cast<uint8_t>(payload.size() >> 16), static_cast<uint8_t>(payload.size() >> 24)};
    f.insert(f.end(), payload.begin(), payload.end());
    return sendRaw(f);
  }
  bool sendText(const std::string& text) { return sendFrame(std::vector<uint8_t>(text.begin(), text.end())); }
  // The next frame's payload; nullopt on timeout or when the agent closed the connection
  // (closed() then says which).
  std::optional<std::vector<uint8_t>> readFrame(int timeout_ms = 5000) {
    std::vector<uint8_t> header;
    if (!readExactly(4, &header, timeout_ms)) return std::nullopt;
    uint32_t len = header[0] | header[1] << 8 | header[2] << 16 | static_cast<uint32_t>(header[3]) << 24;
    std::vector<uint8_t> payload;
    if (!readExactly(len, &payload, timeout_ms)) return std::nullopt;
    return payload;
  }
  std::optional<std::string> readText(int timeout_ms = 5000) {
    auto f = readFrame(timeout_ms);
    if (!f) return std::nullopt;
    return std::string(f->begin(), f->end());
  }
  // Waits for the agent to close the connection (true) or for timeout_ms (false).
  bool waitClosed(int timeout_ms) {
    auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
    uint8_t buf[4096];
    while (std::chrono::steady_clock::now() < deadline) {
      pollfd p{fd_, POLLIN, 0};
      if (poll(&p, 1, 20) <= 0) continue;
      ssize_t n = recv(fd_, buf, sizeof buf, 0);
      if (n <= 0) return true;
    }
    return false;
  }
  bool closed() const { return closed_; }

 private:
  bool readExactly(size_t n, std::vector<uint8_t>* out, int timeout_ms) {
    auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
    out->clear();
    uint8_t buf[65536];
    while (out->size() < n) {
      int left = static_cast<int>(
          std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now()).count());
      if (left <= 0) return false;
      pollfd p{fd_, POLLIN, 0};
      if (poll(&p, 1, left) <= 0) continue;
      ssize_t r = recv(fd_, buf, std::min(sizeof buf, n - out->size()), 0);
      if (r <= 0) {
        closed_ = true;
        return false;
      }
      out->insert(out->end(), buf, buf + r);
    }
    return true;
  }
  int fd_ = -1;
  bool closed_ = false;
};

}  // namespace outpost::test
