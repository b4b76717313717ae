// Integration: 1,000 simultaneous connections from one client instance to one listen socket,
// all accepted, each exchanging a message both ways through a poll group on the server. They
// all come from one address, so the listen socket's per-source cap on untrusted connections
// (64 by default) is raised to let them in.
#include <set>

#include "support/harness.h"

namespace outpost::test {
namespace {

TEST(Scale, ThousandConnectionsToOneListenSocket) {
  const int kConnections = 1000;
  Peer server, client;
  uint32_t ls = server.net.createListenSocketIP(
      "127.0.0.1:0", {{NETWORKING_CONFIG_OUTPOST_MAX_UNTRUSTED_CONNECTIONS_PER_SOURCE, int32_t{kConnections}}});
  ASSERT_NE(ls, 0u);
  std::string addr = server.net.getListenSocketAddress(ls, true);
  uint32_t group = server.net.createPollGroup();
  std::vector<uint32_t> conns;
  for (int i = 0; i < kConnections; ++i) {
    uint32_t c = client.net.connectByIPAddress(addr);
    ASSERT_NE(c, 0u);
    conns.push_back(c);
  }
  size_t connected = 0;
  ASSERT_TRUE(pumpUntil(
      {&server, &client},
      [&] {
        connected = 0;
        for (uint32_t c : conns) connected += client.reportedState(c) == CONNECTION_STATE_CONNECTED;
        return connected == conns.size() && server.incoming.size() == conns.size();
      },
      Ms(60000)))
      << connected << " of " << kConnections << " connected";
  for (uint32_t s : server.incoming) ASSERT_TRUE(server.net.setConnectionPollGroup(s, group));

  for (int i = 0; i < kConnections; ++i) {
    std::string text = "hello from " + std::to_string(i);
    ASSERT_EQ(
        client.net
            .sendMessageToConnection(conns[static_cast<size_t>(i)], bytes(text), NETWORKING_SEND_RELIABLE_NO_NAGLE)
            .result,
        RESULT_OK);
  }
  std::set<std::string> seen;
  std::set<uint32_t> from;
  ASSERT_TRUE(pumpUntil(
      {&server, &client},
      [&] {
        for (auto& m : server.net.receiveMessagesOnPollGroup(group, 256)) {
          seen.insert(std::string(m.payload.begin(), m.payload.end()));
          from.insert(m.connection);
          server.net.sendMessageToConnection(m.connection, m.payload, NETWORKING_SEND_RELIABLE_NO_NAGLE);
        }
        return seen.size() == static_cast<size_t>(kConnections);
      },
      Ms(60000)))
      << seen.size();
  EXPECT_EQ(from.size(), static_cast<size_t>(kConnections));

  size_t echoes = 0;
  ASSERT_TRUE(pumpUntil(
      {&server, &client},
      [&] {
        for (uint32_t c : conns) echoes += client.net.receiveMessagesOnConnection(c, 4).size();
        return echoes == static_cast<size_t>(kConnections);
      },
      Ms(60000)))
      << echoes;
  EXPECT_EQ(server.net.getTransportCounters()["dropped_total"], 0u);
}

}  // namespace
}  // namespace outpost::test
