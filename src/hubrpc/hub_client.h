// HubClient: a blocking request/response client for the hub RPC over one Outpost transport
// connection whose server key is pinned (the hub's Ed25519 public key), so the client knows it
// talks to the real hub. Used by the CLI and outpost::User; the SDK's asynchronous hub session
// builds on the same framing. It refuses to connect without a key unless allowUnpinned(true)
// (development only; each such connect logs a warning). One caller thread at a time.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "hubrpc/framing.h"
#include "outpost/networking_sockets.h"

namespace outpost::hubrpc {

class HubClient {
 public:
  HubClient();
  ~HubClient();

  // address "ip:port"; hub_key_hex: the hub's key, 64 hex characters in any case ("" is refused
  // unless allowUnpinned(true)). Blocks up to timeout_ms. false and *error on failure — a hub that
  // does not present the key is named as such; nothing is sent to it.
  bool connect(const std::string& address, const std::string& hub_key_hex, int timeout_ms, std::string* error);
  // Development only: connect() without a key, logging a warning at each connect.
  void allowUnpinned(bool allow) { allow_unpinned_ = allow; }
  // Sends `request` (its request_id is assigned here) and waits for the matching response.
  std::optional<Envelope> call(Envelope request, int timeout_ms, std::string* error);
  // Sends a message that has no response. false if the connection is gone.
  bool send(const Envelope& message);
  bool connected();
  // Messages that answer no call (pushes from the hub, such as certificate revocations) go to this
  // handler, from call() and pollPushes(); without one they are dropped.
  void setPushHandler(std::function<void(const Envelope&)> handler);
  // Non-blocking: hands every message waiting on the connection to the push handler.
  void pollPushes();
  // Closes the connection (the hub sees the peer leave at once).
  void close();

 private:
  NetworkingSockets net_;
  uint32_t conn_ = 0;
  uint32_t next_request_id_ = 1;
  std::function<void(const Envelope&)> push_handler_;
  bool allow_unpinned_ = false;
};

}  // namespace outpost::hubrpc
