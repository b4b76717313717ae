// Probe codec (see probe.h).
#include "p2p/probe.h"

#include "base/bytes.h"
#include "crypto/crypto.h"

namespace outpost::p2p {

const char* probeDropName(ProbeDrop d) {
  switch (d) {
    case ProbeDrop::kNone: return "none";
    case ProbeDrop::kBadLength: return "bad_length";
    case ProbeDrop::kBadVersion: return "bad_version";
    case ProbeDrop::kUnknownAttempt: return "unknown_attempt";
    case ProbeDrop::kBadMac: return "bad_mac";
    case ProbeDrop::kBadRole: return "bad_role";
    case ProbeDrop::kStale: return "stale";
    case ProbeDrop::kCount: break;
  }
  return "?";
}

size_t writeProbe(const Probe& p, const CheckKey& receiver_key, uint8_t* out) {
  bool cookie = p.response && p.has_cookie;
  size_t total = cookie ? kProbeWithCookieBytes : kProbeBytes;
  base::ByteWriter w(out, total);
  w.u8(p.response ? kProbeResponse : kProbeRequest);
  w.u8(kProbeVersion);
  w.u64(p.connect_id);
  w.u32(p.transaction);
  w.u32(p.client_connection_id);
  w.u8(static_cast<uint8_t>((p.from_initiator ? kProbeFromInitiator : 0) | (cookie ? kProbeHasCookie : 0)));
  if (cookie) {
    w.u32(p.cookie_window);
    w.bytes(p.cookie_mac.data(), p.cookie_mac.size());
  }
  crypto::mac16(receiver_key, {out, total - 16}, out + total - 16);
  return total;
}

std::optional<Probe> readProbe(std::span<const uint8_t> d, ProbeDrop* why) {
  auto fail = [&](ProbeDrop r) -> std::optional<Probe> {
    if (why) *why = r;
    return std::nullopt;
  };
  if ((d.size() != kProbeBytes && d.size() != kProbeWithCookieBytes) ||
      (d[0] != kProbeRequest && d[0] != kProbeResponse))
    return fail(ProbeDrop::kBadLength);
  base::ByteReader r(d);
  Probe p;
  p.response = r.u8() == kProbeResponse;
  if (r.u8() != kProbeVersion) return fail(ProbeDrop::kBadVersion);
  p.connect_id = r.u64();
  p.transaction = r.u32();
  p.client_connection_id = r.u32();
  uint8_t flags = r.u8();
  if (flags & ~(kProbeFromInitiator | kProbeHasCookie)) return fail(ProbeDrop::kBadRole);
  p.from_initiator = flags & kProbeFromInitiator;
  p.has_cookie = flags & kProbeHasCookie;
  // Only a response may carry a cookie, and the length must say whether it does.
  if ((p.has_cookie && !p.response) || (d.size() == kProbeWithCookieBytes) != p.has_cookie)
    return fail(ProbeDrop::kBadLength);
  if (p.has_cookie) {
    p.cookie_window = r.u32();
    r.copy(p.cookie_mac.data(), p.cookie_mac.size());
  }
  if (why) *why = ProbeDrop::kNone;
  return p;
}

bool verifyProbe(std::span<const uint8_t> d, const CheckKey& own_key) {
  if (d.size() != kProbeBytes && d.size() != kProbeWithCookieBytes) return false;
  uint8_t mac[16];
  crypto::mac16(own_key, d.first(d.size() - 16), mac);
  return crypto::equal16(mac, d.data() + d.size() - 16);
}

}  // namespace outpost::p2p
