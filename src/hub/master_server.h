// MasterServer: the hub's master port — Valve's Master Server Query Protocol over UDP. Owns one
// UdpService (src/net: one socket and one receive thread); answers each request from the
// snapshot last given to publish(), from the same socket, to the request's source address and
// port.
//
// Threading model (for the hub):
//   * start() binds the socket and starts the server's own thread; stop() (or the destructor)
//     wakes it through an eventfd and joins it. Nothing else runs on that thread.
//   * publish(), counters(), localAddress() and stop() may be called from any thread.
//   * The thread blocks in poll() with no timeout: an idle server costs no CPU.
//
// Publishing: build a MasterIndex from the registry (makeMasterIndex(records)) on the hub's
// thread, then publish(it). The swap is O(1); requests already being answered finish on the old
// snapshot. Until the first publish() requests are dropped (counter dropped_no_snapshot).
// (Namespace master kept from before the module split; the namespace pass of issue 8 moves it.)
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <string>

#include "base/address.h"
#include "hub/master_rate_limiter.h"
#include "hub/master_responder.h"
#include "master/index.h"
#include "net/udp_service.h"

namespace outpost::hub {

struct MasterServerOptions {
  // Where to listen: "ip:port", "[ipv6]:port" (an IPv6 any-address also accepts IPv4). Tests use
  // "127.0.0.1:0" and read localAddress().
  std::string bind_address = "0.0.0.0:27011";
  MasterRateLimits limits;
  // Time source for the rate limits; nullptr = SystemClock. Must outlive the server.
  const base::Clock* clock = nullptr;
};

class MasterServer {
 public:
  explicit MasterServer(MasterServerOptions options = {});
  ~MasterServer();  // stop()
  MasterServer(const MasterServer&) = delete;
  MasterServer& operator=(const MasterServer&) = delete;

  // Validates the options, binds the socket and starts the receive thread. Returns false and
  // sets *error (if non-null) on a bad option (unparseable address, a rate limit out of range)
  // or a socket error (address in use, ...); nothing is left running then. Calling start()
  // twice fails with "already started". Not thread-safe against itself or stop().
  [[nodiscard]] bool start(std::string* error);

  // Stops the thread and closes the socket. Idempotent; returns after the thread has exited.
  void stop();

  bool running() const { return service_.running(); }
  // The bound address (with the kernel's port when bound to port 0); invalid before start().
  base::SocketAddress localAddress() const { return service_.localAddress(); }

  // Replaces the list answered from. Thread-safe, O(1). See the file comment.
  void publish(std::shared_ptr<const master::MasterIndex> index) { responder_.publish(std::move(index)); }

  // Counters by name (master_responder.h lists them), every dropped datagram counted by reason.
  // Thread-safe.
  std::map<std::string, uint64_t> counters() const { return responder_.counters(); }

 private:
  MasterServerOptions options_;
  const base::Clock& clock_;
  MasterResponder responder_;
  net::UdpService service_{"master"};  // last: its thread uses the members above
};

}  // namespace outpost::hub
