// Integration: closing — linger delivers queued reliable data before the peer sees
// CLOSED_BY_PEER with the reason and debug text; argument checks; handles become invalid;
// closing a listen socket drops its connections and their peers time out.
#include "support/harness.h"

namespace outpost::test {
namespace {

TEST(Close, LingerDeliversQueuedReliableDataThenClosedByPeer) {
  Peer server, client;
  // A slow link so that most of the data is still queued when the application closes.
  Link l = connectPeers(server, client, "127.0.0.1:0", {},
                        {{NETWORKING_CONFIG_SEND_RATE_MIN, int32_t{300000}},
                         {NETWORKING_CONFIG_SEND_RATE_MAX, int32_t{300000}},
                         {NETWORKING_CONFIG_SEND_BUFFER_SIZE, int32_t{1 << 20}}});
  const int kCount = 300;
  std::vector<uint8_t> m(1000);
  for (int i = 0; i < kCount; ++i) {
    m[0] = static_cast<uint8_t>(i);
    m[1] = static_cast<uint8_t>(i >> 8);
    ASSERT_EQ(client.net.sendMessageToConnection(l.client, m, NETWORKING_SEND_RELIABLE).result, RESULT_OK);
  }
  auto st = client.net.getConnectionRealTimeStatus(l.client, 1);
  EXPECT_GT(st.connection_status->pending_reliable + st.connection_status->sent_unacknowledged_reliable, 100000);
  ASSERT_TRUE(client.net.closeConnection(l.client, 1500, "match over", true));
  EXPECT_FALSE(client.net.getConnectionInfo(l.client));  // the handle is gone at once

  int received = 0;
  bool in_order = true;
  int state_when_all_read = CONNECTION_STATE_NONE;
  ASSERT_TRUE(pumpUntil(
      {&server, &client},
      [&] {
        for (auto& msg : server.net.receiveMessagesOnConnection(l.server, 64)) {
          int n = msg.payload[0] | (msg.payload[1] << 8);
          in_order = in_order && n == received;
          ++received;
        }
        if (received == kCount && state_when_all_read == CONNECTION_STATE_NONE)
          state_when_all_read = server.state(l.server);
        return server.reportedState(l.server) == CONNECTION_STATE_CLOSED_BY_PEER && received == kCount;
      },
      Ms(20000)));
  EXPECT_TRUE(in_order);
  auto info = server.net.getConnectionInfo(l.server);
  ASSERT_TRUE(info);
  EXPECT_EQ(info->end_reason, 1500);
  EXPECT_EQ(info->end_debug, "match over");
  // Reading after the close is still possible until the application closes its end.
  EXPECT_TRUE(server.net.closeConnection(l.server, 0, "", false));
  EXPECT_FALSE(server.net.getConnectionInfo(l.server));
}

TEST(Close, WithoutLingerThePeerSeesTheReasonQuickly) {
  Peer server, client;
  Link l = connectPeers(server, client);
  std::string debug(128, 'd');
  ASSERT_TRUE(server.net.closeConnection(l.server, 2999, debug, false));
  ASSERT_TRUE(
      pumpUntil({&server, &client}, [&] { return client.reportedState(l.client) == CONNECTION_STATE_CLOSED_BY_PEER; }));
  const auto* ev = client.lastEvent(l.client);
  ASSERT_TRUE(ev);
  EXPECT_EQ(ev->old_state, CONNECTION_STATE_CONNECTED);
  EXPECT_EQ(ev->connection.end_reason, 2999);
  EXPECT_EQ(ev->connection.end_debug, debug);
}

TEST(Close, ArgumentChecks) {
  Peer server, client;
  Link l = connectPeers(server, client);
  EXPECT_FALSE(client.net.closeConnection(l.client, 1000, std::string(129, 'x'), false));  // over 128 bytes
  EXPECT_FALSE(client.net.closeConnection(l.client, 3001, "", false));                     // not an application code
  EXPECT_FALSE(client.net.closeConnection(l.client, 999, "", false));
  EXPECT_FALSE(client.net.closeConnection(424242, 1000, "", false));
  EXPECT_TRUE(client.net.getConnectionInfo(l.client));              // still open after refused calls
  EXPECT_TRUE(client.net.closeConnection(l.client, 0, "", false));  // 0 = generic app reason
  EXPECT_FALSE(client.net.closeConnection(l.client, 0, "", false));
  ASSERT_TRUE(
      pumpUntil({&server, &client}, [&] { return server.reportedState(l.server) == CONNECTION_STATE_CLOSED_BY_PEER; }));
  EXPECT_EQ(server.net.getConnectionInfo(l.server)->end_reason, CONNECTION_END_APP_GENERIC);
  // Every per-connection call on a closed handle returns its failure value.
  EXPECT_EQ(client.net.sendMessageToConnection(l.client, bytes("x"), NETWORKING_SEND_RELIABLE).result,
            RESULT_INVALID_PARAM);
  EXPECT_TRUE(client.net.receiveMessagesOnConnection(l.client, 10).empty());
  EXPECT_EQ(client.net.flushMessagesOnConnection(l.client), RESULT_INVALID_PARAM);
  EXPECT_EQ(client.net.getConnectionUserData(l.client), -1);
  EXPECT_EQ(client.net.getDetailedConnectionStatus(l.client).success, -1);
  EXPECT_FALSE(client.net.setConnectionPollGroup(l.client, 0));
}

TEST(Close, ClosingTheListenSocketDropsItsConnections) {
  Peer server, client;
  Link l = connectPeers(server, client, "127.0.0.1:0", {}, {{NETWORKING_CONFIG_TIMEOUT_CONNECTED, int32_t{800}}});
  ASSERT_TRUE(server.net.closeListenSocket(l.listen));
  EXPECT_FALSE(server.net.getConnectionInfo(l.server));
  // Ungraceful: the client learns it only by timing out.
  ASSERT_TRUE(pumpUntil({&server, &client},
                        [&] { return client.reportedState(l.client) == CONNECTION_STATE_PROBLEM_DETECTED_LOCALLY; }));
  EXPECT_EQ(client.net.getConnectionInfo(l.client)->end_reason, CONNECTION_END_MISC_TIMEOUT);
}

TEST(Close, DestroyingAnInstanceClosesItsConnections) {
  auto server = std::make_unique<Peer>();
  Peer client;
  Link l = connectPeers(*server, client);
  server.reset();
  ASSERT_TRUE(pumpUntil({&client}, [&] { return client.reportedState(l.client) == CONNECTION_STATE_CLOSED_BY_PEER; }));
}

}  // namespace
}  // namespace outpost::test
