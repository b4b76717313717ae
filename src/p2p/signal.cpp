// Signal codec (see signal.h; docs/spec/signaling.md §4 for the byte table and drop order).
#include "p2p/signal.h"

#include <arpa/inet.h>

#include <cstring>

#include "base/bytes.h"

namespace outpost::p2p {

const char* signalName(SignalType t) {
  switch (t) {
    case SignalType::kPresent: return "present";
    case SignalType::kListen: return "listen";
    case SignalType::kUnlisten: return "unlisten";
    case SignalType::kListenResult: return "listen_result";
    case SignalType::kConnect: return "connect";
    case SignalType::kOffer: return "offer";
    case SignalType::kAnswer: return "answer";
    case SignalType::kCancel: return "cancel";
    case SignalType::kConnectFailed: return "connect_failed";
    case SignalType::kFakeIPRequest: return "fake_ip_request";
    case SignalType::kFakeIPResult: return "fake_ip_result";
  }
  return "?";
}

const char* signalDropName(SignalDrop d) {
  switch (d) {
    case SignalDrop::kNone: return "none";
    case SignalDrop::kTooShort: return "too_short";
    case SignalDrop::kBadVersion: return "bad_version";
    case SignalDrop::kBadType: return "bad_type";
    case SignalDrop::kBadDebug: return "bad_debug";
    case SignalDrop::kBadKey: return "bad_key";
    case SignalDrop::kBadCandidate: return "bad_candidate";
    case SignalDrop::kBadFakePorts: return "bad_fake_ports";
    case SignalDrop::kTrailingBytes: return "trailing_bytes";
    case SignalDrop::kCount: break;
  }
  return "?";
}

std::vector<uint8_t> encodeSignal(const Signal& s) {
  size_t debug_len = std::min(s.debug.size(), kMaxDebugBytes);
  size_t ncand = std::min(s.candidates.size(), kMaxCandidates);
  size_t nports = std::min(s.fake_ports.size(), kMaxFakePorts);
  std::vector<uint8_t> out(kMinSignalBytes + debug_len + 1 + kCheckKeyBytes + 1 + ncand * 20 + 1 + nports * 2);
  base::ByteWriter w(out.data(), out.size());
  w.u8(kSignalVersion);
  w.u8(static_cast<uint8_t>(s.type));
  w.u64(s.connect_id);
  w.u64(s.peer_steam_id);
  w.u8(static_cast<uint8_t>(s.port_kind));
  w.u32(static_cast<uint32_t>(s.port));
  w.u32(s.fake_ip);
  w.u16(s.fake_port);
  w.u32(static_cast<uint32_t>(s.result));
  w.u8(static_cast<uint8_t>(debug_len));
  w.bytes(s.debug.data(), debug_len);
  w.u8(s.key ? 1 : 0);
  if (s.key) w.bytes(s.key->data(), kCheckKeyBytes);
  w.u8(static_cast<uint8_t>(ncand));
  for (size_t i = 0; i < ncand; ++i) {
    const Candidate& c = s.candidates[i];
    uint8_t ip[16];
    c.address.ip16(ip);
    w.u8(static_cast<uint8_t>(c.kind));
    if (c.address.isV6()) {
      w.u8(6);
      w.bytes(ip, 16);
    } else {
      w.u8(4);
      w.bytes(ip + 12, 4);
    }
    w.u16(c.address.port());
  }
  w.u8(static_cast<uint8_t>(nports));
  for (size_t i = 0; i < nports; ++i) w.u16(s.fake_ports[i]);
  out.resize(w.size());
  return out;
}

std::optional<Signal> decodeSignal(std::span<const uint8_t> bytes, SignalDrop* why) {
  auto fail = [&](SignalDrop d) -> std::optional<Signal> {
    if (why) *why = d;
    return std::nullopt;
  };
  if (bytes.size() < kMinSignalBytes) return fail(SignalDrop::kTooShort);
  base::ByteReader r(bytes);
  if (r.u8() != kSignalVersion) return fail(SignalDrop::kBadVersion);
  uint8_t type = r.u8();
  if (type < 1 || type > 11) return fail(SignalDrop::kBadType);
  Signal s;
  s.type = static_cast<SignalType>(type);
  s.connect_id = r.u64();
  s.peer_steam_id = r.u64();
  uint8_t kind = r.u8();
  if (kind > 1) return fail(SignalDrop::kBadType);
  s.port_kind = static_cast<PortKind>(kind);
  s.port = static_cast<int32_t>(r.u32());
  s.fake_ip = r.u32();
  s.fake_port = r.u16();
  s.result = static_cast<int32_t>(r.u32());
  size_t debug_len = r.u8();
  if (debug_len > kMaxDebugBytes) return fail(SignalDrop::kBadDebug);
  auto debug = r.bytes(debug_len);
  if (!r.ok()) return fail(SignalDrop::kBadDebug);
  s.debug.assign(reinterpret_cast<const char*>(debug.data()), debug.size());
  uint8_t has_key = r.u8();
  if (!r.ok() || has_key > 1) return fail(SignalDrop::kBadKey);
  if (has_key) {
    CheckKey k{};
    r.copy(k.data(), k.size());
    if (!r.ok()) return fail(SignalDrop::kBadKey);
    s.key = k;
  }
  size_t ncand = r.u8();
  if (!r.ok() || ncand > kMaxCandidates) return fail(SignalDrop::kBadCandidate);
  for (size_t i = 0; i < ncand; ++i) {
    uint8_t ck = r.u8();
    uint8_t family = r.u8();
    if (!r.ok() || ck > static_cast<uint8_t>(CandidateKind::kRelay) || (family != 4 && family != 6))
      return fail(SignalDrop::kBadCandidate);
    Candidate c;
    c.kind = static_cast<CandidateKind>(ck);
    if (family == 4) {
      uint8_t ip[4];
      r.copy(ip, 4);
      uint16_t port = r.u16();
      uint32_t host = uint32_t{ip[0]} << 24 | uint32_t{ip[1]} << 16 | uint32_t{ip[2]} << 8 | ip[3];
      c.address = base::SocketAddress::ipv4(host, port);
    } else {
      sockaddr_in6 sa{};
      sa.sin6_family = AF_INET6;
      r.copy(sa.sin6_addr.s6_addr, 16);
      sa.sin6_port = htons(r.u16());
      c.address = base::SocketAddress::fromSockaddr(reinterpret_cast<const sockaddr*>(&sa), sizeof sa);
    }
    // An IPv4-mapped IPv6 address is written as family 4 (one encoding per address).
    if (!r.ok() || !acceptableCandidateAddress(c.address) || (family == 6 && !c.address.isV6()))
      return fail(SignalDrop::kBadCandidate);
    s.candidates.push_back(c);
  }
  size_t nports = r.u8();
  if (!r.ok() || nports > kMaxFakePorts) return fail(SignalDrop::kBadFakePorts);
  for (size_t i = 0; i < nports; ++i) {
    uint16_t p = r.u16();
    if (!r.ok() || p == 0) return fail(SignalDrop::kBadFakePorts);
    s.fake_ports.push_back(p);
  }
  if (!r.atEnd()) return fail(SignalDrop::kTrailingBytes);
  if (why) *why = SignalDrop::kNone;
  return s;
}

}  // namespace outpost::p2p
