// outpost::FakeUDPPort — datagrams to and from FakeIP addresses over P2P connections, the SDK's
// ISteamNetworkingFakeUDPPort (docs/spec/signaling.md §11). GodotSteam's createFakeUDPPort
// discards this object, so nothing can be sent through it; Outpost's
// NetworkingSockets::createFakeUDPPort returns it.
//
// Threading: every method is thread-safe; none blocks on the network. The object is owned by the
// NetworkingSockets that created it: destroyFakeUDPPort() frees it (the pointer is invalid after),
// and so does destroying the NetworkingSockets.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <vector>

namespace outpost {

// A received datagram: who sent it ("169.254.a.b:port", the sender's global FakeIP, or one from
// this instance's local range when the sender has none) and the bytes.
struct FakeUDPMessage {
  std::string from;
  std::vector<uint8_t> data;
};

class FakeUDPPort {
 public:
  virtual ~FakeUDPPort() = default;
  // Sends one datagram to a FakeIP:port ("169.254.a.b:port"). The first datagram to an address opens
  // a P2P connection to its owner's fake port (datagrams wait in its send buffer while it
  // connects). flags: NETWORKING_SEND_* (unreliable unless NETWORKING_SEND_RELIABLE).
  // RESULT_OK; RESULT_INVALID_PARAM for an address outside 169.254.0.0/16 or a datagram over
  // 512 KiB; RESULT_LIMIT_EXCEEDED when 256 peers are open or the send buffer is full;
  // RESULT_NO_CONNECTION when the connection to that address failed (scheduleCleanup it to retry).
  virtual int sendMessageToFakeIP(const std::string& remote_address, std::span<const uint8_t> data, int flags) = 0;
  // Up to max_messages datagrams received on this port, oldest first.
  virtual std::vector<FakeUDPMessage> receiveMessages(int max_messages) = 0;
  // Closes the connection to one address (the next send opens a new one).
  virtual void scheduleCleanup(const std::string& remote_address) = 0;
  // Closes every connection and frees this object.
  virtual void destroyFakeUDPPort() = 0;
};

}  // namespace outpost
