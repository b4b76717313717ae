// Unit: the hub's P2P signaling (src/hub/signaling.cpp; docs/spec/signaling.md §5, §10) with an
// injected clock and a capturing sender — who may signal whom (same app only), who may answer
// what (only the target of an attempt the hub forwarded: addresses reach a peer only then), the
// per-session rate limit, the bounds of every table, FakeIP allocation, and clean-up when a
// session leaves. Every refusal is answered where the spec says so and counted.
#include <gtest/gtest.h>

#include "hub/signaling.h"
#include "outpost/steam_id.h"
#include "outpost/types.h"

namespace outpost::hub {
namespace {

using p2p::Signal;
using p2p::SignalType;

struct Sent {
  uint32_t to;
  Signal signal;
};

class SignalingTest : public ::testing::Test {
 protected:
  SignalingTest()
      : sig_(
            [this](uint32_t c, const std::vector<uint8_t>& b) {
              auto s = p2p::decodeSignal(b, nullptr);
              ASSERT_TRUE(s) << "the hub sent something it cannot decode";
              sent_.push_back({c, *s});
            },
            limits(), 42) {}
  static SignalingLimits limits() {
    SignalingLimits l;
    l.registrations_per_session = 3;
    l.pending_per_initiator = 2;
    l.fake_ips_per_app = 2;
    return l;
  }
  void send(uint32_t conn, Signaling::Who who, const Signal& s) {
    sig_.onSignal(conn, who, p2p::encodeSignal(s), now_);
  }
  Signal listen(int port, p2p::PortKind kind = p2p::PortKind::kVirtual) {
    Signal s;
    s.type = SignalType::kListen;
    s.port = port;
    s.port_kind = kind;
    return s;
  }
  Signal connect(uint64_t id, uint64_t target, int port) {
    Signal s;
    s.type = SignalType::kConnect;
    s.connect_id = id;
    s.peer_steam_id = target;
    s.port = port;
    s.key = p2p::CheckKey{};
    s.candidates.push_back({p2p::CandidateKind::kHost, base::SocketAddress::ipv4(0x0A000001, 4000)});
    return s;
  }
  std::vector<Sent> take() {
    auto out = std::move(sent_);
    sent_.clear();
    return out;
  }
  uint64_t counter(const std::string& k) { return sig_.counters()[k]; }

  base::TimeUs now_ = 1000000000;
  std::vector<Sent> sent_;
  Signaling sig_;
  const Signaling::Who alice{steamid::individual(1), 480}, bob{steamid::individual(2), 480},
      carol{steamid::individual(3), 481};
};

TEST_F(SignalingTest, OfferGoesToTheListenerAndOnlyItsAnswerReachesTheInitiator) {
  send(2, bob, listen(7));
  auto r = take();
  ASSERT_EQ(r.size(), 1u);
  EXPECT_EQ(r[0].signal.type, SignalType::kListenResult);
  EXPECT_EQ(r[0].signal.result, RESULT_OK);
  send(1, alice, connect(99, bob.steam_id, 7));
  r = take();
  ASSERT_EQ(r.size(), 1u);  // the Offer, to bob only: alice learns nothing yet
  EXPECT_EQ(r[0].to, 2u);
  EXPECT_EQ(r[0].signal.type, SignalType::kOffer);
  EXPECT_EQ(r[0].signal.peer_steam_id, alice.steam_id);
  EXPECT_EQ(r[0].signal.candidates.size(), 1u);

  Signal answer;
  answer.type = SignalType::kAnswer;
  answer.connect_id = 99;
  answer.key = p2p::CheckKey{};
  answer.candidates.push_back({p2p::CandidateKind::kHost, base::SocketAddress::ipv4(0x0A000002, 5000)});
  // Nobody but the attempt's target may answer it (not a third party, not the initiator).
  send(3, Signaling::Who{steamid::individual(9), 480}, answer);
  send(1, alice, answer);
  EXPECT_TRUE(take().empty());
  EXPECT_EQ(counter("p2p.refused_answer"), 2u);
  send(2, bob, answer);
  r = take();
  ASSERT_EQ(r.size(), 1u);
  EXPECT_EQ(r[0].to, 1u);
  EXPECT_EQ(r[0].signal.type, SignalType::kAnswer);
  EXPECT_EQ(r[0].signal.peer_steam_id, bob.steam_id);  // set by the hub, not by bob
  EXPECT_EQ(counter("p2p.forwarded"), 2u);
}

TEST_F(SignalingTest, OtherAppOfflineAndNoListenerAreRefusedWithTheirEndReasons) {
  send(3, carol, listen(7));  // app 481
  send(2, bob, listen(7));
  take();
  send(1, alice, connect(1, carol.steam_id, 7));           // present, but in another app
  send(1, alice, connect(2, steamid::individual(77), 7));  // offline
  send(1, alice, connect(3, bob.steam_id, 8));             // no listener on 8
  auto r = take();
  ASSERT_EQ(r.size(), 3u);
  for (const auto& s : r) {
    EXPECT_EQ(s.to, 1u);
    EXPECT_EQ(s.signal.type, SignalType::kConnectFailed);
  }
  EXPECT_EQ(r[0].signal.result, CONNECTION_END_MISC_P2P_RENDEZVOUS);
  EXPECT_NE(r[0].signal.debug.find("app 480"), std::string::npos);
  EXPECT_EQ(r[1].signal.result, CONNECTION_END_MISC_P2P_RENDEZVOUS);
  EXPECT_EQ(r[2].signal.result, CONNECTION_END_MISC_PEER_SENT_NO_CONNECTION);
  EXPECT_EQ(counter("p2p.refused_offline"), 2u);
  EXPECT_EQ(counter("p2p.refused_no_listener"), 1u);
  // Not logged on: refused, answered, counted.
  sig_.onSignal(5, std::nullopt, p2p::encodeSignal(connect(4, bob.steam_id, 7)), now_);
  r = take();
  ASSERT_EQ(r.size(), 1u);
  EXPECT_EQ(r[0].signal.type, SignalType::kConnectFailed);
  EXPECT_EQ(counter("p2p.refused_not_logged_on"), 1u);
}

TEST_F(SignalingTest, RateLimitPerSessionRefusesAndRecovers) {
  send(2, bob, listen(7));
  take();
  int refused = 0;
  for (int i = 0; i < 100; ++i) {
    send(1, alice, connect(1000 + i, steamid::individual(77), 7));
    for (const auto& s : take())
      if (s.signal.type == SignalType::kConnectFailed && s.signal.debug.find("rate limit") != std::string::npos)
        ++refused;
  }
  EXPECT_EQ(refused, 100 - 40);  // the burst of 40, then the bucket is empty
  EXPECT_EQ(counter("p2p.refused_rate"), 60u);
  // Other sessions are not affected, and the bucket refills (20/s).
  send(2, bob, listen(8));
  EXPECT_EQ(take()[0].signal.result, RESULT_OK);
  now_ += 1000000;
  send(1, alice, connect(5000, bob.steam_id, 7));
  auto r = take();
  ASSERT_EQ(r.size(), 1u);
  EXPECT_EQ(r[0].signal.type, SignalType::kOffer);
}

TEST_F(SignalingTest, TablesAreBounded) {
  for (int p = 0; p < 3; ++p) send(2, bob, listen(p));
  send(2, bob, listen(3));  // a fourth: over the per-session bound of 3
  auto r = take();
  ASSERT_EQ(r.size(), 4u);
  EXPECT_EQ(r[3].signal.result, RESULT_LIMIT_EXCEEDED);
  EXPECT_EQ(sig_.registrations(), 3u);
  send(1, alice, connect(1, bob.steam_id, 0));
  send(1, alice, connect(2, bob.steam_id, 1));
  send(1, alice, connect(3, bob.steam_id, 2));  // a third pending attempt: over the bound of 2
  send(1, alice, connect(2, bob.steam_id, 1));  // a duplicate connect id
  r = take();
  ASSERT_EQ(r.size(), 4u);
  EXPECT_EQ(r[2].signal.type, SignalType::kConnectFailed);
  EXPECT_NE(r[2].signal.debug.find("too many"), std::string::npos);
  EXPECT_EQ(r[3].signal.type, SignalType::kConnectFailed);
  EXPECT_EQ(sig_.pendingAttempts(), 2u);
  // Attempts expire; the initiator may try again.
  now_ += 16000000;
  sig_.expire(now_);
  EXPECT_EQ(sig_.pendingAttempts(), 0u);
  send(1, alice, connect(4, bob.steam_id, 2));
  EXPECT_EQ(take()[0].signal.type, SignalType::kOffer);
  // Malformed bytes are dropped and counted.
  std::vector<uint8_t> junk(40, 0xEE);
  sig_.onSignal(1, alice, junk, now_);
  EXPECT_TRUE(take().empty());
  EXPECT_EQ(counter("p2p.malformed"), 1u);
}

TEST_F(SignalingTest, FakeIPsAreUniquePerAppBoundedAndResolveToTheirOwner) {
  Signal req;
  req.type = SignalType::kFakeIPRequest;
  req.port = 3;
  send(2, bob, req);
  auto r = take();
  ASSERT_EQ(r.size(), 1u);
  const Signal& b = r[0].signal;
  EXPECT_EQ(b.type, SignalType::kFakeIPResult);
  EXPECT_EQ(b.result, RESULT_OK);
  EXPECT_EQ(b.peer_steam_id, bob.steam_id);
  EXPECT_EQ(b.fake_ip >> 16, 0xA9FEu);  // 169.254/16
  EXPECT_GE((b.fake_ip >> 8) & 0xFF, 1u);
  EXPECT_LE((b.fake_ip >> 8) & 0xFF, 254u);
  ASSERT_EQ(b.fake_ports.size(), 3u);
  send(2, bob, req);  // the same allocation again
  EXPECT_EQ(take()[0].signal.fake_ip, b.fake_ip);
  send(1, alice, req);
  uint32_t alice_ip = take()[0].signal.fake_ip;
  EXPECT_NE(alice_ip, b.fake_ip);
  send(4, Signaling::Who{steamid::individual(8), 480}, req);  // a third in app 480: over the bound of 2
  EXPECT_EQ(take()[0].signal.result, RESULT_LIMIT_EXCEEDED);
  send(3, carol, req);  // another app has its own space
  EXPECT_EQ(take()[0].signal.result, RESULT_OK);

  send(2, bob, listen(1, p2p::PortKind::kFakeIP));
  take();
  Signal c = connect(7, 0, 0);
  c.port_kind = p2p::PortKind::kFakeIP;
  c.fake_ip = b.fake_ip;
  c.fake_port = b.fake_ports[1];
  send(1, alice, c);
  r = take();
  ASSERT_EQ(r.size(), 1u);
  EXPECT_EQ(r[0].to, 2u);
  EXPECT_EQ(r[0].signal.type, SignalType::kOffer);
  EXPECT_EQ(r[0].signal.port, 1);            // the index of that port
  EXPECT_EQ(r[0].signal.fake_ip, alice_ip);  // the initiator's global FakeIP rides along
  // A FakeIP of another app is unknown here.
  c.connect_id = 8;
  send(3, carol, c);
  EXPECT_EQ(take()[0].signal.type, SignalType::kConnectFailed);
  // The owner leaves: its FakeIP is freed and the initiator of a pending attempt is told.
  sig_.disconnected(2);
  r = take();
  ASSERT_EQ(r.size(), 1u);
  EXPECT_EQ(r[0].to, 1u);
  EXPECT_EQ(r[0].signal.type, SignalType::kCancel);
  EXPECT_EQ(sig_.registrations(), 0u);
  c.connect_id = 9;
  send(1, alice, c);
  EXPECT_EQ(take()[0].signal.type, SignalType::kConnectFailed);
}

}  // namespace
}  // namespace outpost::hub
