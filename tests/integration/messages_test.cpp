// Integration: sending and receiving — every field of a received message, send results and
// their failure values, sendMessages batches, the send buffer limit, Nagle and flush, 512 KiB
// reliable and fragmented unreliable messages, poll groups, names, user data, status queries.
#include <algorithm>
#include <numeric>

#include "support/harness.h"

namespace outpost::test {
namespace {

std::vector<NetworkingMessage> receiveN(Peer& rx, Peer& tx, uint32_t conn, size_t n, Ms limit = Ms(10000)) {
  std::vector<NetworkingMessage> got;
  pumpUntil(
      {&rx, &tx},
      [&] {
        for (auto& m : rx.net.receiveMessagesOnConnection(conn, 256)) got.push_back(std::move(m));
        return got.size() >= n;
      },
      limit);
  return got;
}

TEST(Messages, EveryFieldOfAReceivedMessage) {
  Peer server, client;
  client.net.resetIdentity(76561197960265730ull);
  Link l = connectPeers(server, client, "127.0.0.1:0", {{NETWORKING_CONFIG_CONNECTION_USER_DATA, int64_t{4242}}});
  ASSERT_NE(l.server, 0u);
  EXPECT_EQ(server.net.getConnectionUserData(l.server), 4242);
  EXPECT_EQ(client.net.getConnectionUserData(l.client), -1);

  int64_t before = server.net.getLocalTimestamp();
  auto r1 = client.net.sendMessageToConnection(l.client, bytes("first"), NETWORKING_SEND_RELIABLE);
  auto r2 = client.net.sendMessageToConnection(l.client, bytes("second"), NETWORKING_SEND_UNRELIABLE_NO_NAGLE);
  auto r3 = client.net.sendMessageToConnection(l.client, bytes("third"), NETWORKING_SEND_RELIABLE_NO_NAGLE);
  EXPECT_EQ(r1.result, RESULT_OK);
  EXPECT_EQ(r1.message_number, 1);
  EXPECT_EQ(r2.message_number, 2);
  EXPECT_EQ(r3.message_number, 3);

  auto got = receiveN(server, client, l.server, 3);
  ASSERT_EQ(got.size(), 3u);
  std::sort(got.begin(), got.end(), [](auto& a, auto& b) { return a.message_number < b.message_number; });
  const char* texts[] = {"first", "second", "third"};
  for (int i = 0; i < 3; ++i) {
    const auto& m = got[static_cast<size_t>(i)];
    EXPECT_EQ(m.payload, bytes(texts[i]));
    EXPECT_EQ(m.size, m.payload.size());
    EXPECT_EQ(m.connection, l.server);
    EXPECT_EQ(m.identity, 76561197960265730ull);
    EXPECT_EQ(m.receiver_user_data, 4242);
    EXPECT_EQ(m.sender_user_data, 0);
    EXPECT_GE(m.time_received, before);
    EXPECT_LE(m.time_received, server.net.getLocalTimestamp());
    EXPECT_EQ(m.message_number, i + 1);
    EXPECT_EQ(m.channel, 0);
    EXPECT_EQ(m.lane, 0);
  }
  EXPECT_TRUE(got[0].flags & NETWORKING_SEND_RELIABLE);
  EXPECT_FALSE(got[1].flags & NETWORKING_SEND_RELIABLE);
  EXPECT_TRUE(got[2].flags & NETWORKING_SEND_RELIABLE);
}

TEST(Messages, SendFailureValues) {
  Peer server, client;
  Link l = connectPeers(server, client);
  std::vector<uint8_t> too_big(MAX_STEAM_PACKET_SIZE + 1);
  EXPECT_EQ(client.net.sendMessageToConnection(12345, bytes("x"), NETWORKING_SEND_RELIABLE).result,
            RESULT_INVALID_PARAM);
  EXPECT_EQ(client.net.sendMessageToConnection(l.client, too_big, NETWORKING_SEND_RELIABLE).result,
            RESULT_INVALID_PARAM);
  EXPECT_EQ(client.net.sendMessageToConnection(l.client, bytes("x"), NETWORKING_SEND_RELIABLE, 1).result,
            RESULT_INVALID_PARAM);  // lane 1 not configured
  EXPECT_EQ(client.net.flushMessagesOnConnection(12345), RESULT_INVALID_PARAM);
  // An empty message is a message.
  auto empty = client.net.sendMessageToConnection(l.client, {}, NETWORKING_SEND_RELIABLE_NO_NAGLE);
  EXPECT_EQ(empty.result, RESULT_OK);
  auto got = receiveN(server, client, l.server, 1);
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0].size, 0u);
  // After the peer closed: NO_CONNECTION.
  server.net.closeConnection(l.server, 1001, "bye", false);
  ASSERT_TRUE(
      pumpUntil({&server, &client}, [&] { return client.reportedState(l.client) == CONNECTION_STATE_CLOSED_BY_PEER; }));
  EXPECT_EQ(client.net.sendMessageToConnection(l.client, bytes("x"), NETWORKING_SEND_RELIABLE).result,
            RESULT_NO_CONNECTION);
}

TEST(Messages, SendMessagesGivesOneResultPerMessage) {
  Peer server, client;
  Link l = connectPeers(server, client);
  auto a = bytes("alpha"), b = bytes("beta"), c = bytes("gamma");
  std::vector<OutgoingMessage> batch = {
      {l.client, a, NETWORKING_SEND_RELIABLE, 0, 7},
      {99999, b, NETWORKING_SEND_RELIABLE, 0, 0},
      {l.client, c, NETWORKING_SEND_RELIABLE_NO_NAGLE, 0, 0},
  };
  auto results = client.net.sendMessages(batch);
  ASSERT_EQ(results.size(), 3u);
  EXPECT_EQ(results[0].result, RESULT_OK);
  EXPECT_EQ(results[0].message_number, 1);
  EXPECT_EQ(results[1].result, RESULT_INVALID_PARAM);
  EXPECT_EQ(results[2].result, RESULT_OK);
  EXPECT_EQ(results[2].message_number, 2);
  auto got = receiveN(server, client, l.server, 2);
  ASSERT_EQ(got.size(), 2u);
  EXPECT_EQ(got[0].payload, a);
  EXPECT_EQ(got[1].payload, c);
}

TEST(Messages, SendBufferLimitWhileConnecting) {
  Peer server(/*auto_accept=*/false), client;
  uint32_t ls = server.net.createListenSocketIP("127.0.0.1:0");
  uint32_t c = client.net.connectByIPAddress(server.net.getListenSocketAddress(ls, true),
                                             {{NETWORKING_CONFIG_SEND_BUFFER_SIZE, int32_t{4096}}});
  std::vector<uint8_t> kb(1024, 0x5A);
  int ok = 0;
  SendResult r;
  for (int i = 0; i < 10; ++i) {
    r = client.net.sendMessageToConnection(c, kb, NETWORKING_SEND_RELIABLE);
    if (r.result != RESULT_OK) break;
    ++ok;
  }
  EXPECT_EQ(r.result, RESULT_LIMIT_EXCEEDED);
  EXPECT_GE(ok, 3);
  EXPECT_LE(ok, 4);
  // Unreliable "no delay" cannot go out while connecting: ignored, not queued.
  EXPECT_EQ(client.net.sendMessageToConnection(c, bytes("now"), NETWORKING_SEND_UNRELIABLE_NO_DELAY).result,
            RESULT_IGNORED);
  // Once accepted, everything queued arrives.
  ASSERT_TRUE(pumpUntil({&server, &client}, [&] { return !server.incoming.empty(); }));
  EXPECT_EQ(server.net.acceptConnection(server.incoming[0]), RESULT_OK);
  auto got = receiveN(server, client, server.incoming[0], static_cast<size_t>(ok));
  EXPECT_EQ(got.size(), static_cast<size_t>(ok));
}

TEST(Messages, NagleHoldsSmallMessagesUntilFlush) {
  Peer server, client;
  Link l = connectPeers(server, client, "127.0.0.1:0", {}, {{NETWORKING_CONFIG_NAGLE_TIME, int32_t{20000}}});
  ASSERT_EQ(client.net.sendMessageToConnection(l.client, bytes("small"), NETWORKING_SEND_RELIABLE).result, RESULT_OK);
  auto st = client.net.getConnectionRealTimeStatus(l.client, 1);
  ASSERT_EQ(st.response, RESULT_OK);
  ASSERT_TRUE(st.connection_status);
  EXPECT_GT(st.connection_status->pending_reliable, 0);  // waiting on the Nagle timer
  EXPECT_GT(st.lanes_status[0].pending_reliable, 0);
  EXPECT_EQ(client.net.flushMessagesOnConnection(l.client), RESULT_OK);
  st = client.net.getConnectionRealTimeStatus(l.client, 1);
  EXPECT_EQ(st.connection_status->pending_reliable, 0);
  EXPECT_EQ(receiveN(server, client, l.server, 1).size(), 1u);
}

TEST(Messages, LargestReliableMessageAndFragmentedUnreliable) {
  Peer server, client;
  // A 512 KiB message fills the default 512 KiB send buffer by itself; make room for both.
  Link l = connectPeers(server, client, "127.0.0.1:0", {}, {{NETWORKING_CONFIG_SEND_BUFFER_SIZE, int32_t{1 << 20}}});
  std::vector<uint8_t> big(MAX_STEAM_PACKET_SIZE);
  for (size_t i = 0; i < big.size(); ++i) big[i] = static_cast<uint8_t>(i * 131 + (i >> 9));
  std::vector<uint8_t> medium(100000);
  std::iota(medium.begin(), medium.end(), 7);
  ASSERT_EQ(client.net.sendMessageToConnection(l.client, big, NETWORKING_SEND_RELIABLE).result, RESULT_OK);
  ASSERT_EQ(client.net.sendMessageToConnection(l.client, medium, NETWORKING_SEND_UNRELIABLE_NO_NAGLE).result,
            RESULT_OK);
  auto got = receiveN(server, client, l.server, 2);
  ASSERT_EQ(got.size(), 2u);
  EXPECT_EQ(got[0].payload, big);
  EXPECT_EQ(got[1].payload, medium);
}

TEST(Messages, PollGroups) {
  Peer server, client;
  Link a = connectPeers(server, client);
  uint32_t b_client = client.net.connectByIPAddress(a.address);
  ASSERT_TRUE(pumpUntil({&server, &client}, [&] {
    return server.incoming.size() == 2 && server.reportedState(server.incoming[1]) == CONNECTION_STATE_CONNECTED &&
           client.reportedState(b_client) == CONNECTION_STATE_CONNECTED;
  }));
  uint32_t b_server = server.incoming[1];
  uint32_t group = server.net.createPollGroup();
  ASSERT_NE(group, 0u);
  // A message that arrives before the connection joins the group is still seen through it.
  client.net.sendMessageToConnection(a.client, bytes("early"), NETWORKING_SEND_RELIABLE_NO_NAGLE);
  ASSERT_TRUE(pumpUntil({&server, &client}, [&] {
    auto st = server.net.getConnectionRealTimeStatus(a.server, 0);
    return server.net.getConnectionInfo(a.server) &&
           client.net.getConnectionRealTimeStatus(a.client, 1).lanes_status[0].sent_unacknowledged_reliable == 0 &&
           st.response == RESULT_OK;
  }));
  EXPECT_TRUE(server.net.setConnectionPollGroup(a.server, group));
  EXPECT_TRUE(server.net.setConnectionPollGroup(b_server, group));
  EXPECT_FALSE(server.net.setConnectionPollGroup(b_server, group + 777));
  EXPECT_FALSE(server.net.setConnectionPollGroup(424242, group));
  client.net.sendMessageToConnection(b_client, bytes("from b"), NETWORKING_SEND_RELIABLE_NO_NAGLE);
  client.net.sendMessageToConnection(a.client, bytes("from a"), NETWORKING_SEND_RELIABLE_NO_NAGLE);
  std::vector<NetworkingMessage> got;
  ASSERT_TRUE(pumpUntil({&server, &client}, [&] {
    for (auto& m : server.net.receiveMessagesOnPollGroup(group, 16)) got.push_back(std::move(m));
    return got.size() >= 3;
  }));
  ASSERT_EQ(got.size(), 3u);
  EXPECT_EQ(got[0].payload, bytes("early"));
  EXPECT_EQ(got[0].connection, a.server);
  int from_a = 0, from_b = 0;
  for (auto& m : got) (m.connection == a.server ? from_a : from_b)++;
  EXPECT_EQ(from_a, 2);
  EXPECT_EQ(from_b, 1);
  EXPECT_TRUE(server.net.receiveMessagesOnPollGroup(group + 777, 16).empty());
  // Leaving the group: messages now only through the connection.
  EXPECT_TRUE(server.net.setConnectionPollGroup(b_server, 0));
  client.net.sendMessageToConnection(b_client, bytes("after"), NETWORKING_SEND_RELIABLE_NO_NAGLE);
  auto direct = receiveN(server, client, b_server, 1);
  ASSERT_EQ(direct.size(), 1u);
  EXPECT_TRUE(server.net.receiveMessagesOnPollGroup(group, 16).empty());
  EXPECT_TRUE(server.net.destroyPollGroup(group));
  EXPECT_FALSE(server.net.destroyPollGroup(group));
}

TEST(Messages, NamesUserDataAndStatusQueries) {
  Peer server, client;
  Link l = connectPeers(server, client);
  EXPECT_EQ(client.net.getConnectionName(l.client), "");
  client.net.setConnectionName(l.client, "player one");
  EXPECT_EQ(client.net.getConnectionName(l.client), "player one");
  EXPECT_EQ(client.net.getConnectionInfo(l.client)->debug_description, "player one");
  EXPECT_EQ(client.net.getConnectionName(4242), "");

  EXPECT_TRUE(client.net.setConnectionConfigValueInt32(l.client, NETWORKING_CONFIG_CONNECTION_USER_DATA, 77));
  EXPECT_EQ(client.net.getConnectionUserData(l.client), 77);
  EXPECT_TRUE(client.net.setConfigValue(NETWORKING_CONFIG_CONNECTION_USER_DATA, NETWORKING_CONFIG_SCOPE_CONNECTION,
                                        l.client, int64_t{1} << 40));
  EXPECT_EQ(client.net.getConnectionUserData(l.client), int64_t{1} << 40);
  EXPECT_EQ(client.net.getConnectionUserData(4242), -1);

  auto cfg =
      client.net.getConfigValue(NETWORKING_CONFIG_CONNECTION_USER_DATA, NETWORKING_CONFIG_SCOPE_CONNECTION, l.client);
  EXPECT_EQ(cfg.result, NETWORKING_GET_CONFIG_VALUE_OK);
  EXPECT_EQ(std::get<int64_t>(cfg.value), int64_t{1} << 40);
  auto nagle = client.net.getConfigValue(NETWORKING_CONFIG_NAGLE_TIME, NETWORKING_CONFIG_SCOPE_CONNECTION, l.client);
  EXPECT_EQ(nagle.result, NETWORKING_GET_CONFIG_VALUE_OK_INHERITED);
  EXPECT_EQ(std::get<int32_t>(nagle.value), 5000);
  EXPECT_EQ(client.net.getConfigValue(NETWORKING_CONFIG_NAGLE_TIME, NETWORKING_CONFIG_SCOPE_CONNECTION, 4242).result,
            NETWORKING_GET_CONFIG_VALUE_BAD_SCOPE_OBJ);
  EXPECT_EQ(client.net.getConfigValue(424242, NETWORKING_CONFIG_SCOPE_GLOBAL, 0).result,
            NETWORKING_GET_CONFIG_VALUE_BAD_VALUE);
  auto mtu = client.net.getConfigValue(NETWORKING_CONFIG_MTU_DATA_SIZE, NETWORKING_CONFIG_SCOPE_CONNECTION, l.client);
  EXPECT_EQ(std::get<int32_t>(mtu.value), 1300 - 40);
  EXPECT_FALSE(client.net.setConnectionConfigValueInt32(l.client, NETWORKING_CONFIG_MTU_DATA_SIZE, 500));  // read-only
  EXPECT_FALSE(client.net.setConnectionConfigValueInt32(l.client, NETWORKING_CONFIG_FAKE_PACKET_LAG_SEND, 5));
  EXPECT_FALSE(client.net.setConnectionConfigValueFloat(l.client, NETWORKING_CONFIG_NAGLE_TIME, 1.5f));
  auto info = client.net.getConfigValueInfo(NETWORKING_CONFIG_SEND_RATE_MAX);
  ASSERT_TRUE(info);
  EXPECT_EQ(info->type, NETWORKING_CONFIG_TYPE_INT32);
  EXPECT_EQ(info->scope, NETWORKING_CONFIG_SCOPE_CONNECTION);
  EXPECT_FALSE(client.net.getConfigValueInfo(31337));
  EXPECT_FALSE(NetworkingSockets::listConfigValues().empty());

  auto rt = client.net.getConnectionRealTimeStatus(l.client, 1, true);
  EXPECT_EQ(rt.response, RESULT_OK);
  ASSERT_TRUE(rt.connection_status);
  EXPECT_EQ(rt.connection_status->state, CONNECTION_STATE_CONNECTED);
  EXPECT_GT(rt.connection_status->send_rate, 0);
  EXPECT_EQ(rt.lanes_status.size(), 1u);
  auto no_status = client.net.getConnectionRealTimeStatus(l.client, 0, false);
  EXPECT_EQ(no_status.response, RESULT_OK);
  EXPECT_FALSE(no_status.connection_status);
  EXPECT_EQ(client.net.getConnectionRealTimeStatus(l.client, 5).response, RESULT_INVALID_PARAM);
  EXPECT_EQ(client.net.getConnectionRealTimeStatus(4242, 1).response, RESULT_INVALID_PARAM);

  auto detail = client.net.getDetailedConnectionStatus(l.client);
  EXPECT_EQ(detail.success, 0);
  EXPECT_NE(detail.status.find("player one"), std::string::npos);
  EXPECT_EQ(client.net.getDetailedConnectionStatus(4242).success, -1);
}

}  // namespace
}  // namespace outpost::test
