// Encoders and parsers for the handshake packets and the data header (see wire.h and
// docs/spec/transport.md). Data-plane code: no allocation, no exceptions, no asserts on input.
#include "transport/wire.h"

#include <cstring>

#include "base/bytes.h"

namespace outpost::transport::wire {

namespace {

constexpr char kConnectDomain[] = "outpost transport v1 connect";
constexpr char kAcceptDomain[] = "outpost transport v1 accept";

template <typename T>
std::optional<T> fail(DropReason* why, DropReason r) {
  if (why) *why = r;
  return std::nullopt;
}

bool checkType(std::span<const uint8_t> in, PacketType t, size_t min, DropReason* why) {
  if (in.size() < min) {
    if (why) *why = DropReason::kTooShort;
    return false;
  }
  if (in[0] != static_cast<uint8_t>(t)) {
    if (why) *why = DropReason::kUnknownType;
    return false;
  }
  return true;
}

void writeCookie(base::ByteWriter& w, const Cookie& c) {
  w.u32(c.window);
  w.bytes(c.mac.data(), c.mac.size());
}

void readCookie(base::ByteReader& r, Cookie& c) {
  c.window = r.u32();
  r.copy(c.mac.data(), c.mac.size());
}

}  // namespace

const char* dropReasonName(DropReason r) {
  switch (r) {
    case DropReason::kNone: return "none";
    case DropReason::kTooShort: return "too_short";
    case DropReason::kUnknownType: return "unknown_type";
    case DropReason::kBadVersion: return "bad_version";
    case DropReason::kMalformed: return "malformed";
    case DropReason::kTrailingBytes: return "trailing_bytes";
    case DropReason::kBadCookie: return "bad_cookie";
    case DropReason::kBadSignature: return "bad_signature";
    case DropReason::kUnknownConnection: return "unknown_connection";
    case DropReason::kWrongAddress: return "wrong_address";
    case DropReason::kDecryptFailed: return "decrypt_failed";
    case DropReason::kDuplicate: return "duplicate";
    case DropReason::kTooOld: return "too_old";
    case DropReason::kBadFrame: return "bad_frame";
    case DropReason::kNoListener: return "no_listener";
    case DropReason::kNotReady: return "not_ready";
    case DropReason::kConnectionLimit: return "connection_limit";
    case DropReason::kOverBudget: return "over_budget";
    case DropReason::kCount: break;
  }
  return "?";
}

size_t writeHello(const Hello& h, uint8_t* out) {
  base::ByteWriter w(out, kHelloSize);
  w.u8(static_cast<uint8_t>(PacketType::kHello));
  w.u8(h.version);
  w.u32(h.client_connection_id);
  w.zeros(kHelloSize - w.size());
  return w.size();
}

std::optional<Hello> parseHello(std::span<const uint8_t> in, DropReason* why) {
  // Drop a Hello shorter than the padded size: the Challenge must never be larger than the
  // request (no amplification towards a spoofed source).
  if (!checkType(in, PacketType::kHello, kHelloSize, why)) return std::nullopt;
  base::ByteReader r(in.subspan(1));
  Hello h;
  h.version = r.u8();
  h.client_connection_id = r.u32();
  if (h.version != kProtocolVersion) return fail<Hello>(why, DropReason::kBadVersion);
  if (h.client_connection_id == 0) return fail<Hello>(why, DropReason::kMalformed);
  return h;
}

size_t writeVersionMismatch(std::span<const uint8_t> hello, uint8_t* out) {
  if (hello.size() < 6) return 0;
  base::ByteWriter w(out, kVersionMismatchSize);
  w.u8(static_cast<uint8_t>(PacketType::kVersionMismatch));
  w.u8(kProtocolVersion);
  w.bytes(hello.data() + 2, 4);  // the client's connection id, as it sent it
  return w.size();
}

std::optional<VersionMismatch> parseVersionMismatch(std::span<const uint8_t> in, DropReason* why) {
  if (!checkType(in, PacketType::kVersionMismatch, kVersionMismatchSize, why)) return std::nullopt;
  if (in.size() != kVersionMismatchSize) return fail<VersionMismatch>(why, DropReason::kTrailingBytes);
  base::ByteReader r(in.subspan(1));
  VersionMismatch v;
  v.server_version = r.u8();
  v.client_connection_id = r.u32();
  if (v.server_version == kProtocolVersion) return fail<VersionMismatch>(why, DropReason::kMalformed);
  return v;
}

size_t writeChallenge(const Challenge& c, uint8_t* out) {
  base::ByteWriter w(out, kChallengeSize);
  w.u8(static_cast<uint8_t>(PacketType::kChallenge));
  w.u32(c.client_connection_id);
  writeCookie(w, c.cookie);
  return w.size();
}

std::optional<Challenge> parseChallenge(std::span<const uint8_t> in, DropReason* why) {
  if (!checkType(in, PacketType::kChallenge, kChallengeSize, why)) return std::nullopt;
  if (in.size() != kChallengeSize) return fail<Challenge>(why, DropReason::kTrailingBytes);
  base::ByteReader r(in.subspan(1));
  Challenge c;
  c.client_connection_id = r.u32();
  readCookie(r, c.cookie);
  return c;
}

size_t writeConnectUnsigned(const Connect& c, uint8_t* out, size_t capacity) {
  if (c.certificate.size() > kMaxCertBytes) return 0;  // the parser would refuse it
  base::ByteWriter w(out, capacity);
  w.u8(static_cast<uint8_t>(PacketType::kConnect));
  w.u8(c.version);
  w.u8(c.cipher_mask);
  w.u8(c.unencrypted_mode);
  w.u32(c.client_connection_id);
  writeCookie(w, c.cookie);
  w.bytes(c.kx_public.data(), 32);
  w.bytes(c.identity_public.data(), 32);
  w.u64(c.claimed_steam_id);
  w.u16(static_cast<uint16_t>(c.certificate.size()));
  w.bytes(c.certificate.data(), c.certificate.size());
  return w.ok() ? w.size() : 0;
}

std::optional<Connect> parseConnect(std::span<const uint8_t> in, DropReason* why) {
  if (!checkType(in, PacketType::kConnect, 8, why)) return std::nullopt;
  base::ByteReader r(in.subspan(1));
  Connect c;
  c.version = r.u8();
  if (c.version != kProtocolVersion) return fail<Connect>(why, DropReason::kBadVersion);
  c.cipher_mask = r.u8();
  c.unencrypted_mode = r.u8();
  c.client_connection_id = r.u32();
  readCookie(r, c.cookie);
  r.copy(c.kx_public.data(), 32);
  r.copy(c.identity_public.data(), 32);
  c.claimed_steam_id = r.u64();
  uint16_t cert_len = r.u16();
  if (!r.ok()) return fail<Connect>(why, DropReason::kTooShort);
  if (cert_len > kMaxCertBytes) return fail<Connect>(why, DropReason::kMalformed);
  c.certificate = r.bytes(cert_len);
  c.signed_length = 1 + r.position();
  r.copy(c.signature.data(), 64);
  if (!r.ok()) return fail<Connect>(why, DropReason::kTooShort);
  if (!r.atEnd()) return fail<Connect>(why, DropReason::kTrailingBytes);
  if (c.client_connection_id == 0 || c.unencrypted_mode > 3) return fail<Connect>(why, DropReason::kMalformed);
  return c;
}

size_t writeAcceptUnsigned(const Accept& a, uint8_t* out, size_t capacity) {
  if (a.certificate.size() > kMaxCertBytes) return 0;  // the parser would refuse it
  base::ByteWriter w(out, capacity);
  w.u8(static_cast<uint8_t>(PacketType::kAccept));
  w.u8(a.version);
  w.u8(a.flags);
  w.u8(a.cipher);
  w.u32(a.client_connection_id);
  w.u32(a.server_connection_id);
  w.bytes(a.kx_public.data(), 32);
  w.bytes(a.identity_public.data(), 32);
  w.u64(a.claimed_steam_id);
  if (a.flags & kAcceptRejected) {
    size_t n = a.reject_debug.size() < kMaxRejectDebug ? a.reject_debug.size() : kMaxRejectDebug;
    w.u32(a.reject_reason);
    w.u8(static_cast<uint8_t>(n));
    w.bytes(a.reject_debug.data(), n);
  }
  w.u16(static_cast<uint16_t>(a.certificate.size()));
  w.bytes(a.certificate.data(), a.certificate.size());
  return w.ok() ? w.size() : 0;
}

std::optional<Accept> parseAccept(std::span<const uint8_t> in, DropReason* why) {
  if (!checkType(in, PacketType::kAccept, 8, why)) return std::nullopt;
  base::ByteReader r(in.subspan(1));
  Accept a;
  a.version = r.u8();
  if (a.version != kProtocolVersion) return fail<Accept>(why, DropReason::kBadVersion);
  a.flags = r.u8();
  a.cipher = r.u8();
  a.client_connection_id = r.u32();
  a.server_connection_id = r.u32();
  r.copy(a.kx_public.data(), 32);
  r.copy(a.identity_public.data(), 32);
  a.claimed_steam_id = r.u64();
  if (a.flags & kAcceptRejected) {
    a.reject_reason = r.u32();
    uint8_t n = r.u8();
    if (n > kMaxRejectDebug) return fail<Accept>(why, DropReason::kMalformed);
    auto s = r.bytes(n);
    if (r.ok()) a.reject_debug.assign(reinterpret_cast<const char*>(s.data()), s.size());
  }
  uint16_t cert_len = r.u16();
  if (!r.ok()) return fail<Accept>(why, DropReason::kTooShort);
  if (cert_len > kMaxCertBytes) return fail<Accept>(why, DropReason::kMalformed);
  a.certificate = r.bytes(cert_len);
  a.signed_length = 1 + r.position();
  r.copy(a.signature.data(), 64);
  if (!r.ok()) return fail<Accept>(why, DropReason::kTooShort);
  if (!r.atEnd()) return fail<Accept>(why, DropReason::kTrailingBytes);
  if ((a.flags & ~kAcceptRejected) != 0 || a.cipher > 2) return fail<Accept>(why, DropReason::kMalformed);
  if (!(a.flags & kAcceptRejected) && a.server_connection_id == 0) return fail<Accept>(why, DropReason::kMalformed);
  return a;
}

size_t acceptSignedMessage(std::span<const uint8_t, 32> client_kx_public, std::span<const uint8_t> accept_unsigned,
                           uint8_t* out, size_t capacity) {
  base::ByteWriter w(out, capacity);
  w.bytes(kAcceptDomain, sizeof kAcceptDomain);
  w.bytes(client_kx_public.data(), 32);
  w.bytes(accept_unsigned.data(), accept_unsigned.size());
  return w.ok() ? w.size() : 0;
}

size_t connectSignedMessage(std::span<const uint8_t> connect_unsigned, uint8_t* out, size_t capacity) {
  base::ByteWriter w(out, capacity);
  w.bytes(kConnectDomain, sizeof kConnectDomain);
  w.bytes(connect_unsigned.data(), connect_unsigned.size());
  return w.ok() ? w.size() : 0;
}

void writeDataHeader(const DataHeader& h, uint8_t* out) {
  base::ByteWriter w(out, kDataHeaderSize);
  w.u8(static_cast<uint8_t>(PacketType::kData));
  w.u32(h.connection_id);
  w.u32(h.packet_number_low);
}

std::optional<DataHeader> parseDataHeader(std::span<const uint8_t> in, DropReason* why) {
  if (!checkType(in, PacketType::kData, kDataHeaderSize, why)) return std::nullopt;
  base::ByteReader r(in.subspan(1));
  DataHeader h;
  h.connection_id = r.u32();
  h.packet_number_low = r.u32();
  return h;
}

uint64_t reconstructPacketNumber(uint64_t expected, uint32_t low) {
  constexpr uint64_t kWindow = uint64_t{1} << 32;
  constexpr uint64_t kHalf = kWindow / 2;
  uint64_t candidate = (expected & ~(kWindow - 1)) | low;
  if (candidate + kHalf <= expected && candidate < UINT64_MAX - kWindow) return candidate + kWindow;
  if (candidate > expected + kHalf && candidate >= kWindow) return candidate - kWindow;
  return candidate;
}

}  // namespace outpost::transport::wire
