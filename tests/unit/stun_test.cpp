// Unit: the STUN codec (src/stun; docs/spec/signaling.md §3) — an RFC 8489 request and its answer
// with XOR-MAPPED-ADDRESS (IPv4 and IPv6) and FINGERPRINT, the RFC 3489 form with MAPPED-ADDRESS,
// the ordered drop checks; the amplification limiter; and the P2P signal and probe codecs
// (src/p2p): round trips and the drops of §4 and §7.1.
#include <gtest/gtest.h>

#include "p2p/probe.h"
#include "p2p/signal.h"
#include "stun/limiter.h"
#include "stun/stun.h"

namespace outpost {
namespace {

TEST(Stun, RequestAndXorMappedAnswerRoundTripForIpv4AndIpv6) {
  std::array<uint8_t, 12> txn{9, 8, 7, 6, 5, 4, 3, 2, 1, 0, 1, 2};
  uint8_t req[64];
  size_t n = stun::writeBindingRequest(txn, req);
  EXPECT_EQ(n, 28u);
  ASSERT_TRUE(stun::looksLikeStun({req, n}));
  stun::Drop why;
  auto m = stun::parse({req, n}, &why);
  ASSERT_TRUE(m);
  EXPECT_EQ(m->type, stun::kBindingRequest);
  EXPECT_TRUE(m->has_fingerprint);
  EXPECT_FALSE(m->rfc3489);
  for (auto addr : {base::SocketAddress::parse("203.0.113.7:40000", true),
                    base::SocketAddress::parse("[2001:db8::5]:1234", true)}) {
    uint8_t out[stun::kMaxResponseBytes];
    size_t len = stun::writeBindingResponse(*m, *addr, out);
    EXPECT_EQ(len, addr->isV6() ? 52u : 40u);
    auto r = stun::parse({out, len}, &why);
    ASSERT_TRUE(r) << stun::dropName(why);
    EXPECT_EQ(r->type, stun::kBindingSuccess);
    ASSERT_TRUE(r->mapped);
    EXPECT_EQ(*r->mapped, *addr);
    EXPECT_EQ(r->transaction, m->transaction);
    // The XOR really is applied: the plain port is not on the wire.
    uint16_t wire_port = static_cast<uint16_t>(out[26] << 8 | out[27]);
    EXPECT_NE(wire_port, addr->port());
  }
}

TEST(Stun, Rfc3489RequestsGetMappedAddress) {
  uint8_t req[28] = {0x00, 0x01, 0x00, 0x08};
  for (int i = 4; i < 20; ++i) req[i] = static_cast<uint8_t>(i);   // no magic cookie
  req[20] = 0x00, req[21] = 0x03, req[22] = 0x00, req[23] = 0x04;  // CHANGE-REQUEST (ignored)
  stun::Drop why;
  auto m = stun::parse(req, &why);
  ASSERT_TRUE(m);
  EXPECT_TRUE(m->rfc3489);
  uint8_t out[stun::kMaxResponseBytes];
  size_t len = stun::writeBindingResponse(*m, *base::SocketAddress::parse("10.1.2.3:5000", true), out);
  EXPECT_EQ(len, 32u);  // MAPPED-ADDRESS only
  EXPECT_EQ(out[20] << 8 | out[21], stun::kAttrMappedAddress);
  EXPECT_EQ(out[26] << 8 | out[27], 5000);
  EXPECT_EQ(out[28], 10);
}

TEST(Stun, DropChecksInOrder) {
  std::array<uint8_t, 12> txn{};
  uint8_t req[64];
  size_t n = stun::writeBindingRequest(txn, req);
  stun::Drop why;
  EXPECT_FALSE(stun::parse({req, 19}, &why));
  EXPECT_EQ(why, stun::Drop::kTooShort);
  std::vector<uint8_t> v(req, req + n);
  v[0] |= 0x80;
  EXPECT_FALSE(stun::parse(v, &why));
  EXPECT_EQ(why, stun::Drop::kNotStun);
  v.assign(req, req + n);
  v[27] ^= 1;  // the fingerprint
  EXPECT_FALSE(stun::parse(v, &why));
  EXPECT_EQ(why, stun::Drop::kBadFingerprint);
  v.assign(req, req + n);
  v[23] = 40;  // an attribute running past the end
  EXPECT_FALSE(stun::parse(v, &why));
  EXPECT_EQ(why, stun::Drop::kBadAttribute);
  // A transport Hello is never STUN.
  std::vector<uint8_t> hello(64, 0);
  hello[0] = 1, hello[1] = 1, hello[2] = 0x42;
  EXPECT_FALSE(stun::looksLikeStun(hello));
}

TEST(Stun, LimiterBoundsTheExcessPerPrefixAndNeverLimitsSmallerAnswers) {
  stun::StunLimiter lim;
  auto a = *base::SocketAddress::parse("198.51.100.7:1000", true);
  auto same_prefix = *base::SocketAddress::parse("198.51.100.99:1000", true);
  auto other = *base::SocketAddress::parse("192.0.2.1:1000", true);
  base::TimeUs t = 1000000000;
  int allowed = 0;
  for (int i = 0; i < 200; ++i) allowed += lim.allow(i % 2 ? a : same_prefix, 20, 52, t);
  EXPECT_EQ(allowed, 2048 / 32);                   // one second's worth of 32-byte excess for the /24
  EXPECT_TRUE(lim.allow(other, 20, 52, t));        // another prefix has its own bucket
  EXPECT_TRUE(lim.allow(a, 60, 52, t));            // no excess: never limited
  EXPECT_TRUE(lim.allow(a, 20, 52, t + 1000000));  // refilled
}

TEST(P2PCodec, SignalRoundTripAndDrops) {
  p2p::Signal s;
  s.type = p2p::SignalType::kOffer;
  s.connect_id = 0x1122334455667788ULL;
  s.peer_steam_id = 76561197960265729ULL;
  s.port_kind = p2p::PortKind::kFakeIP;
  s.port = 3;
  s.fake_ip = 0xA9FE0102;
  s.fake_port = 4000;
  s.result = 5009;
  s.debug = "why";
  s.key = p2p::CheckKey{};
  (*s.key)[5] = 7;
  s.candidates.push_back({p2p::CandidateKind::kHost, *base::SocketAddress::parse("192.168.1.2:5000", true)});
  s.candidates.push_back(
      {p2p::CandidateKind::kServerReflexive, *base::SocketAddress::parse("[2001:db8::1]:6000", true)});
  s.fake_ports = {4000, 4001};
  auto bytes = p2p::encodeSignal(s);
  p2p::SignalDrop why;
  auto d = p2p::decodeSignal(bytes, &why);
  ASSERT_TRUE(d) << p2p::signalDropName(why);
  EXPECT_EQ(p2p::encodeSignal(*d), bytes);
  EXPECT_EQ(d->candidates, s.candidates);
  EXPECT_EQ(d->fake_ports, s.fake_ports);
  EXPECT_EQ(*d->key, *s.key);
  auto bad = bytes;
  bad.push_back(0);
  EXPECT_FALSE(p2p::decodeSignal(bad, &why));
  EXPECT_EQ(why, p2p::SignalDrop::kTrailingBytes);
  bad = bytes;
  bad[1] = 12;
  EXPECT_FALSE(p2p::decodeSignal(bad, &why));
  EXPECT_EQ(why, p2p::SignalDrop::kBadType);
  // A multicast candidate is refused.
  s.candidates = {{p2p::CandidateKind::kHost, *base::SocketAddress::parse("224.0.0.1:5000", true)}};
  EXPECT_FALSE(p2p::decodeSignal(p2p::encodeSignal(s), &why));
  EXPECT_EQ(why, p2p::SignalDrop::kBadCandidate);
}

TEST(P2PCodec, ProbesAreMacdWithTheReceiversKeyAndKeepTheirSize) {
  p2p::CheckKey mine{}, theirs{};
  mine[0] = 1;
  theirs[0] = 2;
  p2p::Probe p;
  p.connect_id = 42;
  p.transaction = 7;
  p.client_connection_id = 99;
  p.from_initiator = true;
  uint8_t buf[p2p::kProbeBytes];
  ASSERT_EQ(p2p::writeProbe(p, theirs, buf), p2p::kProbeBytes);
  EXPECT_FALSE(stun::looksLikeStun(buf));
  p2p::ProbeDrop why;
  auto r = p2p::readProbe(buf, &why);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->client_connection_id, 99u);
  EXPECT_TRUE(p2p::verifyProbe(buf, theirs));
  EXPECT_FALSE(p2p::verifyProbe(buf, mine));
  buf[12] ^= 1;
  EXPECT_FALSE(p2p::verifyProbe(buf, theirs));
}

}  // namespace
}  // namespace outpost
