// Integration: hostile input. Random, truncated, forged, replayed, tampered and misaddressed
// datagrams are dropped and counted by reason, never crash, never allocate connection state, and
// never draw a reply larger than the request. A man-in-the-middle relay (real UDP) captures the
// client's packets so they can be replayed and altered.
#include <poll.h>

#include <atomic>
#include <mutex>
#include <random>
#include <thread>

#include "support/harness.h"
#include "support/raw_socket.h"

namespace outpost::test {
namespace {

// Forwards datagrams between one client (on `front`) and the server (from `back`).
class Relay {
 public:
  explicit Relay(uint16_t server_port) : server_port_(server_port) {
    thread_ = std::thread([this] { run(); });
  }
  ~Relay() {
    stop_ = true;
    thread_.join();
  }
  uint16_t port() const { return front_.port; }
  uint16_t backPort() const { return back_.port; }
  std::vector<std::vector<uint8_t>> captured() {
    std::lock_guard<std::mutex> l(mu_);
    return to_server_;
  }
  std::atomic<bool> tamper{false};
  std::atomic<bool> truncate{false};

 private:
  void run() {
    uint16_t client_port = 0;
    while (!stop_) {
      pollfd p[2] = {{front_.fd, POLLIN, 0}, {back_.fd, POLLIN, 0}};
      if (::poll(p, 2, 5) <= 0) continue;
      if (p[0].revents & POLLIN) {
        auto d = front_.receive(0, &client_port);
        {
          std::lock_guard<std::mutex> l(mu_);
          to_server_.push_back(d);
        }
        if (!d.empty() && d[0] == 0x10) {
          if (tamper && d.size() > 20) d[d.size() / 2] ^= 0x01;
          if (truncate) d.resize(12);
        }
        back_.sendTo(server_port_, d);
      }
      if (p[1].revents & POLLIN) {
        auto d = back_.receive(0);
        if (client_port) front_.sendTo(client_port, d);
      }
    }
  }
  RawSocket front_, back_;
  uint16_t server_port_;
  std::atomic<bool> stop_{false};
  std::mutex mu_;
  std::vector<std::vector<uint8_t>> to_server_;
  std::thread thread_;
};

uint64_t counter(Peer& p, const std::string& name) { return p.net.getTransportCounters()[name]; }

TEST(Hostile, RandomAndTruncatedDatagramsAreDroppedWithoutState) {
  Peer server;
  uint32_t ls = server.net.createListenSocketIP("127.0.0.1:0");
  uint16_t port = portOf(server.net.getListenSocketAddress(ls, true));
  RawSocket attacker;
  std::mt19937 rng(1234);
  const int kDatagrams = 3000;
  const uint8_t types[] = {0x01, 0x02, 0x03, 0x04, 0x10, 0x00, 0xFF};
  for (int i = 0; i < kDatagrams; ++i) {
    std::vector<uint8_t> d(rng() % 1400 + 1);
    for (auto& b : d) b = static_cast<uint8_t>(rng());
    d[0] = types[rng() % sizeof types];
    if (i % 3 == 0 && d.size() > 1) d[1] = 1;  // the right version byte, to get deeper
    attacker.sendTo(port, d);
  }
  // Truncated Hellos (every length below the padded size) get no answer at all.
  for (size_t len = 1; len < 64; ++len) {
    std::vector<uint8_t> hello(len, 0);
    hello[0] = 0x01;
    if (len > 1) hello[1] = 1;
    if (len > 2) hello[2] = 7;
    attacker.sendTo(port, hello);
  }
  ASSERT_TRUE(pumpUntil(
      {&server}, [&] { return counter(server, "datagrams_received") >= static_cast<uint64_t>(kDatagrams + 63); }));
  auto c = server.net.getTransportCounters();
  EXPECT_EQ(c["connections_created"], 0u);
  // Everything was either dropped (and counted) or was a well-formed Hello that got a cookie.
  EXPECT_EQ(c["dropped_total"] + c["challenges_sent"], c["datagrams_received"]);
  EXPECT_GT(c["version_replies_sent"], 0u);  // padded Hellos of another version are told ours
  EXPECT_GT(c["dropped.too_short"] + c["dropped.malformed"] + c["dropped.bad_version"], 0u);
  EXPECT_GT(c["dropped.unknown_connection"] + c["dropped.unknown_type"], 0u);
  // No reply is ever larger than a Hello.
  size_t replies = 0;
  for (auto r = attacker.receive(50); !r.empty(); r = attacker.receive(50)) {
    EXPECT_LE(r.size(), 64u);
    ++replies;
  }
  // (The attacker's own socket buffer may overflow, so fewer can arrive, never more.)
  EXPECT_GT(replies, 0u);
  EXPECT_LE(replies, c["challenges_sent"] + c["version_replies_sent"]);
  // The server still works.
  Peer client;
  uint32_t conn = client.net.connectByIPAddress(server.net.getListenSocketAddress(ls, true));
  EXPECT_TRUE(pumpUntil({&server, &client}, [&] { return client.reportedState(conn) == CONNECTION_STATE_CONNECTED; }));
}

TEST(Hostile, ForgedCookieAndBadSignatureAllocateNothing) {
  Peer server;
  uint32_t ls = server.net.createListenSocketIP("127.0.0.1:0");
  uint16_t port = portOf(server.net.getListenSocketAddress(ls, true));
  RawSocket attacker;
  // Hello -> real cookie.
  std::vector<uint8_t> hello(64, 0);
  hello[0] = 0x01;
  hello[1] = 1;
  hello[2] = 0x2A;
  attacker.sendTo(port, hello);
  auto challenge = attacker.receive(2000);
  ASSERT_EQ(challenge.size(), 25u);
  EXPECT_EQ(challenge[0], 0x02);
  // Connect layout: type, version, cipher mask, unencrypted, client id(4), cookie(20), kx(32),
  // identity(32), steam id(8), cert len(2), signature(64).
  auto makeConnect = [&](bool good_cookie) {
    std::vector<uint8_t> c = {0x03, 1, 0x06, 0};
    c.insert(c.end(), hello.begin() + 2, hello.begin() + 6);
    if (good_cookie) c.insert(c.end(), challenge.begin() + 5, challenge.end());
    else c.insert(c.end(), 20, 0x77);
    c.insert(c.end(), 32 + 32 + 8, 0x11);
    c.push_back(0);
    c.push_back(0);
    c.insert(c.end(), 64, 0x22);  // not a valid signature
    return c;
  };
  attacker.sendTo(port, makeConnect(false));
  attacker.sendTo(port, makeConnect(true));
  ASSERT_TRUE(pumpUntil({&server}, [&] { return counter(server, "dropped_total") >= 2; }));
  EXPECT_EQ(counter(server, "dropped.bad_cookie"), 1u);
  EXPECT_EQ(counter(server, "dropped.bad_signature"), 1u);
  EXPECT_EQ(counter(server, "connections_created"), 0u);
  EXPECT_TRUE(server.incoming.empty());
  EXPECT_TRUE(attacker.receive(100).empty());  // no answer to either
  // The cookie is bound to the source address: the same valid cookie from another port fails.
  RawSocket other;
  other.sendTo(port, makeConnect(true));
  ASSERT_TRUE(pumpUntil({&server}, [&] { return counter(server, "dropped.bad_cookie") == 2; }));
}

TEST(Hostile, ReplayedTamperedTruncatedAndMisaddressedPackets) {
  Peer server, client;
  uint32_t ls = server.net.createListenSocketIP("127.0.0.1:0");
  uint16_t port = portOf(server.net.getListenSocketAddress(ls, true));
  Relay relay(port);
  uint32_t c = client.net.connectByIPAddress("127.0.0.1:" + std::to_string(relay.port()));
  ASSERT_TRUE(pumpUntil({&server, &client}, [&] {
    return client.reportedState(c) == CONNECTION_STATE_CONNECTED && !server.incoming.empty();
  }));
  uint32_t s = server.incoming[0];
  auto exchange = [&](const std::string& text) {
    client.net.sendMessageToConnection(c, bytes(text), NETWORKING_SEND_RELIABLE_NO_NAGLE);
    std::vector<NetworkingMessage> got;
    pumpUntil(
        {&server, &client},
        [&] {
          for (auto& m : server.net.receiveMessagesOnConnection(s, 8)) got.push_back(std::move(m));
          return !got.empty();
        },
        Ms(5000));
    return got;
  };
  for (int i = 0; i < 5; ++i) ASSERT_EQ(exchange("warm " + std::to_string(i)).size(), 1u);
  uint64_t created = counter(server, "connections_created");

  // Replay every captured client packet (handshake included): nothing new is delivered.
  RawSocket replayer;
  auto captured = relay.captured();
  ASSERT_GT(captured.size(), 5u);
  uint64_t dropped_before = counter(server, "dropped_total");
  for (auto& d : captured) replayer.sendTo(port, d);  // from a different address
  ASSERT_TRUE(
      pumpUntil({&server}, [&] { return counter(server, "dropped_total") >= dropped_before + captured.size() - 2; }));
  EXPECT_GT(counter(server, "dropped.wrong_address"), 0u);
  // From the client's own address (through the relay, whose back socket is the address the
  // server knows): duplicates of packet numbers already received.
  uint64_t dup_before = counter(server, "dropped.duplicate") + counter(server, "dropped.too_old");
  for (auto& d : captured)
    if (d[0] == 0x10) replayer.sendTo(relay.port(), d);
  ASSERT_TRUE(pumpUntil({&server}, [&] {
    return counter(server, "dropped.duplicate") + counter(server, "dropped.too_old") > dup_before;
  }));
  EXPECT_TRUE(server.net.receiveMessagesOnConnection(s, 8).empty());

  // Tampered in flight: authentication fails, nothing corrupt is delivered; once the tampering
  // stops, retransmission delivers the message intact.
  uint64_t decrypt_before = counter(server, "dropped.decrypt_failed");
  relay.tamper = true;
  client.net.sendMessageToConnection(c, bytes("tampered?"), NETWORKING_SEND_RELIABLE_NO_NAGLE);
  ASSERT_TRUE(
      pumpUntil({&server, &client}, [&] { return counter(server, "dropped.decrypt_failed") > decrypt_before; }));
  EXPECT_TRUE(server.net.receiveMessagesOnConnection(s, 8).empty());
  relay.tamper = false;
  std::vector<NetworkingMessage> got;
  ASSERT_TRUE(pumpUntil({&server, &client}, [&] {
    for (auto& m : server.net.receiveMessagesOnConnection(s, 8)) got.push_back(std::move(m));
    return !got.empty();
  }));
  EXPECT_EQ(got[0].payload, bytes("tampered?"));

  // Truncated in flight: dropped, then recovered the same way.
  relay.truncate = true;
  client.net.sendMessageToConnection(c, bytes("short"), NETWORKING_SEND_RELIABLE_NO_NAGLE);
  ASSERT_TRUE(
      pumpUntil({&server, &client}, [&] { return counter(server, "dropped.decrypt_failed") > decrypt_before + 1; }));
  relay.truncate = false;
  client.net.sendMessageToConnection(c, bytes("after"), NETWORKING_SEND_RELIABLE_NO_NAGLE);
  got.clear();
  ASSERT_TRUE(pumpUntil({&server, &client}, [&] {
    for (auto& m : server.net.receiveMessagesOnConnection(s, 8)) got.push_back(std::move(m));
    return got.size() >= 2;
  }));
  EXPECT_EQ(got[0].payload, bytes("short"));  // recovered by retransmission, in order
  EXPECT_EQ(got[1].payload, bytes("after"));

  EXPECT_EQ(counter(server, "connections_created"), created);
  EXPECT_EQ(server.incoming.size(), 1u);
}

}  // namespace
}  // namespace outpost::test
