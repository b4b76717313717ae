// UdpPeerSocket: an unbound UDP socket that talks to one peer — sends datagrams to it and receives,
// with a deadline, only what that peer sends back (a datagram from any other address is read and
// ignored, so a stranger cannot answer for the peer). The player side's request/reply exchanges
// (ServerBrowser's master pages and A2S queries) use one per call. Blocking; one thread at a time.
#pragma once

#include <chrono>
#include <cstdint>
#include <span>
#include <vector>

#include "base/address.h"

namespace outpost::net {

class UdpPeerSocket {
 public:
  using Clock = std::chrono::steady_clock;

  // Opens a socket of `peer`'s family (the kernel picks the local port on the first send).
  explicit UdpPeerSocket(const base::SocketAddress& peer);
  ~UdpPeerSocket();
  UdpPeerSocket(const UdpPeerSocket&) = delete;
  UdpPeerSocket& operator=(const UdpPeerSocket&) = delete;

  // false if the socket could not be opened; send() and receive() then do nothing.
  bool ok() const { return fd_ >= 0; }
  // Sends one datagram to the peer. A send the kernel refuses is not reported: the caller's
  // resend-until-deadline loop treats it like a datagram lost on the way.
  void send(std::span<const uint8_t> datagram);
  // The next datagram from the peer (at most 2048 bytes; a longer one arrives cut), waiting until
  // `deadline`; empty on timeout.
  std::vector<uint8_t> receive(Clock::time_point deadline);

 private:
  base::SocketAddress peer_;
  int fd_ = -1;
};

}  // namespace outpost::net
