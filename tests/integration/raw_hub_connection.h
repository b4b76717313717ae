// RawHubConnection: one hub RPC connection driven by hand, as a hostile or broken peer would —
// any bytes, any Envelope, any request id — with every answer and push kept in arrival order.
// For tests that bypass the SDK (which would refuse to send most of these). Every wait is bounded.
#pragma once

#include <chrono>
#include <deque>
#include <functional>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "hubrpc/framing.h"
#include "outpost/networking_sockets.h"

namespace outpost::test {

class RawHubConnection {
 public:
  ~RawHubConnection() {
    if (conn_) net_.closeConnection(conn_, 0, "test done", false);
  }

  bool connect(const std::string& address, const std::string& hub_key_hex, int timeout_ms = 10000) {
    ConfigOptions o;
    o[NETWORKING_CONFIG_OUTPOST_PINNED_PEER_KEY] = hub_key_hex;
    conn_ = net_.connectByIPAddress(address, o);
    if (!conn_) return false;
    auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
    while (std::chrono::steady_clock::now() < deadline) {
      net_.runNetworkingCallbacks();
      auto info = net_.getConnectionInfo(conn_);
      if (info && info->connection_state == CONNECTION_STATE_CONNECTED) return true;
      net_.waitForActivity(10);
    }
    return false;
  }
  bool sendBytes(std::span<const uint8_t> bytes) {
    return net_.sendMessageToConnection(conn_, bytes, NETWORKING_SEND_RELIABLE_NO_NAGLE).result == RESULT_OK;
  }
  // Sends `e` with a fresh request id (returned).
  uint32_t send(hubrpc::Envelope e) {
    e.set_request_id(next_id_++);
    sendBytes(hubrpc::encode(e));
    return e.request_id();
  }
  // The first message (answer or push) `match` accepts, taken out of the inbox; nullopt after
  // timeout_ms.
  std::optional<hubrpc::Envelope> waitFor(const std::function<bool(const hubrpc::Envelope&)>& match,
                                          int timeout_ms = 5000) {
    auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
    for (;;) {
      for (auto& m : net_.receiveMessagesOnConnection(conn_, 64)) {
        auto e = hubrpc::decode(m.payload);
        if (e) inbox_.push_back(*e);
        else ++undecodable_;
      }
      for (auto it = inbox_.begin(); it != inbox_.end(); ++it)
        if (match(*it)) {
          hubrpc::Envelope e = *it;
          inbox_.erase(it);
          return e;
        }
      if (std::chrono::steady_clock::now() >= deadline) return std::nullopt;
      net_.runNetworkingCallbacks();
      net_.waitForActivity(10);
    }
  }
  // Sends `e` and waits for the message that echoes its request id.
  std::optional<hubrpc::Envelope> call(hubrpc::Envelope e, int timeout_ms = 5000) {
    uint32_t id = send(std::move(e));
    return waitFor([id](const hubrpc::Envelope& x) { return x.request_id() == id; }, timeout_ms);
  }
  // Waits until the hub has closed the connection; true if it did within timeout_ms.
  bool closedByHub(int timeout_ms = 5000) {
    auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
    while (std::chrono::steady_clock::now() < deadline) {
      net_.runNetworkingCallbacks();
      auto info = net_.getConnectionInfo(conn_);
      if (!info || info->connection_state == CONNECTION_STATE_CLOSED_BY_PEER ||
          info->connection_state == CONNECTION_STATE_PROBLEM_DETECTED_LOCALLY)
        return true;
      // Keep draining what arrives, so the closing side's last answers are seen.
      for (auto& m : net_.receiveMessagesOnConnection(conn_, 64))
        if (auto e = hubrpc::decode(m.payload)) inbox_.push_back(*e);
      net_.waitForActivity(10);
    }
    return false;
  }
  bool connected() {
    auto info = net_.getConnectionInfo(conn_);
    return info && info->connection_state == CONNECTION_STATE_CONNECTED;
  }
  size_t undecodable() const { return undecodable_; }

 private:
  NetworkingSockets net_;
  uint32_t conn_ = 0;
  uint32_t next_id_ = 1;
  std::deque<hubrpc::Envelope> inbox_;
  size_t undecodable_ = 0;
};

}  // namespace outpost::test
