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
  ByteWriter w(out, kProbeBytes);
  w.u8(p.response ? kProbeResponse : kProbeRequest);
  w.u8(kProbeVersion);
  w.u64(p.connect_id);
  w.u32(p.transaction);
  w.u32(p.client_connection_id);
  w.u8(p.from_initiator ? kProbeFromInitiator : 0);
  crypto::mac16(receiver_key, {out, 19}, out + 19);
  return kProbeBytes;
}

std::optional<Probe> readProbe(std::span<const uint8_t> d, ProbeDrop* why) {
  auto fail = [&](ProbeDrop r) -> std::optional<Probe> {
    if (why) *why = r;
    return std::nullopt;
  };
  if (d.size() != kProbeBytes || (d[0] != kProbeRequest && d[0] != kProbeResponse)) return fail(ProbeDrop::kBadLength);
  ByteReader r(d);
  Probe p;
  p.response = r.u8() == kProbeResponse;
  if (r.u8() != kProbeVersion) return fail(ProbeDrop::kBadVersion);
  p.connect_id = r.u64();
  p.transaction = r.u32();
  p.client_connection_id = r.u32();
  uint8_t flags = r.u8();
  if (flags & ~kProbeFromInitiator) return fail(ProbeDrop::kBadRole);
  p.from_initiator = flags & kProbeFromInitiator;
  if (why) *why = ProbeDrop::kNone;
  return p;
}

bool verifyProbe(std::span<const uint8_t> d, const CheckKey& own_key) {
  if (d.size() != kProbeBytes) return false;
  uint8_t mac[16];
  crypto::mac16(own_key, d.first(19), mac);
  return crypto::equal16(mac, d.data() + 19);
}

}  // namespace outpost::p2p
