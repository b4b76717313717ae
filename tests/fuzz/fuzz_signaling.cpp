// libFuzzer target for P2P signaling (docs/spec/signaling.md): the first byte picks what the rest
// feeds.
//  0: decodeSignal (src/p2p/signal.h). An accepted message re-encodes to the same bytes (one
//     encoding per message); a refused one names a reason.
//  1: the hub's Signaling (src/hub/signaling.h) fed a stream of messages from four sessions
//     (three of app 480, one of app 481), each prefixed by a sender byte and a length byte, with a
//     clock advanced by the sender byte. Everything the hub sends decodes; nothing crosses apps; an
//     Answer or Cancel reaches only a session that is a party to that attempt (it sent the Connect,
//     or was sent the Offer); the tables stay within their bounds.
//  2: STUN (src/stun/stun.h): a parsed Binding request is answered with at most kMaxResponseBytes,
//     and the answer parses back to the observed address and the request's transaction.
//  3: probes (src/p2p/probe.h): a parsed probe re-encodes to the same 19 header bytes, and a probe
//     MAC'd with a key verifies with that key only.
#include <cstdint>
#include <cstring>
#include <map>
#include <set>
#include <vector>

#include "fuzz_check.h"
#include "hub/signaling.h"
#include "p2p/probe.h"
#include "p2p/signal.h"
#include "stun/stun.h"

using namespace outpost;

namespace {

void decodeOnly(std::span<const uint8_t> in) {
  p2p::SignalDrop why = p2p::SignalDrop::kNone;
  auto s = p2p::decodeSignal(in, &why);
  if (!s) {
    FUZZ_CHECK(why != p2p::SignalDrop::kNone);
    return;
  }
  auto again = p2p::encodeSignal(*s);
  FUZZ_CHECK(again.size() == in.size() && std::memcmp(again.data(), in.data(), in.size()) == 0);
}

void hubMode(std::span<const uint8_t> in) {
  const hub::Signaling::Who who[4] = {{76561197960265729ULL, 480},
                                      {76561197960265730ULL, 480},
                                      {76561197960265731ULL, 480},
                                      {76561197960265732ULL, 481}};
  hub::SignalingLimits limits;
  limits.registrations_per_session = 4;
  limits.pending_per_initiator = 3;
  limits.fake_ips_per_app = 3;
  std::set<std::pair<uint32_t, uint64_t>> parties;  // (connection, connect id) it may hear about
  std::vector<std::pair<uint32_t, p2p::Signal>> sent;
  hub::Signaling sig(
      [&](uint32_t c, const std::vector<uint8_t>& b) {
        auto s = p2p::decodeSignal(b, nullptr);
        FUZZ_CHECK(s.has_value());
        FUZZ_CHECK(c >= 1 && c <= 4);
        sent.push_back({c, *s});
      },
      limits, 1);
  base::TimeUs now = 1000000000;
  size_t pos = 0;
  while (pos + 2 <= in.size()) {
    uint8_t sender = in[pos];
    size_t len = in[pos + 1];
    pos += 2;
    if (len > in.size() - pos) len = in.size() - pos;
    std::span<const uint8_t> msg = in.subspan(pos, len);
    pos += len;
    now += base::TimeUs{sender} * 10000;
    uint32_t conn = 1 + (sender & 3);
    if (sender & 0x80) {
      sig.disconnected(conn);
      continue;
    }
    if (auto s = p2p::decodeSignal(msg, nullptr); s && s->type == p2p::SignalType::kConnect)
      parties.insert({conn, s->connect_id});
    sent.clear();
    sig.onSignal(conn, (sender & 0x40) ? std::nullopt : std::optional<hub::Signaling::Who>(who[conn - 1]), msg, now);
    for (const auto& [to, s] : sent) {
      if (s.type == p2p::SignalType::kOffer) {
        FUZZ_CHECK(who[to - 1].app_id == who[conn - 1].app_id);  // never across apps
        parties.insert({to, s.connect_id});
      }
      if (s.type == p2p::SignalType::kAnswer || s.type == p2p::SignalType::kCancel)
        FUZZ_CHECK(parties.count({to, s.connect_id}));  // only a party of the attempt hears of it
    }
    FUZZ_CHECK(sig.registrations() <= 4 * 4);
    FUZZ_CHECK(sig.pendingAttempts() <= 4 * 3);
    FUZZ_CHECK(sig.fakeIPs() <= 4);
  }
}

void stunMode(std::span<const uint8_t> in) {
  stun::Drop why = stun::Drop::kNone;
  auto m = stun::parse(in, &why);
  if (!m) {
    FUZZ_CHECK(why != stun::Drop::kNone);
    return;
  }
  if (m->type != stun::kBindingRequest) return;
  auto observed = base::SocketAddress::ipv4(0xC6336407, 40000);
  uint8_t out[stun::kMaxResponseBytes];
  size_t n = stun::writeBindingResponse(*m, observed, out);
  FUZZ_CHECK(n <= stun::kMaxResponseBytes);
  auto r = stun::parse({out, n}, &why);
  FUZZ_CHECK(r && r->mapped && *r->mapped == observed && r->transaction == m->transaction);
}

void probeMode(std::span<const uint8_t> in) {
  p2p::ProbeDrop why = p2p::ProbeDrop::kNone;
  auto p = p2p::readProbe(in, &why);
  if (!p) return;
  p2p::CheckKey k{};
  k[0] = 1;
  uint8_t buf[p2p::kProbeBytes];
  p2p::writeProbe(*p, k, buf);
  FUZZ_CHECK(std::memcmp(buf, in.data(), 19) == 0);
  FUZZ_CHECK(p2p::verifyProbe(buf, k));
  k[0] = 2;
  FUZZ_CHECK(!p2p::verifyProbe(buf, k));
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  std::span<const uint8_t> rest(data + 1, size - 1);
  switch (data[0] & 3) {
    case 0: decodeOnly(rest); break;
    case 1: hubMode(rest); break;
    case 2: stunMode(rest); break;
    case 3: probeMode(rest); break;
  }
  return 0;
}
