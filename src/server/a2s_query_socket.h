// A2sQuerySocket: A2S on a game server's own UDP query port. Owns one UdpService (src/net: one
// socket, one receive thread) that hands every datagram to an A2sResponder and sends its replies
// from the same socket.
//
// Threading model:
//   * start() binds and starts the thread; stop() (or the destructor) wakes it through an
//     eventfd and joins it. Nothing else runs on that thread.
//   * update(), counters(), localAddress(), running() and stop() may be called from any thread.
//   * The thread blocks in poll() without a timeout: an idle socket costs no CPU.
//
// GameSocketShare mode needs no A2sQuerySocket: the game's socket passes datagrams starting
// FF FF FF FF to A2sResponder::handle() and sends what it returns (see docs/spec/a2s.md §7).
#pragma once

#include <string>

#include "base/address.h"
#include "base/clock.h"
#include "net/udp_service.h"
#include "outpost/server_info.h"
#include "server/a2s_responder.h"

namespace outpost::server {

struct A2sQuerySocketOptions {
  // "ip:port" / "[ipv6]:port"; an IPv6 any-address also takes IPv4. Tests use "127.0.0.1:0".
  std::string bind_address = "0.0.0.0:27015";
  A2sResponderOptions responder;
  // Time source for challenges and rate limits; nullptr = SystemClock. Must outlive the socket.
  const base::Clock* clock = nullptr;
};

class A2sQuerySocket {
 public:
  explicit A2sQuerySocket(A2sQuerySocketOptions options = {});
  ~A2sQuerySocket();  // stop()
  A2sQuerySocket(const A2sQuerySocket&) = delete;
  A2sQuerySocket& operator=(const A2sQuerySocket&) = delete;

  // Validates the options, binds and starts the thread. Returns false and sets *error (if
  // non-null) for bad options (unparseable address, responder option out of range), a socket
  // error (address in use, ...) or a second start(); nothing is left running then.
  [[nodiscard]] bool start(std::string* error);
  // Stops the thread and closes the socket. Idempotent.
  void stop();

  bool running() const { return service_.running(); }
  // The bound address (with the kernel's port when bound to port 0); invalid before start().
  base::SocketAddress localAddress() const { return service_.localAddress(); }

  // Replaces what is answered (encoded once, swapped atomically). Thread-safe. Requests before
  // the first update() are dropped (dropped_no_info).
  void update(const ServerInfoResult& info, std::span<const ServerPlayer> players, const ServerRules& rules) {
    responder_.update(info, players, rules);
  }

  A2sCounters counters() const { return responder_.counters(); }

 private:
  A2sQuerySocketOptions options_;
  const base::Clock& clock_;
  A2sResponder responder_;
  net::UdpService service_{"a2s"};  // last: its thread uses the members above
};

}  // namespace outpost::server
