// Integration: the untrusted budget (src/transport/budget.h, docs/spec/transport.md §16.3), the
// listen-socket caps and resetIdentity, in one process over real UDP on 127.0.0.1. Each
// "nothing arrives" window is followed by its positive control: once the application trusts the
// connection, the same traffic gets through.
#include <algorithm>
#include <atomic>
#include <string>
#include <thread>

#include "support/harness.h"
#include "support/hostile_flood.h"
#include "support/raw_socket.h"

namespace outpost::test {
namespace {

uint64_t counter(Peer& p, const std::string& name) { return p.net.getTransportCounters()[name]; }

std::vector<uint8_t> filled(size_t n, uint8_t v) { return std::vector<uint8_t>(n, v); }

TEST(Budget, AReliableMessageLargerThanTheUntrustedWindowWaitsForTrust) {
  Peer server, client;
  Link l = connectPeers(server, client, "127.0.0.1:0", {}, {}, /*trust=*/false);
  ASSERT_NE(l.server, 0u);
  // 40,000 bytes go into the client's empty send queue, but the server allows 16 KiB in flight.
  ASSERT_EQ(client.net.sendMessageToConnection(l.client, filled(40000, 7), NETWORKING_SEND_RELIABLE).result, RESULT_OK);
  std::vector<NetworkingMessage> got;
  EXPECT_FALSE(pumpUntil(
      {&server, &client},
      [&] {
        for (auto& m : server.net.receiveMessagesOnConnection(l.server, 8)) got.push_back(std::move(m));
        return !got.empty();
      },
      Ms(500)));
  // Positive control: the server trusts its peer; the window opens and the message arrives.
  ASSERT_TRUE(server.net.trustConnection(l.server));
  ASSERT_TRUE(pumpUntil({&server, &client}, [&] {
    for (auto& m : server.net.receiveMessagesOnConnection(l.server, 8)) got.push_back(std::move(m));
    return !got.empty();
  }));
  EXPECT_EQ(got[0].payload, filled(40000, 7));
  EXPECT_EQ(counter(server, "connections.promoted"), 1u);
}

TEST(Budget, UnreliableMessagesOverTheUntrustedBudgetAreDropped) {
  Peer server, client;
  Link l = connectPeers(server, client, "127.0.0.1:0", {}, {}, /*trust=*/false);
  ASSERT_NE(l.server, 0u);
  ASSERT_EQ(client.net.sendMessageToConnection(l.client, filled(20000, 1), NETWORKING_SEND_UNRELIABLE_NO_NAGLE).result,
            RESULT_OK);
  ASSERT_EQ(client.net.sendMessageToConnection(l.client, filled(3000, 2), NETWORKING_SEND_RELIABLE_NO_NAGLE).result,
            RESULT_OK);
  // The reliable message (sent after it) arrives; the 20,000-byte unreliable one never does.
  std::vector<NetworkingMessage> got;
  ASSERT_TRUE(pumpUntil({&server, &client}, [&] {
    for (auto& m : server.net.receiveMessagesOnConnection(l.server, 8)) got.push_back(std::move(m));
    return !got.empty();
  }));
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0].payload.size(), 3000u);
  // Positive control: trusted, the same unreliable message is delivered (RECV_BUFFER_SIZE).
  server.net.trustConnection(l.server);
  client.net.trustConnection(l.client);
  got.clear();
  ASSERT_TRUE(pumpUntil({&server, &client}, [&] {
    client.net.sendMessageToConnection(l.client, filled(20000, 1), NETWORKING_SEND_UNRELIABLE_NO_NAGLE);
    for (auto& m : server.net.receiveMessagesOnConnection(l.server, 8)) got.push_back(std::move(m));
    return !got.empty();
  }));
  EXPECT_EQ(got[0].payload, filled(20000, 1));
}

TEST(Budget, AnUntrustedPeerThatDoesNotAcknowledgeGetsOnlySoMuchQueued) {
  Peer server, client;
  Link l = connectPeers(server, client, "127.0.0.1:0", {}, {}, /*trust=*/false);
  ASSERT_NE(l.server, 0u);
  // Acknowledgements take 300 ms from here on, so nothing sent below is acknowledged yet.
  FakeNetScope lag({}, {{NETWORKING_CONFIG_FAKE_PACKET_LAG_RECV, 300}});
  std::this_thread::sleep_for(std::chrono::milliseconds(50));
  auto msg = filled(3000, 9);
  EXPECT_EQ(server.net.sendMessageToConnection(l.server, msg, NETWORKING_SEND_RELIABLE_NO_NAGLE).result, RESULT_OK);
  EXPECT_EQ(server.net.sendMessageToConnection(l.server, msg, NETWORKING_SEND_RELIABLE_NO_NAGLE).result, RESULT_OK);
  // 9,000 bytes unacknowledged would pass the 8 KiB untrusted send budget.
  EXPECT_EQ(server.net.sendMessageToConnection(l.server, msg, NETWORKING_SEND_RELIABLE_NO_NAGLE).result,
            RESULT_LIMIT_EXCEEDED);
  // Positive control: trusted, SEND_BUFFER_SIZE (512 KiB) applies.
  server.net.trustConnection(l.server);
  EXPECT_EQ(server.net.sendMessageToConnection(l.server, msg, NETWORKING_SEND_RELIABLE_NO_NAGLE).result, RESULT_OK);
}

TEST(Budget, AFullReceiveQueueLeavesReliableMessagesInTheirStream) {
  Peer server, client;
  Link l = connectPeers(server, client, "127.0.0.1:0", {}, {}, /*trust=*/false);
  ASSERT_NE(l.server, 0u);
  client.net.trustConnection(l.client);  // the client may queue as much as it likes
  const int kMessages = 300;
  for (int i = 0; i < kMessages; ++i) {
    std::vector<uint8_t> m(100, static_cast<uint8_t>(i));
    ASSERT_EQ(client.net.sendMessageToConnection(l.client, m, NETWORKING_SEND_RELIABLE).result, RESULT_OK);
  }
  client.net.flushMessagesOnConnection(l.client);
  // The server does not read for a while: its queue stops at the untrusted 12 KiB (100 bytes +
  // 128 per message: 53 messages); the rest wait in the stream, behind the 16 KiB window.
  auto queued = [&] {
    std::string s = server.net.getDetailedConnectionStatus(l.server).status;
    auto at = s.find("queued ");
    return at == std::string::npos ? -1 : std::stoi(s.substr(at + 7));
  };
  ASSERT_TRUE(pumpUntil({&server, &client}, [&] { return queued() >= 53; }));
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  EXPECT_EQ(queued(), 53);
  // Reading drains the queue and the stream refills it: every message, in order, exactly once.
  std::vector<NetworkingMessage> got;
  ASSERT_TRUE(pumpUntil({&server, &client}, [&] {
    for (auto& m : server.net.receiveMessagesOnConnection(l.server, 16)) got.push_back(std::move(m));
    return got.size() >= static_cast<size_t>(kMessages);
  }));
  ASSERT_EQ(got.size(), static_cast<size_t>(kMessages));
  for (int i = 0; i < kMessages; ++i) EXPECT_EQ(got[static_cast<size_t>(i)].payload[0], static_cast<uint8_t>(i));
}

TEST(Budget, DatagramsPastTheUntrustedLimitsAreLeftUnacknowledged) {
  Peer server;
  uint32_t ls = server.net.createListenSocketIP("127.0.0.1:0");
  FloodOptions o;
  o.server_port = portOf(server.net.getListenSocketAddress(ls, true));
  o.sources = {"127.0.0.1"};
  o.pattern = FloodPattern::kPastBudget;
  HostileFlood flood(o);
  // The server accepts in its status callback, which only runs while this thread pumps.
  FloodResult r;
  std::atomic<bool> done{false};
  std::thread attacker([&] {
    r = flood.open();
    done = true;
  });
  pumpUntil(
      {&server}, [&] { return done.load(); }, Ms(30000));
  attacker.join();
  ASSERT_EQ(r.connected, 1);
  // 8 segments past the 16 allowed and the lane-20 datagram: dropped, counted, not acknowledged.
  ASSERT_TRUE(pumpUntil({&server}, [&] { return counter(server, "dropped.over_budget") >= 9; }));
  flood.drain(200);
  EXPECT_EQ(counter(server, "dropped.over_budget"), 9u);
  EXPECT_EQ(flood.closedByServer(), 0);  // breaking the budget is not a protocol violation
  ASSERT_EQ(server.incoming.size(), 1u);
  EXPECT_EQ(server.state(server.incoming[0]), CONNECTION_STATE_CONNECTED);
}

TEST(Caps, UntrustedAndTotalCapsRefuseWithAReasonAndCountIt) {
  Peer server, client;
  uint32_t ls = server.net.createListenSocketIP(
      "127.0.0.1:0", {{NETWORKING_CONFIG_OUTPOST_MAX_UNTRUSTED_CONNECTIONS_PER_SOURCE, int32_t{2}},
                      {NETWORKING_CONFIG_OUTPOST_MAX_CONNECTIONS_PER_SOURCE, int32_t{3}}});
  ASSERT_NE(ls, 0u);
  std::string addr = server.net.getListenSocketAddress(ls, true);
  auto connect = [&] {
    uint32_t c = client.net.connectByIPAddress(addr);
    EXPECT_TRUE(pumpUntil({&server, &client}, [&] {
      int s = client.reportedState(c);
      return s == CONNECTION_STATE_CONNECTED || s == CONNECTION_STATE_CLOSED_BY_PEER;
    }));
    return c;
  };
  uint32_t a = connect(), b = connect(), c = connect();
  EXPECT_EQ(client.state(a), CONNECTION_STATE_CONNECTED);
  EXPECT_EQ(client.state(b), CONNECTION_STATE_CONNECTED);
  ASSERT_EQ(client.state(c), CONNECTION_STATE_CLOSED_BY_PEER);
  auto info = client.net.getConnectionInfo(c);
  EXPECT_EQ(info->end_reason, CONNECTION_END_MISC_GENERIC);
  EXPECT_NE(info->end_debug.find("OUTPOST_MAX_UNTRUSTED_CONNECTIONS_PER_SOURCE = 2"), std::string::npos)
      << info->end_debug;
  EXPECT_EQ(counter(server, "refused.max_untrusted_connections_per_source"), 1u);
  EXPECT_EQ(counter(server, "connections.untrusted"), 2u);
  // Trusting one frees an untrusted slot...
  ASSERT_TRUE(server.net.trustConnection(server.incoming[0]));
  EXPECT_EQ(counter(server, "connections.untrusted"), 1u);
  uint32_t d = connect();
  EXPECT_EQ(client.state(d), CONNECTION_STATE_CONNECTED);
  // ...but three connections is the source's total.
  server.net.trustConnection(server.incoming.back());
  uint32_t e = connect();
  ASSERT_EQ(client.state(e), CONNECTION_STATE_CLOSED_BY_PEER);
  EXPECT_NE(client.net.getConnectionInfo(e)->end_debug.find("OUTPOST_MAX_CONNECTIONS_PER_SOURCE = 3"),
            std::string::npos);
  EXPECT_EQ(counter(server, "refused.max_connections_per_source"), 1u);
  EXPECT_EQ(counter(server, "connections.incoming"), 3u);
  // Closing one gives its slot back.
  client.net.closeConnection(a, 0, "", false);
  ASSERT_TRUE(pumpUntil({&server, &client}, [&] {
    return counter(server, "connections.incoming") == 2u || [&] {
      for (uint32_t h : server.incoming)
        if (server.reportedState(h) == CONNECTION_STATE_CLOSED_BY_PEER) server.net.closeConnection(h, 0, "", false);
      return false;
    }();
  }));
  EXPECT_EQ(client.state(connect()), CONNECTION_STATE_CONNECTED);
}

TEST(Caps, AFullListenSocketEvictsItsOldestUntrustedConnection) {
  Peer server, client;
  uint32_t ls = server.net.createListenSocketIP("127.0.0.1:0",
                                                {{NETWORKING_CONFIG_OUTPOST_MAX_UNTRUSTED_CONNECTIONS, int32_t{2}}});
  std::string addr = server.net.getListenSocketAddress(ls, true);
  auto connect = [&] {
    uint32_t c = client.net.connectByIPAddress(addr);
    EXPECT_TRUE(pumpUntil({&server, &client}, [&] { return client.reportedState(c) == CONNECTION_STATE_CONNECTED; }));
    return c;
  };
  uint32_t a = connect(), b = connect();
  EXPECT_EQ(counter(server, "evicted.max_untrusted_connections"), 0u);
  // A third untrusted connection gets in; the oldest makes room and is told why.
  uint32_t c = connect();
  ASSERT_TRUE(
      pumpUntil({&server, &client}, [&] { return client.reportedState(a) == CONNECTION_STATE_CLOSED_BY_PEER; }));
  EXPECT_EQ(client.net.getConnectionInfo(a)->end_reason, CONNECTION_END_MISC_GENERIC);
  EXPECT_NE(client.net.getConnectionInfo(a)->end_debug.find("evicted"), std::string::npos);
  EXPECT_EQ(server.state(server.incoming[0]), CONNECTION_STATE_PROBLEM_DETECTED_LOCALLY);
  EXPECT_EQ(counter(server, "evicted.max_untrusted_connections"), 1u);
  EXPECT_EQ(counter(server, "connections.untrusted"), 2u);
  EXPECT_EQ(client.state(b), CONNECTION_STATE_CONNECTED);
  EXPECT_EQ(client.state(c), CONNECTION_STATE_CONNECTED);
  // A trusted connection is never evicted, and no longer takes an untrusted slot.
  ASSERT_TRUE(server.net.trustConnection(server.incoming[1]));
  uint32_t d = connect();
  EXPECT_EQ(client.state(b), CONNECTION_STATE_CONNECTED);
  EXPECT_EQ(client.state(d), CONNECTION_STATE_CONNECTED);
  EXPECT_EQ(counter(server, "evicted.max_untrusted_connections"), 1u);
}

TEST(Caps, ListenSocketValuesAreNotConnectionValues) {
  Peer p;
  // A cap belongs to a listen socket: refused on an outbound connection and per connection.
  EXPECT_EQ(p.net.connectByIPAddress("127.0.0.1:9", {{NETWORKING_CONFIG_OUTPOST_MAX_CONNECTIONS, int32_t{5}}}), 0u);
  uint32_t ls = p.net.createListenSocketIP("127.0.0.1:0", {{NETWORKING_CONFIG_OUTPOST_MAX_CONNECTIONS, int32_t{5}}});
  ASSERT_NE(ls, 0u);
  auto v = p.net.getConfigValue(NETWORKING_CONFIG_OUTPOST_MAX_CONNECTIONS, NETWORKING_CONFIG_SCOPE_LISTEN_SOCKET, ls);
  EXPECT_EQ(v.result, NETWORKING_GET_CONFIG_VALUE_OK);
  EXPECT_EQ(std::get<int32_t>(v.value), 5);
  EXPECT_EQ(p.net.getConfigValueInfo(NETWORKING_CONFIG_OUTPOST_MAX_CONNECTIONS)->scope,
            NETWORKING_CONFIG_SCOPE_LISTEN_SOCKET);
  EXPECT_FALSE(p.net.createListenSocketIP("127.0.0.1:0", {{NETWORKING_CONFIG_OUTPOST_MAX_CONNECTIONS, int32_t{0}}}));
}

TEST(Identity, ResetIdentityClosesOpenConnections) {
  Peer server(/*auto_accept_incoming=*/false), client;
  uint32_t ls = server.net.createListenSocketIP("127.0.0.1:0");
  std::string addr = server.net.getListenSocketAddress(ls, true);
  uint32_t accepted = client.net.connectByIPAddress(addr);
  ASSERT_TRUE(pumpUntil({&server, &client}, [&] { return server.incoming.size() == 1; }));
  server.net.acceptConnection(server.incoming[0]);
  ASSERT_TRUE(
      pumpUntil({&server, &client}, [&] { return client.reportedState(accepted) == CONNECTION_STATE_CONNECTED; }));
  uint32_t pending = client.net.connectByIPAddress(addr);
  ASSERT_TRUE(pumpUntil({&server, &client}, [&] { return server.incoming.size() == 2; }));
  auto pair = server.net.createSocketPair(false, 1, 2);
  ASSERT_TRUE(pair.success);

  server.net.resetIdentity(76561198000000042ull);
  EXPECT_EQ(server.net.getIdentity(), "steamid:76561198000000042");
  // Every open connection of the instance ends as a local problem, with the reason given...
  for (uint32_t h : {server.incoming[0], server.incoming[1], pair.connection1, pair.connection2}) {
    auto info = server.net.getConnectionInfo(h);
    ASSERT_TRUE(info) << h;
    EXPECT_EQ(info->connection_state, CONNECTION_STATE_PROBLEM_DETECTED_LOCALLY) << h;
    EXPECT_EQ(info->end_reason, CONNECTION_END_MISC_GENERIC);
    EXPECT_EQ(info->end_debug, "the local identity was reset");
  }
  // ...the peers are told (a CLOSE for the accepted one, a refusal for the pending one)...
  ASSERT_TRUE(pumpUntil({&server, &client}, [&] {
    return client.reportedState(accepted) == CONNECTION_STATE_CLOSED_BY_PEER &&
           client.reportedState(pending) == CONNECTION_STATE_CLOSED_BY_PEER;
  }));
  EXPECT_EQ(client.net.getConnectionInfo(accepted)->end_debug, "the local identity was reset");
  EXPECT_EQ(client.net.getConnectionInfo(pending)->end_reason, CONNECTION_END_MISC_GENERIC);
  // ...and the listen socket stays open for new connections.
  server.auto_accept = true;
  uint32_t again = client.net.connectByIPAddress(addr);
  EXPECT_TRUE(pumpUntil({&server, &client}, [&] { return client.reportedState(again) == CONNECTION_STATE_CONNECTED; }));
}

}  // namespace
}  // namespace outpost::test
