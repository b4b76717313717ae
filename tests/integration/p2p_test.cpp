// Integration: P2P by identity through a real outpost-hub on 127.0.0.1 (docs/spec/signaling.md) —
// two players log on, one listens on a virtual port, the other connects to its Steam ID; the hub
// forwards the signaling, the peers probe each other, choose a route and run the usual handshake;
// messages flow both ways. The documented end reasons for a virtual port nobody listens on, an
// offline peer, a peer of another app and an instance without a hub session. FakeIP: allocation,
// connectByIPAddress to a FakeIP, createListenSocketP2PFakeIP, getRemoteFakeIPForConnection.
// STUN on the hub port: our codec and Debian's `stun` client.
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <thread>

#include "hubrpc/hubrpc.pb.h"
#include "outpost/game_server.h"
#include "outpost/networking_sockets.h"
#include "outpost/steam_id.h"
#include "outpost/user.h"
#include "p2p/signal.h"
#include "raw_hub_connection.h"
#include "stun/stun.h"
#include "support/process.h"
#include "support/raw_socket.h"

namespace outpost::test {
namespace {

using Clock = std::chrono::steady_clock;

// A player: a hub session (User) serving a NetworkingSockets instance.
struct Peer {
  NetworkingSockets net;
  User user;
  std::vector<NetworkConnectionStatusChanged> events;
  std::vector<FakeIPResultEvent> fake_results;
  bool accept_incoming = true;
  Peer() {
    net.connect_network_connection_status_changed([this](const NetworkConnectionStatusChanged& s) {
      events.push_back(s);
      if (accept_incoming && s.connection.listen_socket && s.connection.connection_state == CONNECTION_STATE_CONNECTING)
        net.acceptConnection(s.connect_handle);
    });
    net.connect_fake_ip_result([this](const FakeIPResultEvent& e) { fake_results.push_back(e); });
    user.certifyNetworkingSockets(net);
  }
  int state(uint32_t h) {
    auto i = net.getConnectionInfo(h);
    return i ? i->connection_state : CONNECTION_STATE_NONE;
  }
  // The first incoming connection on `listen` (0 if none yet).
  uint32_t incoming(uint32_t listen) {
    for (const auto& e : events)
      if (e.connection.listen_socket == listen) return e.connect_handle;
    return 0;
  }
  bool sawState(uint32_t h, int state) {
    for (const auto& e : events)
      if (e.connect_handle == h && e.connection.connection_state == state) return true;
    return false;
  }
};

// Runs callbacks on every peer until `done` or the limit.
template <typename F>
bool until(std::initializer_list<Peer*> peers, F done, int limit_ms = 10000) {
  auto deadline = Clock::now() + std::chrono::milliseconds(limit_ms);
  while (Clock::now() < deadline) {
    for (Peer* p : peers) p->net.runNetworkingCallbacks();
    if (done()) return true;
    for (Peer* p : peers) p->net.waitForActivity(5);
  }
  for (Peer* p : peers) p->net.runNetworkingCallbacks();
  return done();
}

std::vector<uint8_t> bytes(const std::string& s) { return {s.begin(), s.end()}; }

std::string receiveText(Peer& p, uint32_t h, int limit_ms = 5000) {
  std::string got;
  until(
      {&p},
      [&] {
        auto m = p.net.receiveMessagesOnConnection(h, 1);
        if (!m.empty()) got.assign(m[0].payload.begin(), m[0].payload.end());
        return !got.empty();
      },
      limit_ms);
  return got;
}

// Waits until the hub confirmed `n` listen sockets of `p` (ListenResult): from then on a Connect
// to them finds the registration.
bool listening(Peer& p, uint64_t n = 1) {
  return until({&p}, [&] { return p.net.getTransportCounters()["p2p.signal_received.listen_result"] >= n; });
}

class P2P : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = makeTempDir() + "/data";
    ASSERT_TRUE(hub_.start(dir_)) << hub_.banner;
    admin({"app", "put", "480", "Spacewar"});
    admin({"app", "put", "481", "Other"});
    for (const char* name : {"alice", "bob", "carol", "dave"})
      admin({"user", "create", name, std::string(name) + "-password"});
  }
  void TearDown() override { std::filesystem::remove_all(std::filesystem::path(dir_).parent_path()); }
  std::string admin(const std::vector<std::string>& words) {
    auto r = runAdmin(hub_.address, dir_, words);
    EXPECT_EQ(r.exit_code, 0) << r.out;
    return r.out;
  }
  uint64_t logOn(Peer& p, const std::string& name, uint32_t app = 480) {
    p.user.setHub(hub_.address, hub_.public_key);
    EXPECT_EQ(p.user.logOn(name, name + "-password", app), RESULT_OK);
    return p.user.getSteamID();
  }
  uint64_t counter(const std::string& name) {
    std::string out = "\n" + admin({"status"});  // one "name value" per line
    auto at = out.find("\n" + name + " ");
    if (at == std::string::npos) return 0;
    return std::stoull(out.substr(at + name.size() + 2));
  }
  std::string dir_;
  HubProcess hub_;
};

TEST_F(P2P, ConnectsByIdentityThroughTheHubAndCarriesMessagesBothWays) {
  Peer a, b;
  logOn(a, "alice");
  uint64_t bob = logOn(b, "bob");
  uint32_t listen = b.net.createListenSocketP2P(7);
  ASSERT_NE(listen, 0u);
  // The listen socket is registered once the hub confirmed it (one hub round trip).
  ASSERT_TRUE(listening(b));

  auto started = Clock::now();
  uint32_t h = a.net.connectP2P(bob, 7);
  ASSERT_NE(h, 0u);
  EXPECT_EQ(a.state(h), CONNECTION_STATE_CONNECTING);
  ASSERT_TRUE(until({&a, &b},
                    [&] {
                      return a.state(h) == CONNECTION_STATE_CONNECTED && b.incoming(listen) &&
                             b.state(b.incoming(listen)) == CONNECTION_STATE_CONNECTED;
                    }))
      << "initiator state " << a.state(h) << ": " << a.net.getConnectionInfo(h)->end_debug;
  auto setup_ms = std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - started).count();
  EXPECT_LT(setup_ms, 3000);
  EXPECT_TRUE(a.sawState(h, CONNECTION_STATE_FINDING_ROUTE));  // CONNECTING -> FINDING_ROUTE -> CONNECTED
  uint32_t hb = b.incoming(listen);
  auto info = a.net.getConnectionInfo(h);
  EXPECT_EQ(info->identity, bob);
  EXPECT_FALSE(info->remote_address.empty());
  EXPECT_EQ(b.net.getConnectionInfo(hb)->identity, a.user.getSteamID());
  // The usual handshake with certificates: each side proved the identity the hub certified.
  EXPECT_EQ(info->info_flags & NETWORKING_CONNECTION_INFO_FLAG_UNAUTHENTICATED, 0);
  EXPECT_EQ(b.net.getConnectionInfo(hb)->info_flags & NETWORKING_CONNECTION_INFO_FLAG_UNAUTHENTICATED, 0);

  ASSERT_EQ(a.net.sendMessageToConnection(h, bytes("hello bob"), NETWORKING_SEND_RELIABLE).result, RESULT_OK);
  EXPECT_EQ(receiveText(b, hb), "hello bob");
  ASSERT_EQ(b.net.sendMessageToConnection(hb, bytes("hello alice"), NETWORKING_SEND_RELIABLE).result, RESULT_OK);
  EXPECT_EQ(receiveText(a, h), "hello alice");

  // A verified certificate promotes a P2P connection like any other (docs/spec/transport.md §16.3):
  // it leaves the untrusted budget on both ends, so a reliable message larger than the untrusted
  // receive window (which an untrusted connection holds back until trust) crosses both ways.
  std::vector<uint8_t> big(256 * 1024);
  for (size_t i = 0; i < big.size(); ++i) big[i] = static_cast<uint8_t>(i * 7);
  ASSERT_EQ(a.net.sendMessageToConnection(h, big, NETWORKING_SEND_RELIABLE).result, RESULT_OK);
  ASSERT_EQ(b.net.sendMessageToConnection(hb, big, NETWORKING_SEND_RELIABLE).result, RESULT_OK);
  bool big_at_a = false, big_at_b = false;
  ASSERT_TRUE(until({&a, &b},
                    [&] {
                      for (auto& m : a.net.receiveMessagesOnConnection(h, 4)) big_at_a = big_at_a || m.payload == big;
                      for (auto& m : b.net.receiveMessagesOnConnection(hb, 4)) big_at_b = big_at_b || m.payload == big;
                      return big_at_a && big_at_b;
                    }))
      << "big message at alice " << big_at_a << ", at bob " << big_at_b;
  EXPECT_GE(a.net.getTransportCounters()["connections.promoted"], 1u);
  EXPECT_GE(b.net.getTransportCounters()["connections.promoted"], 1u);
  EXPECT_EQ(b.net.getTransportCounters()["connections.untrusted"], 0u);  // the P2P listen socket's untrusted count

  auto ca = a.net.getTransportCounters();
  EXPECT_GE(ca["p2p.probe_responses"], 1u);
  EXPECT_GE(ca["stun.responses"], 1u);      // the reflexive address came from the hub's STUN answer
  EXPECT_GE(counter("p2p.forwarded"), 2u);  // the Offer and the Answer
  EXPECT_GE(counter("transport.stun.answered"), 1u);
}

TEST_F(P2P, UnknownPortOfflinePeerOtherAppAndNoSessionEndWithTheDocumentedReasons) {
  Peer a, b, c;
  logOn(a, "alice");
  uint64_t bob = logOn(b, "bob");
  uint64_t dave = logOn(c, "dave", 481);  // another app
  ASSERT_NE(b.net.createListenSocketP2P(7), 0u);
  ASSERT_NE(c.net.createListenSocketP2P(7), 0u);
  ASSERT_TRUE(listening(b));
  ASSERT_TRUE(listening(c));
  uint64_t carol = steamid::individual(999999);  // never logged on

  auto started = Clock::now();
  uint32_t no_port = a.net.connectP2P(bob, 8);
  uint32_t offline = a.net.connectP2P(carol, 7);
  uint32_t other_app = a.net.connectP2P(dave, 7);
  ASSERT_TRUE(until({&a}, [&] {
    return a.state(no_port) == CONNECTION_STATE_PROBLEM_DETECTED_LOCALLY &&
           a.state(offline) == CONNECTION_STATE_PROBLEM_DETECTED_LOCALLY &&
           a.state(other_app) == CONNECTION_STATE_PROBLEM_DETECTED_LOCALLY;
  }));
  EXPECT_LT(std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - started).count(), 3000);
  auto i1 = a.net.getConnectionInfo(no_port), i2 = a.net.getConnectionInfo(offline),
       i3 = a.net.getConnectionInfo(other_app);
  EXPECT_EQ(i1->end_reason, CONNECTION_END_MISC_PEER_SENT_NO_CONNECTION);
  EXPECT_NE(i1->end_debug.find("virtual port 8"), std::string::npos) << i1->end_debug;
  EXPECT_EQ(i2->end_reason, CONNECTION_END_MISC_P2P_RENDEZVOUS);
  EXPECT_NE(i2->end_debug.find("not logged on"), std::string::npos) << i2->end_debug;
  EXPECT_EQ(i3->end_reason, CONNECTION_END_MISC_P2P_RENDEZVOUS);  // other apps are out of reach
  EXPECT_NE(i3->end_debug.find("app 480"), std::string::npos) << i3->end_debug;
  // Positive control: the same peer on the right port connects.
  uint32_t ok = a.net.connectP2P(bob, 7);
  EXPECT_TRUE(until({&a, &b}, [&] { return a.state(ok) == CONNECTION_STATE_CONNECTED; }));
  EXPECT_GE(counter("p2p.refused_no_listener"), 1u);
  EXPECT_GE(counter("p2p.refused_offline"), 2u);

  // An instance that no hub session serves fails at once.
  NetworkingSockets lone;
  uint32_t h = lone.connectP2P(bob, 7);
  ASSERT_NE(h, 0u);
  auto li = lone.getConnectionInfo(h);
  EXPECT_EQ(li->connection_state, CONNECTION_STATE_PROBLEM_DETECTED_LOCALLY);
  EXPECT_EQ(li->end_reason, CONNECTION_END_MISC_P2P_RENDEZVOUS);
  // Bad arguments.
  EXPECT_EQ(lone.connectP2P(0, 7), 0u);
  EXPECT_EQ(lone.connectP2P(bob, -1), 0u);
  EXPECT_EQ(lone.createListenSocketP2P(70000), 0u);
}

// A peer that is logged on and listens but never answers (its instance is not being run: no
// service thread, nobody polls it) ends the attempt with MISC_P2P_RENDEZVOUS and "did not answer"
// once the documented answer wait (5 s after Connect) is over, well inside TIMEOUT_INITIAL.
TEST_F(P2P, APeerThatNeverAnswersEndsAfterTheAnswerWait) {
  Peer a;
  logOn(a, "alice");
  NetworkingSocketsOptions manual;
  manual.service_thread = false;
  NetworkingSockets frozen(manual);
  User bob_user;
  bob_user.certifyNetworkingSockets(frozen);
  bob_user.setHub(hub_.address, hub_.public_key);
  ASSERT_EQ(bob_user.logOn("bob", "bob-password", 480), RESULT_OK);
  ASSERT_NE(frozen.createListenSocketP2P(7), 0u);
  auto deadline = Clock::now() + std::chrono::seconds(10);
  while (Clock::now() < deadline && frozen.getTransportCounters()["p2p.signal_received.listen_result"] < 1)
    frozen.poll(5);
  ASSERT_GE(frozen.getTransportCounters()["p2p.signal_received.listen_result"], 1u);
  // From here on nobody runs `frozen`: the hub forwards the Offer, no Answer comes back.
  auto started = Clock::now();
  uint32_t h = a.net.connectP2P(bob_user.getSteamID(), 7);
  ASSERT_TRUE(until(
      {&a}, [&] { return a.state(h) == CONNECTION_STATE_PROBLEM_DETECTED_LOCALLY; }, 12000));
  auto elapsed_ms = std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - started).count();
  auto i = a.net.getConnectionInfo(h);
  EXPECT_EQ(i->end_reason, CONNECTION_END_MISC_P2P_RENDEZVOUS);
  EXPECT_NE(i->end_debug.find("did not answer"), std::string::npos) << i->end_debug;
  EXPECT_GE(elapsed_ms, 4500);              // it waited for the answer the documented time
  EXPECT_LT(elapsed_ms, 10000);             // and no longer than TIMEOUT_INITIAL
  EXPECT_GE(counter("p2p.forwarded"), 1u);  // the Offer went to bob's session
}

// The hub rate-limits each session's signal messages (20/s, burst 40; docs/spec/signaling.md §5):
// a burst of connectP2P calls past the burst gets refused attempts that end with
// MISC_P2P_RENDEZVOUS naming the limit, counted at the hub; the ones inside it connect.
TEST_F(P2P, SignalingIsRateLimitedPerSession) {
  Peer a, b;
  logOn(a, "alice");
  uint64_t bob = logOn(b, "bob");
  ASSERT_NE(b.net.createListenSocketP2P(7), 0u);
  ASSERT_TRUE(listening(b));
  std::vector<uint32_t> hs;
  for (int i = 0; i < 48; ++i) hs.push_back(a.net.connectP2P(bob, 7));
  auto ended = [&](uint32_t h) {
    int s = a.state(h);
    return s == CONNECTION_STATE_CONNECTED || s == CONNECTION_STATE_PROBLEM_DETECTED_LOCALLY;
  };
  ASSERT_TRUE(until(
      {&a, &b}, [&] { return std::all_of(hs.begin(), hs.end(), ended); }, 20000));
  int connected = 0, rate_refused = 0;
  for (uint32_t h : hs) {
    auto i = a.net.getConnectionInfo(h);
    if (i->connection_state == CONNECTION_STATE_CONNECTED) ++connected;
    else if (i->end_reason == CONNECTION_END_MISC_P2P_RENDEZVOUS && i->end_debug.find("rate") != std::string::npos)
      ++rate_refused;
  }
  EXPECT_GE(rate_refused, 1);
  EXPECT_GE(connected, 1);  // positive control: within the burst they connect
  EXPECT_GE(counter("p2p.refused_rate"), 1u);
}

// A game server's certified NetworkingSockets listens P2P (a server behind a NAT needs no open
// port): a player connects to the server's Steam ID; the signaling goes through the server's own
// hub session (GameServer::certifyNetworkingSockets) and both ends authenticate by certificate.
TEST_F(P2P, GameServerListensAndAPlayerConnectsToItsSteamID) {
  setenv("OUTPOST_APP_ID", "480", 1);
  admin({"user", "create", "owner", "owner-password"});
  std::string out = admin({"token", "create", "480", "owner"});
  std::string token = out.substr(out.find("token=") + 6, 48);
  NetworkingSockets server_net;
  std::vector<uint32_t> incoming;
  server_net.connect_network_connection_status_changed([&](const NetworkConnectionStatusChanged& s) {
    if (s.connection.listen_socket && s.connection.connection_state == CONNECTION_STATE_CONNECTING) {
      incoming.push_back(s.connect_handle);
      server_net.acceptConnection(s.connect_handle);
    }
  });
  GameServer gs;
  gs.setHub(hub_.address, hub_.public_key);
  ASSERT_TRUE(gs.serverInit("0.0.0.0", 27015, 0, SERVER_MODE_AUTHENTICATION_AND_SECURE, "1.0.0.0"));
  gs.certifyNetworkingSockets(server_net);
  uint32_t listen = server_net.createListenSocketP2P(0);
  ASSERT_NE(listen, 0u);
  gs.logOn(token);
  auto deadline = Clock::now() + std::chrono::seconds(10);
  while (Clock::now() < deadline &&
         !(gs.loggedOn() && server_net.getTransportCounters()["p2p.signal_received.listen_result"] >= 1)) {
    gs.run_callbacks();
    server_net.runNetworkingCallbacks();
    server_net.waitForActivity(10);
  }
  ASSERT_TRUE(gs.loggedOn());
  uint64_t server_id = gs.getSteamID();
  Peer a;
  logOn(a, "alice");
  uint32_t h = a.net.connectP2P(server_id, 0);
  auto until_up = Clock::now() + std::chrono::seconds(10);
  while (Clock::now() < until_up && !(a.state(h) == CONNECTION_STATE_CONNECTED && !incoming.empty())) {
    gs.run_callbacks();
    server_net.runNetworkingCallbacks();
    a.net.runNetworkingCallbacks();
    a.net.waitForActivity(5);
  }
  ASSERT_EQ(a.state(h), CONNECTION_STATE_CONNECTED) << a.net.getConnectionInfo(h)->end_debug;
  auto info = a.net.getConnectionInfo(h);
  EXPECT_EQ(info->identity, server_id);
  EXPECT_EQ(info->info_flags & NETWORKING_CONNECTION_INFO_FLAG_UNAUTHENTICATED, 0);
  ASSERT_FALSE(incoming.empty());
  EXPECT_EQ(server_net.getConnectionInfo(incoming[0])->identity, a.user.getSteamID());
}

TEST_F(P2P, IceDisabledFailsWithLocalNetworkConfig) {
  Peer a, b;
  logOn(a, "alice");
  uint64_t bob = logOn(b, "bob");
  uint32_t h = a.net.connectP2P(bob, 7, {{NETWORKING_CONFIG_P2P_TRANSPORT_ICE_ENABLE, int32_t{0}}});
  ASSERT_NE(h, 0u);
  auto i = a.net.getConnectionInfo(h);
  EXPECT_EQ(i->connection_state, CONNECTION_STATE_PROBLEM_DETECTED_LOCALLY);
  EXPECT_EQ(i->end_reason, CONNECTION_END_LOCAL_NETWORK_CONFIG);
}

// P2P_TRANSPORT_ICE_ENABLE limits the candidates each side offers (docs/spec/signaling.md §12).
// On this machine the hub's STUN answer (the server-reflexive candidate) is 127.0.0.1, and host
// candidates are the non-loopback interface addresses: PUBLIC on both ends can only connect over
// 127.0.0.1, PRIVATE on both ends never over it.
TEST_F(P2P, IceEnablePublicAndPrivateChooseTheirCandidatesOnly) {
  Peer a, b;
  logOn(a, "alice");
  uint64_t bob = logOn(b, "bob");
  ConfigOptions pub{{NETWORKING_CONFIG_P2P_TRANSPORT_ICE_ENABLE, int32_t{NETWORKING_CONFIG_P2P_TRANSPORT_ICE_PUBLIC}}};
  ConfigOptions priv{
      {NETWORKING_CONFIG_P2P_TRANSPORT_ICE_ENABLE, int32_t{NETWORKING_CONFIG_P2P_TRANSPORT_ICE_PRIVATE}}};
  ASSERT_NE(b.net.createListenSocketP2P(7, pub), 0u);
  ASSERT_NE(b.net.createListenSocketP2P(8, priv), 0u);
  ASSERT_TRUE(listening(b, 2));
  uint32_t hp = a.net.connectP2P(bob, 7, pub);
  ASSERT_TRUE(until({&a, &b}, [&] { return a.state(hp) == CONNECTION_STATE_CONNECTED; }))
      << a.net.getConnectionInfo(hp)->end_debug;
  EXPECT_EQ(a.net.getConnectionInfo(hp)->remote_address.rfind("127.0.0.1:", 0), 0u)
      << a.net.getConnectionInfo(hp)->remote_address;
  uint32_t hv = a.net.connectP2P(bob, 8, priv);
  ASSERT_TRUE(until({&a, &b}, [&] {
    int s = a.state(hv);
    return s == CONNECTION_STATE_CONNECTED || s == CONNECTION_STATE_PROBLEM_DETECTED_LOCALLY;
  }));
  auto iv = a.net.getConnectionInfo(hv);
  if (iv->connection_state == CONNECTION_STATE_CONNECTED) {
    EXPECT_EQ(iv->remote_address.find("127.0.0.1"), std::string::npos) << iv->remote_address;
  } else {  // a machine with no interface but loopback has no host candidate at all
    EXPECT_TRUE(iv->end_reason == CONNECTION_END_NO_PUBLIC_ADDRESS ||
                iv->end_reason == CONNECTION_END_REMOTE_P2P_ICE_NO_PUBLIC_ADDRESSES)
        << iv->end_reason << " " << iv->end_debug;
  }
}

TEST_F(P2P, FakeIPAllocationConnectByFakeIPAndRemoteFakeIP) {
  Peer a, b;
  uint64_t alice = logOn(a, "alice");
  uint64_t bob = logOn(b, "bob");
  EXPECT_EQ(b.net.getFakeIP().result, RESULT_NO_CONNECTION);  // nothing asked yet
  ASSERT_TRUE(b.net.beginAsyncRequestFakeIP(2));
  EXPECT_FALSE(b.net.beginAsyncRequestFakeIP(2));  // one request at a time
  ASSERT_TRUE(until({&b}, [&] { return !b.fake_results.empty(); }));
  const FakeIPResultEvent& r = b.fake_results[0];
  EXPECT_EQ(r.result, RESULT_OK);
  EXPECT_EQ(r.remote_fake_steam_id, bob);
  EXPECT_EQ(r.fake_ip.rfind("169.254.", 0), 0u) << r.fake_ip;
  ASSERT_EQ(r.port_list.size(), 8u);
  EXPECT_NE(r.port_list[0], 0);
  EXPECT_NE(r.port_list[1], 0);
  EXPECT_EQ(r.port_list[2], 0);
  FakeIPInfo info = b.net.getFakeIP(0);
  EXPECT_EQ(info.result, RESULT_OK);
  EXPECT_EQ(info.ip, r.fake_ip);
  EXPECT_EQ(info.identity_type, IDENTITY_TYPE_STEAMID);
  EXPECT_EQ(info.ports[1], r.port_list[1]);
  EXPECT_EQ(b.net.getFakeIP(1).result, RESULT_INVALID_PARAM);

  uint32_t listen = b.net.createListenSocketP2PFakeIP(1);  // the second fake port
  ASSERT_NE(listen, 0u);
  ASSERT_TRUE(listening(b));
  std::string target = r.fake_ip + ":" + std::to_string(r.port_list[1]);
  uint32_t h = a.net.connectByIPAddress(target);
  ASSERT_NE(h, 0u);
  ASSERT_TRUE(until({&a, &b}, [&] { return a.state(h) == CONNECTION_STATE_CONNECTED && b.incoming(listen); }))
      << a.net.getConnectionInfo(h)->end_debug;
  EXPECT_EQ(a.net.getConnectionInfo(h)->identity, bob);  // the FakeIP's owner
  RemoteFakeIPResult ra = a.net.getRemoteFakeIPForConnection(h);
  EXPECT_EQ(ra.result, RESULT_OK);
  EXPECT_EQ(ra.ip_address, r.fake_ip);
  EXPECT_EQ(ra.port, r.port_list[1]);
  EXPECT_EQ(ra.ip_type, FAKE_IP_TYPE_GLOBAL_IPV4);
  // Alice has no global FakeIP: Bob sees her at one from his local range.
  RemoteFakeIPResult rb = b.net.getRemoteFakeIPForConnection(b.incoming(listen));
  EXPECT_EQ(rb.result, RESULT_OK);
  EXPECT_EQ(rb.ip_type, FAKE_IP_TYPE_LOCAL_IPV4);
  EXPECT_EQ(rb.ip_address.rfind("169.254.0.", 0), 0u) << rb.ip_address;
  EXPECT_EQ(b.net.getConnectionInfo(b.incoming(listen))->identity, alice);
  // A peer with a global FakeIP is seen at it (its first port) by the listener.
  Peer c;
  uint64_t carol = logOn(c, "carol");
  ASSERT_TRUE(c.net.beginAsyncRequestFakeIP(1));
  ASSERT_TRUE(until({&c}, [&] { return !c.fake_results.empty(); }));
  ASSERT_EQ(c.fake_results[0].result, RESULT_OK);
  EXPECT_NE(c.fake_results[0].fake_ip, r.fake_ip);  // unique in the app
  uint32_t hc = c.net.connectByIPAddress(target);
  uint32_t from_carol = 0;
  ASSERT_TRUE(until({&b, &c}, [&] {
    for (const auto& e : b.events)
      if (e.connection.listen_socket == listen && e.connection.identity == carol) from_carol = e.connect_handle;
    return c.state(hc) == CONNECTION_STATE_CONNECTED && from_carol != 0;
  })) << c.net.getConnectionInfo(hc)->end_debug;
  RemoteFakeIPResult rc = b.net.getRemoteFakeIPForConnection(from_carol);
  EXPECT_EQ(rc.result, RESULT_OK);
  EXPECT_EQ(rc.ip_type, FAKE_IP_TYPE_GLOBAL_IPV4);
  EXPECT_EQ(rc.ip_address, c.fake_results[0].fake_ip);
  EXPECT_EQ(rc.port, c.fake_results[0].port_list[0]);
  // An unknown FakeIP port ends like an offline peer.
  uint32_t nobody = a.net.connectByIPAddress(r.fake_ip + ":" + std::to_string(r.port_list[0] == 1 ? 2 : 1));
  ASSERT_TRUE(until({&a}, [&] { return a.state(nobody) == CONNECTION_STATE_PROBLEM_DETECTED_LOCALLY; }));
  EXPECT_EQ(a.net.getConnectionInfo(nobody)->end_reason, CONNECTION_END_MISC_P2P_RENDEZVOUS);
  // A plain IP connection has no FakeIP.
  uint32_t ip_listen = b.net.createListenSocketIP("127.0.0.1:0");
  uint32_t plain = a.net.connectByIPAddress(b.net.getListenSocketAddress(ip_listen));
  EXPECT_EQ(a.net.getRemoteFakeIPForConnection(plain).result, RESULT_IP_NOT_FOUND);
}

// createFakeUDPPort returns a working datagram port (GodotSteam's returns nothing): server ports
// exchange datagrams addressed by FakeIP:port both ways, a client port (-1) of a peer without a
// FakeIP is seen at an address of the receiver's local range and gets its reply.
TEST_F(P2P, FakeUDPPortsSendAndReceiveDatagrams) {
  Peer a, b, c;
  logOn(a, "alice");
  logOn(b, "bob");
  logOn(c, "carol");
  ASSERT_TRUE(a.net.beginAsyncRequestFakeIP(1));
  ASSERT_TRUE(b.net.beginAsyncRequestFakeIP(1));
  ASSERT_TRUE(until({&a, &b}, [&] { return !a.fake_results.empty() && !b.fake_results.empty(); }));
  std::string alice_addr = a.fake_results[0].fake_ip + ":" + std::to_string(a.fake_results[0].port_list[0]);
  std::string bob_addr = b.fake_results[0].fake_ip + ":" + std::to_string(b.fake_results[0].port_list[0]);
  FakeUDPPort* pa = a.net.createFakeUDPPort(0);
  FakeUDPPort* pb = b.net.createFakeUDPPort(0);
  ASSERT_NE(pa, nullptr);
  ASSERT_NE(pb, nullptr);
  EXPECT_EQ(b.net.createFakeUDPPort(0), pb);  // the same object for the same index
  EXPECT_EQ(b.net.createFakeUDPPort(8), nullptr);
  EXPECT_EQ(b.net.createFakeUDPPort(-2), nullptr);
  ASSERT_TRUE(listening(b));

  EXPECT_EQ(pa->sendMessageToFakeIP("10.0.0.1:5", bytes("x"), NETWORKING_SEND_UNRELIABLE), RESULT_INVALID_PARAM);
  ASSERT_EQ(pa->sendMessageToFakeIP(bob_addr, bytes("datagram 1"), NETWORKING_SEND_UNRELIABLE), RESULT_OK);
  std::vector<FakeUDPMessage> got;
  ASSERT_TRUE(until({&a, &b}, [&] {
    for (auto& m : pb->receiveMessages(8)) got.push_back(m);
    return !got.empty();
  })) << "bob's port received nothing";
  EXPECT_EQ(std::string(got[0].data.begin(), got[0].data.end()), "datagram 1");
  EXPECT_EQ(got[0].from, alice_addr);  // alice's global FakeIP and port
  ASSERT_EQ(pb->sendMessageToFakeIP(got[0].from, bytes("reply 1"), NETWORKING_SEND_RELIABLE), RESULT_OK);
  std::vector<FakeUDPMessage> back;
  ASSERT_TRUE(until({&a, &b}, [&] {
    for (auto& m : pa->receiveMessages(8)) back.push_back(m);
    return !back.empty();
  }));
  EXPECT_EQ(std::string(back[0].data.begin(), back[0].data.end()), "reply 1");
  EXPECT_EQ(back[0].from, bob_addr);

  // A client port of a peer without a FakeIP.
  FakeUDPPort* pc = c.net.createFakeUDPPort(-1);
  ASSERT_NE(pc, nullptr);
  EXPECT_NE(c.net.createFakeUDPPort(-1), pc);  // a new one each time
  ASSERT_EQ(pc->sendMessageToFakeIP(bob_addr, bytes("from carol"), NETWORKING_SEND_RELIABLE), RESULT_OK);
  got.clear();
  ASSERT_TRUE(until({&b, &c}, [&] {
    for (auto& m : pb->receiveMessages(8)) got.push_back(m);
    return !got.empty();
  }));
  EXPECT_EQ(got[0].from.rfind("169.254.0.", 0), 0u) << got[0].from;  // bob's local range
  ASSERT_EQ(pb->sendMessageToFakeIP(got[0].from, bytes("to carol"), NETWORKING_SEND_RELIABLE), RESULT_OK);
  back.clear();
  ASSERT_TRUE(until({&b, &c}, [&] {
    for (auto& m : pc->receiveMessages(8)) back.push_back(m);
    return !back.empty();
  }));
  EXPECT_EQ(std::string(back[0].data.begin(), back[0].data.end()), "to carol");
  pc->destroyFakeUDPPort();
  pb->destroyFakeUDPPort();
  EXPECT_NE(b.net.createFakeUDPPort(0), nullptr);  // the index is free again
}

// The hub's side of a signal sent by something that is not our SDK (docs/spec/signaling.md §5,
// hub-rpc.md §2.1): from a connection that is not logged on, a Connect is answered in kind
// (ConnectFailed, NotLoggedOn); from a logged-on user, a malformed signal is refused naming the
// check and counted, and the connection stays usable (a well-formed Listen is then confirmed).
TEST_F(P2P, HubAnswersSignalsFromRawConnectionsAndRefusesMalformedOnes) {
  RawHubConnection c;
  ASSERT_TRUE(c.connect(hub_.address, hub_.public_key));
  p2p::Signal connect;
  connect.type = p2p::SignalType::kConnect;
  connect.connect_id = 7;
  connect.peer_steam_id = steamid::individual(2);
  connect.port = 7;
  auto wire = p2p::encodeSignal(connect);
  hubrpc::Envelope e;
  e.set_p2p_signal(wire.data(), wire.size());
  c.send(e);  // signals are answered in kind, not by request id
  auto r = c.waitFor([](const hubrpc::Envelope& x) { return x.has_p2p_signal(); });
  ASSERT_TRUE(r) << "no answer";
  const std::string& got = r->p2p_signal();
  auto failed = p2p::decodeSignal({reinterpret_cast<const uint8_t*>(got.data()), got.size()}, nullptr);
  ASSERT_TRUE(failed);
  EXPECT_EQ(failed->type, p2p::SignalType::kConnectFailed);
  EXPECT_EQ(failed->connect_id, 7u);
  EXPECT_EQ(failed->result, CONNECTION_END_MISC_P2P_RENDEZVOUS);

  hubrpc::Envelope logon;
  logon.mutable_user_log_on()->set_name("alice");
  logon.mutable_user_log_on()->set_password("alice-password");
  logon.mutable_user_log_on()->set_app_id(480);
  r = c.call(logon, 10000);
  ASSERT_TRUE(r && r->has_user_log_on_result());
  ASSERT_EQ(r->user_log_on_result().result(), RESULT_OK);
  hubrpc::Envelope bad;
  bad.set_p2p_signal(std::string("\x02\x05not a signal at all, version 2", 33));
  r = c.call(bad);
  ASSERT_TRUE(r && r->has_refused()) << (r ? r->DebugString() : "no answer");
  EXPECT_EQ(r->refused().result(), RESULT_INVALID_PARAM);
  EXPECT_EQ(r->refused().request(), static_cast<uint32_t>(hubrpc::Envelope::kP2PSignal));
  EXPECT_NE(r->refused().error().find("malformed P2P signal"), std::string::npos) << r->refused().error();
  EXPECT_GE(counter("p2p.malformed"), 1u);
  p2p::Signal listen;
  listen.type = p2p::SignalType::kListen;
  listen.port = 9;
  wire = p2p::encodeSignal(listen);
  hubrpc::Envelope l;
  l.set_p2p_signal(wire.data(), wire.size());
  c.send(l);
  r = c.waitFor([](const hubrpc::Envelope& x) { return x.has_p2p_signal(); });
  ASSERT_TRUE(r) << "no ListenResult";
  auto result =
      p2p::decodeSignal({reinterpret_cast<const uint8_t*>(r->p2p_signal().data()), r->p2p_signal().size()}, nullptr);
  ASSERT_TRUE(result);
  EXPECT_EQ(result->type, p2p::SignalType::kListenResult);
  EXPECT_EQ(result->result, RESULT_OK);
}

TEST_F(P2P, HubAnswersStunBindingRequestsWithTheSourceAddress) {
  RawSocket s;
  std::array<uint8_t, 12> txn{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12};
  uint8_t req[64];
  size_t n = stun::writeBindingRequest(txn, req);
  s.sendTo(portOf(hub_.address), {req, req + n});
  auto reply = s.receive(2000);
  stun::Drop why = stun::Drop::kNone;
  auto m = stun::parse(reply, &why);
  ASSERT_TRUE(m) << stun::dropName(why);
  EXPECT_EQ(m->type, stun::kBindingSuccess);
  EXPECT_FALSE(m->rfc3489);
  EXPECT_TRUE(m->has_fingerprint);
  EXPECT_TRUE(std::equal(txn.begin(), txn.end(), m->transaction.begin() + 4));
  ASSERT_TRUE(m->mapped);
  EXPECT_EQ(m->mapped->toString(), "127.0.0.1:" + std::to_string(s.port));
  // Something that is not a Binding request gets nothing (a response sent to the hub).
  std::vector<uint8_t> response(reply.begin(), reply.end());
  s.sendTo(portOf(hub_.address), response);
  EXPECT_TRUE(s.receive(300).empty());
  EXPECT_GE(counter("transport.stun.dropped.not_binding_request"), 1u);
}

// Debian's stun-client (RFC 3489, no magic cookie) learns its mapped address from the hub port.
TEST_F(P2P, DebianStunClientGetsItsMappedAddressFromTheHub) {
  if (std::system("command -v stun >/dev/null 2>&1") != 0)
    GTEST_SKIP() << "stun (Debian package stun-client) not installed";
  std::string port = std::to_string(portOf(hub_.address));
  ProcessResult r = runProcess({"/usr/bin/stun", "127.0.0.1:" + port, "1", "-v"}, 10);
  EXPECT_NE(r.out.find("MappedAddress = 127.0.0.1:"), std::string::npos) << r.out;
  EXPECT_GE(counter("transport.stun.answered"), 1u);
}

}  // namespace
}  // namespace outpost::test
