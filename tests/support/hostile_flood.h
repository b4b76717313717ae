// HostileFlood: the attacker of issue 11, item 1, as a reusable load generator. It speaks the
// Outpost transport's handshake and data packets itself (src/transport/wire.h, frames.h,
// src/crypto) — no NetworkingSockets — to open many connections from chosen local addresses
// (127.0.0.x on loopback, one UDP socket each), completes each handshake without any credential,
// then sends crafted datagrams meant to make the server hold memory:
//
//   kIssue11  the pattern of the report: one reliable byte at the far edge of the initial
//             flow-control window, and one fragment each of four 512 KiB unreliable messages
//             (with Hello and Connect, 7 datagrams per connection);
//   kFill     the worst this implementation allows an untrusted peer that the application
//             reads promptly: the reliable window filled with a partial message and the most
//             out-of-order segments, every untrusted lane opened, and partial unreliable
//             messages up to the reassembly budget (none of it ever becomes a message);
//   kPastBudget more than the untrusted budget allows: 24 out-of-order reliable segments (one
//             datagram each) and reliable data on lane 20; the server must leave the datagrams
//             past its limits unacknowledged (dropped.over_budget) and keep the connection.
//
// Refusals (signed rejections) are recorded with their end reason and text; a CLOSE the server
// sends on an open connection is noticed. keepAlive() pings every open connection (servers time
// out silent peers after TIMEOUT_CONNECTED); closeAll() sends each a CLOSE.
//
// Used by tests/integration/hostile_memory_test.cpp and bench/hub_bench_hostile.cpp. One thread;
// every wait is bounded.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

namespace outpost::test {

enum class FloodPattern { kIssue11, kFill, kPastBudget };

struct FloodOptions {
  std::string server_ip = "127.0.0.1";
  uint16_t server_port = 0;
  std::vector<std::string> sources;  // local IPv4 addresses to send from, e.g. "127.0.0.2"
  int connections_per_source = 1;
  FloodPattern pattern = FloodPattern::kIssue11;
  int handshakes_in_flight = 256;  // per flood, across sources
  int timeout_ms = 30000;          // for open() as a whole
};

struct FloodResult {
  int attempted = 0;
  int connected = 0;  // handshake completed (server accepted)
  int refused = 0;    // a signed rejection came back
  int timed_out = 0;  // no answer within the timeout
  std::map<uint32_t, int> refused_by_reason;
  std::map<std::string, int> refusal_texts;  // debug text -> count
  uint64_t datagrams_sent = 0;
  double seconds = 0;
};

class HostileFlood {
 public:
  explicit HostileFlood(FloodOptions options);
  ~HostileFlood();
  HostileFlood(const HostileFlood&) = delete;
  HostileFlood& operator=(const HostileFlood&) = delete;

  // Runs every handshake (at most handshakes_in_flight at once) and sends the pattern on each
  // connection as soon as it is up. Returns when all are connected, refused or timed out.
  FloodResult open();
  // Reads what the server sent (acks, pings, closes) for up to `ms` milliseconds.
  void drain(int ms);
  // One PING on every connection still open (the server hears from it, so it does not time out).
  void keepAlive();
  // A CLOSE (reason 1000) on every connection still open; they count as closed afterwards.
  void closeAll();
  // Connections up and not closed by either side.
  int openConnections() const;
  // Connections the server closed (a CLOSE frame arrived).
  int closedByServer() const;
  uint64_t datagramsSent() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace outpost::test
