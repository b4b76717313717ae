// Integration: connection set-up over real UDP — status callback sequence, accept, connection
// info, listen socket address, IPv6, malformed addresses, connect timeout, refusal before accept
// and refusal of unauthenticated peers.
#include "support/harness.h"

namespace outpost::test {
namespace {

TEST(Connect, StatusSequenceAndInfoOnBothEnds) {
  Peer server, client;
  client.net.resetIdentity(76561197960265729ull);
  server.net.resetIdentity(90071992547409921ull);
  Link l = connectPeers(server, client);
  ASSERT_NE(l.server, 0u);

  // Client: NONE -> CONNECTING -> CONNECTED, in that order.
  std::vector<int> seq;
  for (auto& e : client.events)
    if (e.connect_handle == l.client) seq.push_back(e.connection.connection_state);
  EXPECT_EQ(seq, (std::vector<int>{CONNECTION_STATE_CONNECTING, CONNECTION_STATE_CONNECTED}));
  EXPECT_EQ(client.events.front().old_state, CONNECTION_STATE_NONE);

  // Server: an incoming CONNECTING on the listen socket, then CONNECTED after accept.
  seq.clear();
  for (auto& e : server.events)
    if (e.connect_handle == l.server) seq.push_back(e.connection.connection_state);
  EXPECT_EQ(seq, (std::vector<int>{CONNECTION_STATE_CONNECTING, CONNECTION_STATE_CONNECTED}));

  auto si = server.net.getConnectionInfo(l.server);
  ASSERT_TRUE(si);
  EXPECT_EQ(si->listen_socket, l.listen);
  EXPECT_EQ(si->identity, 76561197960265729ull);
  EXPECT_EQ(si->remote_address.rfind("127.0.0.1:", 0), 0u) << si->remote_address;
  EXPECT_NE(si->remote_address, "127.0.0.1:0");
  EXPECT_TRUE(si->info_flags & NETWORKING_CONNECTION_INFO_FLAG_UNAUTHENTICATED);
  EXPECT_FALSE(si->info_flags & NETWORKING_CONNECTION_INFO_FLAG_UNENCRYPTED);

  auto ci = client.net.getConnectionInfo(l.client);
  ASSERT_TRUE(ci);
  EXPECT_EQ(ci->listen_socket, 0u);
  EXPECT_EQ(ci->identity, 90071992547409921ull);
  EXPECT_EQ(ci->remote_address, l.address);
  EXPECT_EQ(client.net.getIdentity(), "steamid:76561197960265729");

  // Accepting twice, or accepting an outbound connection, is an invalid state.
  EXPECT_EQ(server.net.acceptConnection(l.server), RESULT_INVALID_STATE);
  EXPECT_EQ(client.net.acceptConnection(l.client), RESULT_INVALID_STATE);
  EXPECT_EQ(server.net.acceptConnection(987654), RESULT_INVALID_PARAM);
}

TEST(Connect, ListenSocketAddressHonoursWithPort) {
  Peer server;
  uint32_t ls = server.net.createListenSocketIP("127.0.0.1:0");
  ASSERT_NE(ls, 0u);
  std::string with = server.net.getListenSocketAddress(ls, true);
  std::string without = server.net.getListenSocketAddress(ls, false);
  EXPECT_EQ(without, "127.0.0.1");
  ASSERT_GT(with.size(), without.size() + 1);
  EXPECT_EQ(with.substr(0, 10), "127.0.0.1:");
  EXPECT_GT(std::stoi(with.substr(10)), 0);
  EXPECT_EQ(server.net.getListenSocketAddress(ls + 1000, true), "");
  EXPECT_TRUE(server.net.closeListenSocket(ls));
  EXPECT_FALSE(server.net.closeListenSocket(ls));
  EXPECT_EQ(server.net.getListenSocketAddress(ls, true), "");
}

TEST(Connect, IPv6Loopback) {
  Peer server, client;
  Link l = connectPeers(server, client, "[::1]:0");
  ASSERT_NE(l.server, 0u);
  EXPECT_EQ(l.address.rfind("[::1]:", 0), 0u) << l.address;
  auto si = server.net.getConnectionInfo(l.server);
  ASSERT_TRUE(si);
  EXPECT_EQ(si->remote_address.rfind("[::1]:", 0), 0u) << si->remote_address;
  auto msg = bytes("over ipv6");
  EXPECT_EQ(client.net.sendMessageToConnection(l.client, msg, NETWORKING_SEND_RELIABLE_NO_NAGLE).result, RESULT_OK);
  std::vector<NetworkingMessage> got;
  pumpUntil({&server, &client}, [&] {
    for (auto& m : server.net.receiveMessagesOnConnection(l.server, 8)) got.push_back(std::move(m));
    return !got.empty();
  });
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0].payload, msg);
}

TEST(Connect, MalformedAddressesAreRejected) {
  Peer p;
  EXPECT_EQ(p.net.createListenSocketIP("not an address"), 0u);
  EXPECT_EQ(p.net.createListenSocketIP("127.0.0.1:99999"), 0u);
  EXPECT_EQ(p.net.createListenSocketIP("[::1"), 0u);
  EXPECT_EQ(p.net.connectByIPAddress("127.0.0.1"), 0u);  // no port
  EXPECT_EQ(p.net.connectByIPAddress("127.0.0.1:0"), 0u);
  EXPECT_EQ(p.net.connectByIPAddress("[::1]"), 0u);
  EXPECT_EQ(p.net.connectByIPAddress("example.com:27015"), 0u);
  // Unknown option ids and values out of bounds are refused, not ignored.
  EXPECT_EQ(p.net.connectByIPAddress("127.0.0.1:27015", {{12345, int32_t{1}}}), 0u);
  EXPECT_EQ(p.net.connectByIPAddress("127.0.0.1:27015", {{NETWORKING_CONFIG_NAGLE_TIME, int32_t{999999}}}), 0u);
  // Global-only values cannot be passed as connection options.
  EXPECT_EQ(p.net.connectByIPAddress("127.0.0.1:27015", {{NETWORKING_CONFIG_FAKE_PACKET_LOSS_SEND, 5.f}}), 0u);
}

TEST(Connect, NobodyListeningTimesOut) {
  Peer client;
  // A port nobody listens on: bind one and close it.
  uint32_t ls = client.net.createListenSocketIP("127.0.0.1:0");
  std::string addr = client.net.getListenSocketAddress(ls, true);
  client.net.closeListenSocket(ls);
  uint32_t c = client.net.connectByIPAddress(addr, {{NETWORKING_CONFIG_TIMEOUT_INITIAL, int32_t{400}}});
  ASSERT_NE(c, 0u);
  ASSERT_TRUE(
      pumpUntil({&client}, [&] { return client.reportedState(c) == CONNECTION_STATE_PROBLEM_DETECTED_LOCALLY; }));
  auto info = client.net.getConnectionInfo(c);
  ASSERT_TRUE(info);
  EXPECT_EQ(info->end_reason, CONNECTION_END_MISC_TIMEOUT);
  EXPECT_FALSE(info->end_debug.empty());
  EXPECT_EQ(client.net.sendMessageToConnection(c, bytes("x"), NETWORKING_SEND_RELIABLE).result, RESULT_NO_CONNECTION);
  EXPECT_TRUE(client.net.closeConnection(c, 0, "", false));
  EXPECT_FALSE(client.net.getConnectionInfo(c));
}

TEST(Connect, ClosingBeforeAcceptTellsTheClientWhy) {
  Peer server(/*auto_accept=*/false), client;
  uint32_t ls = server.net.createListenSocketIP("127.0.0.1:0");
  uint32_t c = client.net.connectByIPAddress(server.net.getListenSocketAddress(ls, true));
  ASSERT_TRUE(pumpUntil({&server, &client}, [&] { return !server.incoming.empty(); }));
  uint32_t s = server.incoming.front();
  EXPECT_EQ(server.state(s), CONNECTION_STATE_CONNECTING);
  EXPECT_EQ(client.state(c), CONNECTION_STATE_CONNECTING);
  ASSERT_TRUE(server.net.closeConnection(s, 1234, "server is full", false));
  ASSERT_TRUE(
      pumpUntil({&server, &client}, [&] { return client.reportedState(c) == CONNECTION_STATE_CLOSED_BY_PEER; }));
  auto info = client.net.getConnectionInfo(c);
  ASSERT_TRUE(info);
  EXPECT_EQ(info->end_reason, 1234);
  EXPECT_EQ(info->end_debug, "server is full");
}

TEST(Connect, UnauthenticatedPeersRefusedWhenConfigured) {
  Peer server, client;
  uint32_t ls = server.net.createListenSocketIP("127.0.0.1:0",
                                                {{NETWORKING_CONFIG_IP_LOCAL_HOST_ALLOW_WITHOUT_AUTH, int32_t{0}}});
  ASSERT_NE(ls, 0u);
  uint32_t c = client.net.connectByIPAddress(server.net.getListenSocketAddress(ls, true));
  ASSERT_TRUE(
      pumpUntil({&server, &client}, [&] { return client.reportedState(c) == CONNECTION_STATE_CLOSED_BY_PEER; }));
  EXPECT_EQ(client.net.getConnectionInfo(c)->end_reason, CONNECTION_END_REMOTE_BAD_CERT);
  EXPECT_TRUE(server.incoming.empty());  // the application never saw it
}

TEST(Connect, UnencryptedOnlyWhenBothSidesAgree) {
  Peer server, client;
  Link plain = connectPeers(server, client, "127.0.0.1:0", {{NETWORKING_CONFIG_UNENCRYPTED, int32_t{1}}},
                            {{NETWORKING_CONFIG_UNENCRYPTED, int32_t{2}}});
  ASSERT_NE(plain.server, 0u);
  EXPECT_TRUE(client.net.getConnectionInfo(plain.client)->info_flags & NETWORKING_CONNECTION_INFO_FLAG_UNENCRYPTED);
  // One side requires plaintext, the other forbids it: refused.
  uint32_t ls = server.net.createListenSocketIP("127.0.0.1:0");
  uint32_t c = client.net.connectByIPAddress(server.net.getListenSocketAddress(ls, true),
                                             {{NETWORKING_CONFIG_UNENCRYPTED, int32_t{3}}});
  ASSERT_TRUE(
      pumpUntil({&server, &client}, [&] { return client.reportedState(c) == CONNECTION_STATE_CLOSED_BY_PEER; }));
  EXPECT_EQ(client.net.getConnectionInfo(c)->end_reason, CONNECTION_END_REMOTE_BAD_CRYPT);
}

}  // namespace
}  // namespace outpost::test
