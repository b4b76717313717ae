// Integration: createSocketPair in both modes — in-memory buffers and real loopback UDP — and
// the identities, flags and close notifications of the two ends.
#include "support/harness.h"

namespace outpost::test {
namespace {

void exchange(Peer& p, uint32_t a, uint32_t b) {
  ASSERT_EQ(p.net.sendMessageToConnection(a, bytes("ping"), NETWORKING_SEND_RELIABLE_NO_NAGLE).result, RESULT_OK);
  ASSERT_EQ(p.net.sendMessageToConnection(b, bytes("pong"), NETWORKING_SEND_UNRELIABLE_NO_NAGLE).result, RESULT_OK);
  std::vector<NetworkingMessage> at_a, at_b;
  ASSERT_TRUE(pumpUntil({&p}, [&] {
    for (auto& m : p.net.receiveMessagesOnConnection(a, 8)) at_a.push_back(std::move(m));
    for (auto& m : p.net.receiveMessagesOnConnection(b, 8)) at_b.push_back(std::move(m));
    return !at_a.empty() && !at_b.empty();
  }));
  EXPECT_EQ(at_b[0].payload, bytes("ping"));
  EXPECT_EQ(at_b[0].connection, b);
  EXPECT_EQ(at_b[0].message_number, 1);
  EXPECT_EQ(at_a[0].payload, bytes("pong"));
}

TEST(SocketPair, InMemory) {
  Peer p;
  auto r = p.net.createSocketPair(false, 111, 222);
  ASSERT_TRUE(r.success);
  EXPECT_TRUE(p.events.empty());
  EXPECT_EQ(p.state(r.connection1), CONNECTION_STATE_CONNECTED);
  EXPECT_EQ(p.state(r.connection2), CONNECTION_STATE_CONNECTED);
  auto i1 = p.net.getConnectionInfo(r.connection1);
  EXPECT_TRUE(i1->info_flags & NETWORKING_CONNECTION_INFO_FLAG_LOOPBACK_BUFFERS);
  EXPECT_EQ(i1->identity, 222u);
  EXPECT_EQ(p.net.getConnectionInfo(r.connection2)->identity, 111u);
  exchange(p, r.connection1, r.connection2);
  ASSERT_TRUE(p.net.closeConnection(r.connection1, 1100, "done", false));
  ASSERT_TRUE(pumpUntil({&p}, [&] { return p.reportedState(r.connection2) == CONNECTION_STATE_CLOSED_BY_PEER; }));
  EXPECT_EQ(p.net.getConnectionInfo(r.connection2)->end_reason, 1100);
  EXPECT_TRUE(p.net.closeConnection(r.connection2, 0, "", false));
}

TEST(SocketPair, RealLoopback) {
  Peer p;
  auto r = p.net.createSocketPair(true, 333, 444);
  ASSERT_TRUE(r.success);
  EXPECT_EQ(p.state(r.connection1), CONNECTION_STATE_CONNECTED);
  auto i1 = p.net.getConnectionInfo(r.connection1);
  EXPECT_FALSE(i1->info_flags & NETWORKING_CONNECTION_INFO_FLAG_LOOPBACK_BUFFERS);
  EXPECT_FALSE(i1->info_flags & NETWORKING_CONNECTION_INFO_FLAG_UNENCRYPTED);
  EXPECT_EQ(i1->remote_address.rfind("127.0.0.1:", 0), 0u);
  EXPECT_EQ(i1->identity, 444u);
  exchange(p, r.connection1, r.connection2);
  ASSERT_TRUE(p.net.closeConnection(r.connection2, 1200, "bye", false));
  ASSERT_TRUE(pumpUntil({&p}, [&] { return p.reportedState(r.connection1) == CONNECTION_STATE_CLOSED_BY_PEER; }));
  EXPECT_EQ(p.net.getConnectionInfo(r.connection1)->end_debug, "bye");
}

TEST(SocketPair, LoopbackModeGoesThroughTheFakeNetwork) {
  Peer p;
  auto r = p.net.createSocketPair(true, 0, 0);
  ASSERT_TRUE(r.success);
  {
    FakeNetScope loss({{NETWORKING_CONFIG_FAKE_PACKET_LOSS_SEND, 50.f}});
    std::vector<uint8_t> m(100);
    for (int i = 0; i < 200; ++i) {
      m[0] = static_cast<uint8_t>(i);
      p.net.sendMessageToConnection(r.connection1, m, NETWORKING_SEND_RELIABLE_NO_NAGLE);
    }
    int got = 0;
    ASSERT_TRUE(pumpUntil(
        {&p},
        [&] {
          for (auto& msg : p.net.receiveMessagesOnConnection(r.connection2, 64)) {
            EXPECT_EQ(msg.payload[0], static_cast<uint8_t>(got));
            ++got;
          }
          return got == 200;
        },
        Ms(20000)));
  }
  auto counters = p.net.getTransportCounters();
  EXPECT_GT(counters["datagrams_sent"], 0u);
  EXPECT_GT(counters["fake_network.dropped"], 0u);
}

TEST(Identity, ResetIdentityAndHubBoundFunctions) {
  Peer p;
  EXPECT_EQ(p.net.getIdentity(), "invalid");
  p.net.resetIdentity(76561198000000000ull);
  EXPECT_EQ(p.net.getIdentity(), "steamid:76561198000000000");
  // Without a hub session (no certifyNetworkingSockets): a P2P connection is created and fails at
  // once with MISC_P2P_RENDEZVOUS (p2p_test.cpp covers P2P through a hub); P2P listen sockets are
  // created and register once a session logs on.
  uint32_t p2p = p.net.connectP2P(76561198000000001ull, 0);
  ASSERT_NE(p2p, 0u);
  EXPECT_EQ(p.net.getConnectionInfo(p2p)->connection_state, CONNECTION_STATE_PROBLEM_DETECTED_LOCALLY);
  EXPECT_EQ(p.net.getConnectionInfo(p2p)->end_reason, CONNECTION_END_MISC_P2P_RENDEZVOUS);
  EXPECT_NE(p.net.createListenSocketP2P(0), 0u);
  EXPECT_NE(p.net.createListenSocketP2PFakeIP(0), 0u);
  EXPECT_EQ(p.net.createListenSocketP2PFakeIP(8), 0u);  // fake port indexes are 0-7
  EXPECT_EQ(p.net.connectToHostedDedicatedServer(1, 0), 0u);
  EXPECT_EQ(p.net.createHostedDedicatedServerListenSocket(0), 0u);
  EXPECT_EQ(p.net.getHostedDedicatedServerPOPId(), 0u);
  EXPECT_FALSE(p.net.beginAsyncRequestFakeIP(1));
  auto fip = p.net.getFakeIP();
  EXPECT_EQ(fip.result, RESULT_NO_CONNECTION);
  EXPECT_EQ(fip.ports.size(), 8u);
  EXPECT_EQ(p.net.getRemoteFakeIPForConnection(4242).result, RESULT_INVALID_PARAM);
  // Without a hub session, no certificate can be fetched (cert_handshake_test.cpp and
  // cert_hub_test.cpp cover the certificate functions themselves).
  EXPECT_EQ(p.net.initAuthentication(), NETWORKING_AVAILABILITY_CANNOT_TRY);
  EXPECT_EQ(p.net.getAuthenticationStatus(), NETWORKING_AVAILABILITY_CANNOT_TRY);
  auto request = p.net.getCertificateRequest();
  ASSERT_TRUE(request);
  EXPECT_EQ(request->certificate.size(), 116u);
  uint8_t cert[4] = {1, 2, 3, 4};
  auto set = p.net.setCertificate(cert);
  ASSERT_TRUE(set);
  EXPECT_FALSE(set->response);
  EXPECT_NE(set->error.find("malformed"), std::string::npos) << set->error;
}

}  // namespace
}  // namespace outpost::test
