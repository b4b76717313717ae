// Integration: edge cases of the handshake and close — a slow accept (the client's retransmitted
// Connects are recognised, not treated as forgeries), a refusal that is lost in flight and sent
// again, a server that speaks another protocol version, a client that refuses unauthenticated
// servers, close without linger discarding queued data, and lanes the peer cannot create.
#include "cert_fixture.h"
#include "crypto/crypto.h"
#include "outpost/steam_id.h"
#include "support/harness.h"
#include "support/raw_socket.h"

namespace outpost::test {
namespace {

TEST(Edge, SlowAcceptRecognisesRetransmittedConnects) {
  Peer server(/*auto_accept=*/false), client;
  uint32_t ls = server.net.createListenSocketIP("127.0.0.1:0");
  uint32_t c = client.net.connectByIPAddress(server.net.getListenSocketAddress(ls, true));
  ASSERT_TRUE(pumpUntil({&server, &client}, [&] { return !server.incoming.empty(); }));
  // Let the client resend its Connect twice (every 250 ms) before accepting: nothing else
  // reaches the server while the connection waits.
  uint64_t seen = server.net.getTransportCounters()["datagrams_received"];
  ASSERT_TRUE(pumpUntil({&server, &client},
                        [&] { return server.net.getTransportCounters()["datagrams_received"] >= seen + 2; }));
  EXPECT_EQ(server.net.acceptConnection(server.incoming[0]), RESULT_OK);
  ASSERT_TRUE(pumpUntil({&server, &client}, [&] { return client.reportedState(c) == CONNECTION_STATE_CONNECTED; }));
  auto counters = server.net.getTransportCounters();
  EXPECT_EQ(counters["dropped.bad_cookie"], 0u);
  EXPECT_EQ(counters["connections_created"], 1u);
  EXPECT_EQ(server.incoming.size(), 1u);
}

TEST(Edge, LostRejectionIsSentAgain) {
  Peer server(/*auto_accept=*/false), client;
  uint32_t ls = server.net.createListenSocketIP("127.0.0.1:0");
  uint32_t c = client.net.connectByIPAddress(server.net.getListenSocketAddress(ls, true));
  ASSERT_TRUE(pumpUntil({&server, &client}, [&] { return !server.incoming.empty(); }));
  {
    FakeNetScope blackout({{NETWORKING_CONFIG_FAKE_PACKET_LOSS_SEND, 100.f}});
    ASSERT_TRUE(server.net.closeConnection(server.incoming[0], 1005, "banned here", false));
  }
  ASSERT_TRUE(
      pumpUntil({&server, &client}, [&] { return client.reportedState(c) == CONNECTION_STATE_CLOSED_BY_PEER; }));
  auto info = client.net.getConnectionInfo(c);
  EXPECT_EQ(info->end_reason, 1005);
  EXPECT_EQ(info->end_debug, "banned here");
  EXPECT_GT(server.net.getTransportCounters()["fake_network.dropped"], 0u);  // the first refusal was lost
}

TEST(Edge, ServerOfAnotherProtocolVersion) {
  RawSocket fake_server;
  Peer client;
  uint32_t c = client.net.connectByIPAddress("127.0.0.1:" + std::to_string(fake_server.port));
  uint16_t client_port = 0;
  auto hello = fake_server.receive(2000, &client_port);
  ASSERT_EQ(hello.size(), 64u);
  ASSERT_EQ(hello[0], 0x01);
  // Version-mismatch reply: type 5, our (different) version, the client's id echoed.
  std::vector<uint8_t> reply = {0x05, 99, hello[2], hello[3], hello[4], hello[5]};
  fake_server.sendTo(client_port, reply);
  ASSERT_TRUE(
      pumpUntil({&client}, [&] { return client.reportedState(c) == CONNECTION_STATE_PROBLEM_DETECTED_LOCALLY; }));
  EXPECT_EQ(client.net.getConnectionInfo(c)->end_reason, CONNECTION_END_BAD_PROTOCOL_VERSION);
}

TEST(Edge, ClientRefusesUnauthenticatedServerWhenConfigured) {
  TestCa ca;
  Peer server, client(true, ca.options());
  ca.certify(client.net, steamid::individual(7));  // the client may try: it has a certificate
  uint32_t ls = server.net.createListenSocketIP("127.0.0.1:0");
  uint32_t c = client.net.connectByIPAddress(server.net.getListenSocketAddress(ls, true),
                                             {{NETWORKING_CONFIG_IP_LOCAL_HOST_ALLOW_WITHOUT_AUTH, int32_t{0}}});
  ASSERT_TRUE(pumpUntil({&server, &client},
                        [&] { return client.reportedState(c) == CONNECTION_STATE_PROBLEM_DETECTED_LOCALLY; }));
  EXPECT_EQ(client.net.getConnectionInfo(c)->end_reason, CONNECTION_END_REMOTE_BAD_CERT);
  EXPECT_EQ(client.net.getTransportCounters()["cert_refused.missing"], 1u);
}

TEST(Edge, ClientWithoutCertificateDoesNotTryWhenOneIsRequired) {
  // IP_ALLOW_WITHOUT_AUTH 0 on a client: "don't attempt unauthorized connections" (the reference).
  Peer server, client;
  uint32_t ls = server.net.createListenSocketIP("127.0.0.1:0");
  uint32_t c = client.net.connectByIPAddress(server.net.getListenSocketAddress(ls, true),
                                             {{NETWORKING_CONFIG_IP_LOCAL_HOST_ALLOW_WITHOUT_AUTH, int32_t{0}}});
  ASSERT_TRUE(pumpUntil({&server, &client},
                        [&] { return client.reportedState(c) == CONNECTION_STATE_PROBLEM_DETECTED_LOCALLY; }));
  auto info = client.net.getConnectionInfo(c);
  EXPECT_EQ(info->end_reason, CONNECTION_END_MISC_STEAM_CONNECTIVITY);
  EXPECT_NE(info->end_debug.find("no certificate"), std::string::npos) << info->end_debug;
  EXPECT_EQ(server.net.getTransportCounters()["connections_created"], 0u);
  // Positive control: the same client with the loopback default (2) connects.
  uint32_t ok = client.net.connectByIPAddress(server.net.getListenSocketAddress(ls, true));
  EXPECT_TRUE(pumpUntil({&server, &client}, [&] { return client.reportedState(ok) == CONNECTION_STATE_CONNECTED; }));
}

TEST(Edge, CloseWithoutLingerDiscardsQueuedData) {
  Peer server, client;
  Link l = connectPeers(server, client, "127.0.0.1:0", {},
                        {{NETWORKING_CONFIG_SEND_RATE_MIN, int32_t{100000}},
                         {NETWORKING_CONFIG_SEND_RATE_MAX, int32_t{100000}},
                         {NETWORKING_CONFIG_SEND_BUFFER_SIZE, int32_t{1 << 20}}});
  const int kCount = 500;
  std::vector<uint8_t> m(1000, 1);
  for (int i = 0; i < kCount; ++i)
    ASSERT_EQ(client.net.sendMessageToConnection(l.client, m, NETWORKING_SEND_RELIABLE).result, RESULT_OK);
  // Control: the path delivers (the first messages arrive) before the close.
  int received = 0;
  ASSERT_TRUE(pumpUntil({&server, &client}, [&] {
    received += static_cast<int>(server.net.receiveMessagesOnConnection(l.server, 64).size());
    return received >= 5;
  }));
  ASSERT_TRUE(client.net.closeConnection(l.client, 1300, "quit", false));
  int after_close = 0;
  bool closed = false;
  ASSERT_TRUE(pumpUntil({&server, &client}, [&] {
    int n = static_cast<int>(server.net.receiveMessagesOnConnection(l.server, 64).size());
    received += n;
    if (closed) after_close += n;
    closed = closed || server.reportedState(l.server) == CONNECTION_STATE_CLOSED_BY_PEER;
    return closed;
  }));
  pumpUntil(
      {&server, &client}, [] { return false; }, Ms(300));
  received += static_cast<int>(server.net.receiveMessagesOnConnection(l.server, 1000).size());
  EXPECT_LT(received, kCount / 2) << "queued messages were delivered although linger was off";
  EXPECT_EQ(server.net.getConnectionInfo(l.server)->end_reason, 1300);
}

TEST(Edge, PeerCannotCreateLanesOnOurSide) {
  Peer server, client;
  Link l = connectPeers(server, client);
  int pri[] = {0, 0, 0, 0};
  int w[] = {1, 1, 1, 1};
  ASSERT_EQ(client.net.configureConnectionLanes(l.client, 4, pri, w), RESULT_OK);
  client.net.sendMessageToConnection(l.client, bytes("lane 3"), NETWORKING_SEND_RELIABLE_NO_NAGLE, 3);
  std::vector<NetworkingMessage> got;
  ASSERT_TRUE(pumpUntil({&server, &client}, [&] {
    for (auto& msg : server.net.receiveMessagesOnConnection(l.server, 8)) got.push_back(std::move(msg));
    return !got.empty();
  }));
  EXPECT_EQ(got[0].lane, 3);
  // The server never configured lanes: it still has exactly one to send on.
  EXPECT_EQ(server.net.sendMessageToConnection(l.server, bytes("x"), NETWORKING_SEND_RELIABLE, 1).result,
            RESULT_INVALID_PARAM);
  EXPECT_EQ(server.net.getConnectionRealTimeStatus(l.server, 2).response, RESULT_INVALID_PARAM);
  EXPECT_EQ(server.net.configureConnectionLanes(l.server, 2, std::span<const int>(pri, 2), std::span<const int>(w, 2)),
            RESULT_OK);
}

}  // namespace
}  // namespace outpost::test

namespace outpost::test {
namespace {

TEST(Edge, PinnedServerKey) {
  // Clients that pin the server's identity key (as SDKs pin the hub's).
  Peer server;
  Peer client;
  std::string server_key = server.net.getIdentityPublicKeyHex();
  ASSERT_EQ(server_key.size(), 64u);
  Link ok = connectPeers(server, client, "127.0.0.1:0", {}, {{NETWORKING_CONFIG_OUTPOST_PINNED_PEER_KEY, server_key}});
  EXPECT_NE(ok.server, 0u);
  // Pinning another key: the handshake completes cryptographically but is refused.
  std::string wrong(64, 'a');
  uint32_t c = client.net.connectByIPAddress(ok.address, {{NETWORKING_CONFIG_OUTPOST_PINNED_PEER_KEY, wrong}});
  ASSERT_NE(c, 0u);
  ASSERT_TRUE(pumpUntil({&server, &client},
                        [&] { return client.reportedState(c) == CONNECTION_STATE_PROBLEM_DETECTED_LOCALLY; }));
  EXPECT_EQ(client.net.getConnectionInfo(c)->end_reason, CONNECTION_END_REMOTE_BAD_CERT);
  // Malformed pins are refused up front.
  EXPECT_EQ(
      client.net.connectByIPAddress(ok.address, {{NETWORKING_CONFIG_OUTPOST_PINNED_PEER_KEY, std::string("xyz")}}), 0u);
}

TEST(Edge, CallerSuppliedIdentityKey) {
  // A hub restarts with the key from its data directory: same secret key, same identity.
  auto key = crypto::IdentityKeyPair::generate();
  NetworkingSocketsOptions o;
  o.service_thread = false;
  o.identity_secret_key.assign(key.secret_key.begin(), key.secret_key.end());
  NetworkingSockets a(o), b(o);
  EXPECT_EQ(a.getIdentityPublicKeyHex(), crypto::toHex(key.public_key));
  EXPECT_EQ(b.getIdentityPublicKeyHex(), a.getIdentityPublicKeyHex());
  // A corrupt key is not used (a fresh one is, and the error is logged).
  o.identity_secret_key.assign(64, 0);
  NetworkingSockets bad(o);
  EXPECT_NE(bad.getIdentityPublicKeyHex(), a.getIdentityPublicKeyHex());
}

}  // namespace
}  // namespace outpost::test
