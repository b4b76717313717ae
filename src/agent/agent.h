// The agent: a local server (127.0.0.1 / ::1 TCP only) that hosts the SDK for one client process
// that cannot link C++ (docs/spec/agent.md). Lifetime and trust:
//   - the client proves itself with a 256-bit secret in its first frame (the hello); the secret is
//     either given by the parent (OUTPOST_AGENT_SECRET) or made here and written, with the port,
//     to a 0600 file the client reads (--secret-file);
//   - one client: once one has authenticated, further connections are closed at once; when that
//     client goes away (closed, crashed, killed), the agent shuts the SDK down and exits;
//   - no orphan: with --parent-pid it exits when that process is gone (PR_SET_PDEATHSIG when it is
//     the parent, and a liveness check every kParentCheckMs in any case); without a client
//     authenticated within first_client_timeout_ms it exits too.
// Before a connection authenticates it can cost at most kMaxHelloBytes + 4 bytes of buffer, one of
// max_pending_connections slots (the oldest is closed when a new one needs its slot) and
// hello_timeout_ms of time; everything refused is counted.
// Single-threaded: run() is the loop; the SDK objects run their own service threads.
#pragma once

#include <csignal>
#include <cstdint>
#include <map>
#include <memory>
#include <string>

namespace outpost::agent {

struct AgentOptions {
  std::string listen = "127.0.0.1:0";   // loopback only (127.0.0.0/8 or ::1), port 0 = any
  std::string secret_file;              // where to write port and secret ("" = none)
  std::string secret_hex;               // given by the parent: 64 hex characters ("" = make one)
  int64_t parent_pid = 0;               // exit when this process is gone (0 = no parent check)
  int first_client_timeout_ms = 10000;  // exit if no client authenticates by then
  int hello_timeout_ms = 2000;          // a connection must authenticate within this
  size_t max_frame_bytes = 8u << 20;    // largest request after authentication
  size_t max_pending_connections = 4;   // connections not yet authenticated
  size_t max_output_bytes = 64u << 20;  // replies waiting for the client; reading pauses beyond
};

inline constexpr size_t kMaxHelloBytes = 1024;
inline constexpr int kParentCheckMs = 500;
inline constexpr int kProtocolVersion = 1;

class AgentLoop;

class Agent {
 public:
  explicit Agent(AgentOptions options);
  ~Agent();
  Agent(const Agent&) = delete;
  Agent& operator=(const Agent&) = delete;

  // Checks the options, binds the listen socket, and writes the secret file. false with a reason
  // naming the option at fault.
  bool start(std::string* error);
  uint16_t port() const;
  const std::string& secretHex() const;
  // Serves until the client goes away, *stop becomes non-zero, the parent is gone or no client
  // came. Returns the exit status: 0 after a client was served (or on *stop), 1 when no client
  // authenticated in time or the parent was gone.
  int run(const volatile std::sig_atomic_t* stop);
  // Refusal and request counters (also printed to stderr when run() returns).
  std::map<std::string, uint64_t> counters() const;

 private:
  std::unique_ptr<AgentLoop> loop_;
};

}  // namespace outpost::agent
