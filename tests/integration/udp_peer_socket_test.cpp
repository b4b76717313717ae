// UdpPeerSocket (src/net/udp_peer_socket.h) over real UDP on 127.0.0.1: a datagram sent to it by
// anyone but its peer is not returned (a stranger cannot answer for the server), the peer's is,
// and receive() gives up at its deadline.
#include <gtest/gtest.h>

#include <chrono>
#include <vector>

#include "net/udp_peer_socket.h"
#include "support/raw_socket.h"

namespace outpost {
namespace {

using Bytes = std::vector<uint8_t>;
using Clock = net::UdpPeerSocket::Clock;

TEST(UdpPeerSocket, OnlyThePeerCanAnswer) {
  test::RawSocket server;
  test::RawSocket stranger;
  net::UdpPeerSocket socket(base::SocketAddress::ipv4(0x7F000001, server.port));
  ASSERT_TRUE(socket.ok());
  socket.send(Bytes{1, 2, 3});
  uint16_t client_port = 0;
  ASSERT_EQ(server.receive(2000, &client_port), (Bytes{1, 2, 3}));
  ASSERT_NE(client_port, 0);

  stranger.sendTo(client_port, {0xBA, 0xD0});  // arrives first
  server.sendTo(client_port, {4, 5, 6});
  EXPECT_EQ(socket.receive(Clock::now() + std::chrono::seconds(2)), (Bytes{4, 5, 6}));

  // Only the stranger speaks: nothing is returned, and the wait ends at the deadline.
  stranger.sendTo(client_port, {0xBA, 0xD1});
  auto start = Clock::now();
  EXPECT_TRUE(socket.receive(start + std::chrono::milliseconds(200)).empty());
  auto waited = Clock::now() - start;
  EXPECT_GE(waited, std::chrono::milliseconds(200));
  EXPECT_LT(waited, std::chrono::seconds(2));
}

}  // namespace
}  // namespace outpost
