// STUN codec (see stun.h; docs/spec/signaling.md §3). Network byte order throughout, as STUN is
// (the rest of Outpost's wire formats are little-endian). CRC-32 for FINGERPRINT comes from zlib.
#include "stun/stun.h"

#include <arpa/inet.h>
#include <zlib.h>

#include <cstring>

namespace outpost::stun {

namespace {

uint16_t be16(const uint8_t* p) { return static_cast<uint16_t>(p[0] << 8 | p[1]); }
uint32_t be32(const uint8_t* p) {
  return uint32_t{p[0]} << 24 | uint32_t{p[1]} << 16 | uint32_t{p[2]} << 8 | uint32_t{p[3]};
}
void put16(uint8_t* p, uint16_t v) {
  p[0] = static_cast<uint8_t>(v >> 8);
  p[1] = static_cast<uint8_t>(v);
}
void put32(uint8_t* p, uint32_t v) {
  p[0] = static_cast<uint8_t>(v >> 24);
  p[1] = static_cast<uint8_t>(v >> 16);
  p[2] = static_cast<uint8_t>(v >> 8);
  p[3] = static_cast<uint8_t>(v);
}

uint32_t crc(const uint8_t* p, size_t n) { return static_cast<uint32_t>(::crc32(0L, p, static_cast<uInt>(n))); }

// (XOR-)MAPPED-ADDRESS value: reserved, family, port, address. `mask` is 16 bytes of
// cookie||transaction for the XOR form, zeros otherwise.
std::optional<base::SocketAddress> readAddress(const uint8_t* v, size_t len, const uint8_t mask[16]) {
  if (len < 4) return std::nullopt;
  uint8_t family = v[1];
  uint16_t port = static_cast<uint16_t>(be16(v + 2) ^ be16(mask));
  if (family == 0x01 && len == 8) {
    uint32_t ip = be32(v + 4) ^ be32(mask);
    return base::SocketAddress::ipv4(ip, port);
  }
  if (family == 0x02 && len == 20) {
    sockaddr_in6 sa{};
    sa.sin6_family = AF_INET6;
    sa.sin6_port = htons(port);
    for (int i = 0; i < 16; ++i) sa.sin6_addr.s6_addr[i] = static_cast<uint8_t>(v[4 + i] ^ mask[i]);
    return base::SocketAddress::fromSockaddr(reinterpret_cast<const sockaddr*>(&sa), sizeof sa);
  }
  return std::nullopt;
}

// Writes one address attribute; returns its total size (header included).
size_t writeAddress(uint8_t* p, uint16_t type, const base::SocketAddress& a, const uint8_t mask[16]) {
  uint8_t ip[16];
  a.ip16(ip);
  bool v6 = a.isV6();
  size_t vlen = v6 ? 20 : 8;
  put16(p, type);
  put16(p + 2, static_cast<uint16_t>(vlen));
  p[4] = 0;
  p[5] = v6 ? 0x02 : 0x01;
  put16(p + 6, static_cast<uint16_t>(a.port() ^ be16(mask)));
  if (v6) {
    for (int i = 0; i < 16; ++i) p[8 + i] = static_cast<uint8_t>(ip[i] ^ mask[i]);
  } else {
    for (int i = 0; i < 4; ++i) p[8 + i] = static_cast<uint8_t>(ip[12 + i] ^ mask[i]);
  }
  return 4 + vlen;
}

size_t appendFingerprint(uint8_t* out, size_t len) {
  put16(out + 2, static_cast<uint16_t>(len - kHeaderBytes + 8));  // the length counts the fingerprint
  uint32_t value = crc(out, len) ^ kFingerprintXor;
  put16(out + len, kAttrFingerprint);
  put16(out + len + 2, 4);
  put32(out + len + 4, value);
  return len + 8;
}

}  // namespace

const char* dropName(Drop d) {
  switch (d) {
    case Drop::kNone: return "none";
    case Drop::kTooShort: return "too_short";
    case Drop::kNotStun: return "not_stun";
    case Drop::kBadLength: return "bad_length";
    case Drop::kBadAttribute: return "bad_attribute";
    case Drop::kBadFingerprint: return "bad_fingerprint";
    case Drop::kNotBindingRequest: return "not_binding_request";
    case Drop::kCount: break;
  }
  return "?";
}

bool looksLikeStun(std::span<const uint8_t> d) {
  if (d.size() < kHeaderBytes || (d[0] & 0xC0) != 0) return false;
  size_t len = be16(d.data() + 2);
  return len + kHeaderBytes == d.size() && len % 4 == 0;
}

std::optional<Message> parse(std::span<const uint8_t> d, Drop* why) {
  auto fail = [&](Drop r) {
    if (why) *why = r;
    return std::nullopt;
  };
  if (d.size() < kHeaderBytes) return fail(Drop::kTooShort);
  if ((d[0] & 0xC0) != 0 || be16(d.data() + 2) + kHeaderBytes != d.size()) return fail(Drop::kNotStun);
  if (d.size() % 4 != 0 || d.size() > kMaxMessageBytes) return fail(Drop::kBadLength);
  Message m;
  m.type = be16(d.data());
  m.rfc3489 = be32(d.data() + 4) != kMagicCookie;
  std::memcpy(m.transaction.data(), d.data() + 4, 16);
  uint8_t xor_mask[16];
  std::memcpy(xor_mask, d.data() + 4, 16);  // cookie || transaction id
  const uint8_t zeros[16] = {};
  size_t pos = kHeaderBytes;
  while (pos < d.size()) {
    if (m.has_fingerprint) return fail(Drop::kBadFingerprint);  // FINGERPRINT must be last
    if (d.size() - pos < 4) return fail(Drop::kBadAttribute);
    uint16_t type = be16(d.data() + pos);
    size_t len = be16(d.data() + pos + 2);
    size_t padded = (len + 3) & ~size_t{3};
    if (d.size() - pos - 4 < padded) return fail(Drop::kBadAttribute);
    const uint8_t* v = d.data() + pos + 4;
    if (type == kAttrFingerprint) {
      if (len != 4 || (be32(v) ^ kFingerprintXor) != crc(d.data(), pos)) return fail(Drop::kBadFingerprint);
      m.has_fingerprint = true;
    } else if (type == kAttrXorMappedAddress && !m.rfc3489) {
      if (auto a = readAddress(v, len, xor_mask)) m.mapped = a;
    } else if (type == kAttrMappedAddress && !m.mapped) {
      if (auto a = readAddress(v, len, zeros)) m.mapped = a;
    }
    pos += 4 + padded;
  }
  if (why) *why = Drop::kNone;
  return m;
}

size_t writeBindingResponse(const Message& request, const base::SocketAddress& observed, uint8_t* out) {
  put16(out, kBindingSuccess);
  std::memcpy(out + 4, request.transaction.data(), 16);
  size_t len = kHeaderBytes;
  if (request.rfc3489) {
    const uint8_t zeros[16] = {};
    len += writeAddress(out + len, kAttrMappedAddress, observed, zeros);
  } else {
    uint8_t mask[16];
    std::memcpy(mask, out + 4, 16);
    len += writeAddress(out + len, kAttrXorMappedAddress, observed, mask);
  }
  put16(out + 2, static_cast<uint16_t>(len - kHeaderBytes));
  if (request.has_fingerprint && !request.rfc3489) len = appendFingerprint(out, len);
  return len;
}

size_t writeBindingRequest(const std::array<uint8_t, 12>& transaction, uint8_t* out) {
  put16(out, kBindingRequest);
  put16(out + 2, 0);
  put32(out + 4, kMagicCookie);
  std::memcpy(out + 8, transaction.data(), 12);
  return appendFingerprint(out, kHeaderBytes);
}

}  // namespace outpost::stun
