// Tests for the outer wire format (src/transport/wire.h): each handshake packet (and the
// version-mismatch reply) and the data header round-trip through its encoder and parser; every truncation, trailing bytes, a short
// (amplifying) Hello, a wrong version or type and out-of-range fields are dropped with a named
// DropReason; packet numbers are reconstructed across the 2^32 boundary in both directions.
#include "transport/wire.h"

#include <gtest/gtest.h>

#include <cstring>
#include <vector>

namespace outpost::transport::wire {
namespace {

std::vector<uint8_t> fill(size_t n, uint8_t seed) {
  std::vector<uint8_t> v(n);
  for (size_t i = 0; i < n; ++i) v[i] = static_cast<uint8_t>(seed + i * 7);
  return v;
}

template <size_t N>
std::array<uint8_t, N> arr(uint8_t seed) {
  std::array<uint8_t, N> a{};
  for (size_t i = 0; i < N; ++i) a[i] = static_cast<uint8_t>(seed + i * 13);
  return a;
}

std::vector<uint8_t> encodeHello(uint32_t id, uint8_t version = kProtocolVersion) {
  Hello h;
  h.version = version;
  h.client_connection_id = id;
  std::vector<uint8_t> out(kHelloSize);
  EXPECT_EQ(writeHello(h, out.data()), kHelloSize);
  return out;
}

Challenge sampleChallenge() {
  Challenge c;
  c.client_connection_id = 0xA1B2C3D4;
  c.cookie.window = 123456;
  c.cookie.mac = arr<16>(3);
  return c;
}

std::vector<uint8_t> encodeChallenge(const Challenge& c) {
  std::vector<uint8_t> out(kChallengeSize);
  EXPECT_EQ(writeChallenge(c, out.data()), kChallengeSize);
  return out;
}

struct ConnectSample {
  std::vector<uint8_t> cert;
  Connect c;
};

ConnectSample sampleConnect(size_t cert_len) {
  ConnectSample s;
  s.cert = fill(cert_len, 0x55);
  s.c.cipher_mask = 0x06;
  s.c.unencrypted_mode = 1;
  s.c.client_connection_id = 77;
  s.c.cookie.window = 99;
  s.c.cookie.mac = arr<16>(1);
  s.c.kx_public = arr<32>(2);
  s.c.identity_public = arr<32>(3);
  s.c.claimed_steam_id = 0x0110000100000001ull;
  s.c.certificate = s.cert;
  s.c.signature = arr<64>(4);
  return s;
}

std::vector<uint8_t> encodeConnect(const Connect& c) {
  std::vector<uint8_t> out(2048);
  size_t n = writeConnectUnsigned(c, out.data(), out.size());
  EXPECT_GT(n, 0u);
  out.resize(n);
  out.insert(out.end(), c.signature.begin(), c.signature.end());
  return out;
}

// A packet whose certificate length field claims kMaxCertBytes + 1 (the writers refuse to
// produce one, so a valid packet with a maximal certificate is patched). `len_offset` is the
// offset of the u16 certificate length in the unsigned part.
std::vector<uint8_t> withOversizedCertificate(std::vector<uint8_t> bytes, size_t len_offset) {
  uint16_t len = static_cast<uint16_t>(kMaxCertBytes + 1);
  bytes[len_offset] = static_cast<uint8_t>(len);
  bytes[len_offset + 1] = static_cast<uint8_t>(len >> 8);
  bytes.insert(bytes.begin() + static_cast<long>(len_offset + 2), 0x55);
  return bytes;
}

struct AcceptSample {
  std::vector<uint8_t> cert;
  Accept a;
};

AcceptSample sampleAccept(bool rejected, size_t cert_len) {
  AcceptSample s;
  s.cert = fill(cert_len, 0x66);
  s.a.flags = rejected ? kAcceptRejected : 0;
  s.a.cipher = static_cast<uint8_t>(crypto::Cipher::kChaCha20Poly1305);
  s.a.client_connection_id = 1234;
  s.a.server_connection_id = rejected ? 0 : 5678;
  s.a.kx_public = arr<32>(5);
  s.a.identity_public = arr<32>(6);
  s.a.claimed_steam_id = 42;
  if (rejected) {
    s.a.reject_reason = 5001;
    s.a.reject_debug = "server is full, try again later";
  }
  s.a.certificate = s.cert;
  s.a.signature = arr<64>(7);
  return s;
}

std::vector<uint8_t> encodeAccept(const Accept& a) {
  std::vector<uint8_t> out(2048);
  size_t n = writeAcceptUnsigned(a, out.data(), out.size());
  EXPECT_GT(n, 0u);
  out.resize(n);
  out.insert(out.end(), a.signature.begin(), a.signature.end());
  return out;
}

std::span<const uint8_t> prefix(const std::vector<uint8_t>& v, size_t n) { return {v.data(), n}; }

// ---- Hello -----------------------------------------------------------------------------------

TEST(WireHello, RoundTrip) {
  auto bytes = encodeHello(0xDEADBEEF);
  EXPECT_EQ(bytes[0], static_cast<uint8_t>(PacketType::kHello));
  DropReason why = DropReason::kNone;
  auto h = parseHello(bytes, &why);
  ASSERT_TRUE(h);
  EXPECT_EQ(h->version, kProtocolVersion);
  EXPECT_EQ(h->client_connection_id, 0xDEADBEEFu);
  EXPECT_EQ(why, DropReason::kNone);
}

TEST(WireHello, IsPaddedWithZeros) {
  auto bytes = encodeHello(1);
  for (size_t i = 6; i < bytes.size(); ++i) EXPECT_EQ(bytes[i], 0) << i;
}

TEST(WireHello, ShorterThanPaddedSizeIsDroppedAgainstAmplification) {
  // A Hello shorter than kHelloSize would let a spoofed source get a Challenge larger than what
  // it sent; every length below the padded size is dropped.
  static_assert(kChallengeSize <= kHelloSize);
  auto bytes = encodeHello(7);
  for (size_t len = 0; len < kHelloSize; ++len) {
    DropReason why = DropReason::kNone;
    EXPECT_FALSE(parseHello(prefix(bytes, len), &why)) << len;
    EXPECT_EQ(why, DropReason::kTooShort) << len;
  }
}

TEST(WireHello, BadVersionIsDropped) {
  for (uint8_t v : {0, 2, 255}) {
    auto bytes = encodeHello(7, v);
    DropReason why = DropReason::kNone;
    EXPECT_FALSE(parseHello(bytes, &why));
    EXPECT_EQ(why, DropReason::kBadVersion);
  }
}

TEST(WireHello, ZeroConnectionIdIsMalformed) {
  auto bytes = encodeHello(0);
  DropReason why = DropReason::kNone;
  EXPECT_FALSE(parseHello(bytes, &why));
  EXPECT_EQ(why, DropReason::kMalformed);
}

TEST(WireHello, WrongTypeIsDropped) {
  auto bytes = encodeHello(7);
  bytes[0] = static_cast<uint8_t>(PacketType::kChallenge);
  DropReason why = DropReason::kNone;
  EXPECT_FALSE(parseHello(bytes, &why));
  EXPECT_EQ(why, DropReason::kUnknownType);
}

TEST(WireHello, NullReasonPointerIsAllowed) {
  auto bytes = encodeHello(7);
  EXPECT_FALSE(parseHello(prefix(bytes, 3), nullptr));
  EXPECT_TRUE(parseHello(bytes, nullptr));
}

// ---- VersionMismatch -------------------------------------------------------------------------

TEST(WireVersionMismatch, EchoesTheHelloIdWithOurVersion) {
  auto hello = encodeHello(0xCAFEBABE, 7);  // a Hello from a client of another version
  uint8_t out[kVersionMismatchSize] = {};
  ASSERT_EQ(writeVersionMismatch(hello, out), kVersionMismatchSize);
  EXPECT_EQ(out[0], static_cast<uint8_t>(PacketType::kVersionMismatch));
  EXPECT_EQ(out[1], kProtocolVersion);
  EXPECT_EQ(0, std::memcmp(out + 2, hello.data() + 2, 4));  // the id exactly as sent
  // Never more bytes than the request (no amplification).
  static_assert(kVersionMismatchSize <= kHelloSize);
  EXPECT_EQ(writeVersionMismatch(prefix(hello, 5), out), 0u);
}

TEST(WireVersionMismatch, ParsesAnotherServerVersion) {
  const std::vector<uint8_t> bytes = {static_cast<uint8_t>(PacketType::kVersionMismatch), 9, 0x44, 0x33, 0x22, 0x11};
  DropReason why = DropReason::kNone;
  auto v = parseVersionMismatch(bytes, &why);
  ASSERT_TRUE(v) << dropReasonName(why);
  EXPECT_EQ(v->server_version, 9);
  EXPECT_EQ(v->client_connection_id, 0x11223344u);
}

TEST(WireVersionMismatch, HostileFormsAreDropped) {
  std::vector<uint8_t> bytes = {static_cast<uint8_t>(PacketType::kVersionMismatch), 9, 1, 2, 3, 4};
  for (size_t len = 0; len < bytes.size(); ++len) {
    DropReason why = DropReason::kNone;
    EXPECT_FALSE(parseVersionMismatch(prefix(bytes, len), &why)) << len;
    EXPECT_EQ(why, DropReason::kTooShort) << len;
  }
  {
    auto longer = bytes;
    longer.push_back(0);
    DropReason why = DropReason::kNone;
    EXPECT_FALSE(parseVersionMismatch(longer, &why));
    EXPECT_EQ(why, DropReason::kTrailingBytes);
  }
  {
    // A "mismatch" naming our own version is a forgery meant to abort a good handshake.
    auto same = bytes;
    same[1] = kProtocolVersion;
    DropReason why = DropReason::kNone;
    EXPECT_FALSE(parseVersionMismatch(same, &why));
    EXPECT_EQ(why, DropReason::kMalformed);
  }
  {
    auto wrong_type = bytes;
    wrong_type[0] = static_cast<uint8_t>(PacketType::kChallenge);
    DropReason why = DropReason::kNone;
    EXPECT_FALSE(parseVersionMismatch(wrong_type, &why));
    EXPECT_EQ(why, DropReason::kUnknownType);
  }
}

// ---- Challenge -------------------------------------------------------------------------------

TEST(WireChallenge, RoundTrip) {
  Challenge c = sampleChallenge();
  auto bytes = encodeChallenge(c);
  EXPECT_LE(bytes.size(), kHelloSize);  // never larger than the request it answers
  DropReason why = DropReason::kNone;
  auto p = parseChallenge(bytes, &why);
  ASSERT_TRUE(p);
  EXPECT_EQ(p->client_connection_id, c.client_connection_id);
  EXPECT_EQ(p->cookie.window, c.cookie.window);
  EXPECT_EQ(p->cookie.mac, c.cookie.mac);
}

TEST(WireChallenge, EveryTruncationIsDropped) {
  auto bytes = encodeChallenge(sampleChallenge());
  for (size_t len = 0; len < bytes.size(); ++len) {
    DropReason why = DropReason::kNone;
    EXPECT_FALSE(parseChallenge(prefix(bytes, len), &why)) << len;
    EXPECT_EQ(why, DropReason::kTooShort) << len;
  }
}

TEST(WireChallenge, TrailingBytesAreDropped) {
  auto bytes = encodeChallenge(sampleChallenge());
  bytes.push_back(0);
  DropReason why = DropReason::kNone;
  EXPECT_FALSE(parseChallenge(bytes, &why));
  EXPECT_EQ(why, DropReason::kTrailingBytes);
}

TEST(WireChallenge, WrongTypeIsDropped) {
  auto bytes = encodeChallenge(sampleChallenge());
  bytes[0] = static_cast<uint8_t>(PacketType::kData);
  DropReason why = DropReason::kNone;
  EXPECT_FALSE(parseChallenge(bytes, &why));
  EXPECT_EQ(why, DropReason::kUnknownType);
}

// ---- Connect ---------------------------------------------------------------------------------

void expectConnectEqual(const Connect& a, const Connect& b) {
  EXPECT_EQ(a.version, b.version);
  EXPECT_EQ(a.cipher_mask, b.cipher_mask);
  EXPECT_EQ(a.unencrypted_mode, b.unencrypted_mode);
  EXPECT_EQ(a.client_connection_id, b.client_connection_id);
  EXPECT_EQ(a.cookie.window, b.cookie.window);
  EXPECT_EQ(a.cookie.mac, b.cookie.mac);
  EXPECT_EQ(a.kx_public, b.kx_public);
  EXPECT_EQ(a.identity_public, b.identity_public);
  EXPECT_EQ(a.claimed_steam_id, b.claimed_steam_id);
  EXPECT_EQ(std::vector<uint8_t>(a.certificate.begin(), a.certificate.end()),
            std::vector<uint8_t>(b.certificate.begin(), b.certificate.end()));
  EXPECT_EQ(a.signature, b.signature);
}

TEST(WireConnect, RoundTripWithoutCertificate) {
  auto s = sampleConnect(0);
  auto bytes = encodeConnect(s.c);
  DropReason why = DropReason::kNone;
  auto p = parseConnect(bytes, &why);
  ASSERT_TRUE(p) << dropReasonName(why);
  expectConnectEqual(*p, s.c);
  EXPECT_EQ(p->signed_length, bytes.size() - 64);
}

TEST(WireConnect, RoundTripWithMaximumCertificate) {
  auto s = sampleConnect(kMaxCertBytes);
  auto bytes = encodeConnect(s.c);
  auto p = parseConnect(bytes, nullptr);
  ASSERT_TRUE(p);
  expectConnectEqual(*p, s.c);
  EXPECT_EQ(p->signed_length, bytes.size() - 64);
  // The certificate is a view into the packet, not a copy.
  EXPECT_GE(p->certificate.data(), bytes.data());
  EXPECT_LE(p->certificate.data() + p->certificate.size(), bytes.data() + bytes.size());
}

TEST(WireConnect, EveryTruncationIsDropped) {
  for (size_t cert : {size_t{0}, size_t{17}}) {
    auto s = sampleConnect(cert);
    auto bytes = encodeConnect(s.c);
    for (size_t len = 0; len < bytes.size(); ++len) {
      DropReason why = DropReason::kNone;
      EXPECT_FALSE(parseConnect(prefix(bytes, len), &why)) << len;
      EXPECT_EQ(why, DropReason::kTooShort) << len;
    }
  }
}

TEST(WireConnect, TrailingBytesAreDropped) {
  auto s = sampleConnect(3);
  auto bytes = encodeConnect(s.c);
  bytes.push_back(0xAA);
  DropReason why = DropReason::kNone;
  EXPECT_FALSE(parseConnect(bytes, &why));
  EXPECT_EQ(why, DropReason::kTrailingBytes);
}

TEST(WireConnect, BadVersionIsDropped) {
  auto s = sampleConnect(0);
  s.c.version = 2;
  auto bytes = encodeConnect(s.c);
  DropReason why = DropReason::kNone;
  EXPECT_FALSE(parseConnect(bytes, &why));
  EXPECT_EQ(why, DropReason::kBadVersion);
}

TEST(WireConnect, OversizedCertificateLengthIsMalformed) {
  // A certificate length above kMaxCertBytes is refused before any bytes are looked at.
  auto s = sampleConnect(kMaxCertBytes);
  std::vector<uint8_t> probe(2048);
  EXPECT_EQ(writeConnectUnsigned(sampleConnect(kMaxCertBytes + 1).c, probe.data(), probe.size()), 0u);
  // type, version, mask, unencrypted (4) + client id (4) + cookie (20) + kx (32) + identity (32)
  // + steam id (8) = 100: the certificate length follows.
  auto bytes = withOversizedCertificate(encodeConnect(s.c), 100);
  DropReason why = DropReason::kNone;
  EXPECT_FALSE(parseConnect(bytes, &why));
  EXPECT_EQ(why, DropReason::kMalformed);
}

TEST(WireConnect, OutOfRangeFieldsAreMalformed) {
  {
    auto s = sampleConnect(0);
    s.c.client_connection_id = 0;
    DropReason why = DropReason::kNone;
    EXPECT_FALSE(parseConnect(encodeConnect(s.c), &why));
    EXPECT_EQ(why, DropReason::kMalformed);
  }
  {
    auto s = sampleConnect(0);
    s.c.unencrypted_mode = 4;
    DropReason why = DropReason::kNone;
    EXPECT_FALSE(parseConnect(encodeConnect(s.c), &why));
    EXPECT_EQ(why, DropReason::kMalformed);
  }
}

TEST(WireConnect, WriterReportsOverflow) {
  auto s = sampleConnect(100);
  std::vector<uint8_t> out(50);
  EXPECT_EQ(writeConnectUnsigned(s.c, out.data(), out.size()), 0u);
}

TEST(WireConnect, SignedMessageHasDomainPrefix) {
  auto s = sampleConnect(0);
  auto bytes = encodeConnect(s.c);
  std::span<const uint8_t> unsigned_part(bytes.data(), bytes.size() - 64);
  std::vector<uint8_t> msg(1024);
  size_t n = connectSignedMessage(unsigned_part, msg.data(), msg.size());
  ASSERT_GT(n, unsigned_part.size());
  // The packet bytes come last, after a domain string that separates Connect from Accept.
  EXPECT_EQ(0, std::memcmp(msg.data() + n - unsigned_part.size(), unsigned_part.data(), unsigned_part.size()));
  EXPECT_EQ(connectSignedMessage(unsigned_part, msg.data(), 10), 0u);
}

// ---- Accept ----------------------------------------------------------------------------------

void expectAcceptEqual(const Accept& a, const Accept& b) {
  EXPECT_EQ(a.version, b.version);
  EXPECT_EQ(a.flags, b.flags);
  EXPECT_EQ(a.cipher, b.cipher);
  EXPECT_EQ(a.client_connection_id, b.client_connection_id);
  EXPECT_EQ(a.server_connection_id, b.server_connection_id);
  EXPECT_EQ(a.kx_public, b.kx_public);
  EXPECT_EQ(a.identity_public, b.identity_public);
  EXPECT_EQ(a.claimed_steam_id, b.claimed_steam_id);
  EXPECT_EQ(a.reject_reason, b.reject_reason);
  EXPECT_EQ(a.reject_debug, b.reject_debug);
  EXPECT_EQ(std::vector<uint8_t>(a.certificate.begin(), a.certificate.end()),
            std::vector<uint8_t>(b.certificate.begin(), b.certificate.end()));
  EXPECT_EQ(a.signature, b.signature);
}

TEST(WireAccept, RoundTripAccepted) {
  auto s = sampleAccept(false, 20);
  auto bytes = encodeAccept(s.a);
  DropReason why = DropReason::kNone;
  auto p = parseAccept(bytes, &why);
  ASSERT_TRUE(p) << dropReasonName(why);
  expectAcceptEqual(*p, s.a);
  EXPECT_EQ(p->signed_length, bytes.size() - 64);
}

TEST(WireAccept, RoundTripRejected) {
  auto s = sampleAccept(true, 0);
  auto bytes = encodeAccept(s.a);
  auto p = parseAccept(bytes, nullptr);
  ASSERT_TRUE(p);
  expectAcceptEqual(*p, s.a);
  EXPECT_TRUE(p->flags & kAcceptRejected);
}

TEST(WireAccept, RejectDebugIsCutToLimit) {
  auto s = sampleAccept(true, 0);
  s.a.reject_debug = std::string(300, 'x');
  auto p = parseAccept(encodeAccept(s.a), nullptr);
  ASSERT_TRUE(p);
  EXPECT_EQ(p->reject_debug, std::string(kMaxRejectDebug, 'x'));
}

TEST(WireAccept, EveryTruncationIsDropped) {
  for (bool rejected : {false, true}) {
    auto s = sampleAccept(rejected, 9);
    auto bytes = encodeAccept(s.a);
    for (size_t len = 0; len < bytes.size(); ++len) {
      DropReason why = DropReason::kNone;
      EXPECT_FALSE(parseAccept(prefix(bytes, len), &why)) << rejected << " " << len;
      EXPECT_EQ(why, DropReason::kTooShort) << rejected << " " << len;
    }
  }
}

TEST(WireAccept, TrailingBytesAreDropped) {
  auto s = sampleAccept(false, 0);
  auto bytes = encodeAccept(s.a);
  bytes.push_back(0);
  DropReason why = DropReason::kNone;
  EXPECT_FALSE(parseAccept(bytes, &why));
  EXPECT_EQ(why, DropReason::kTrailingBytes);
}

TEST(WireAccept, BadVersionIsDropped) {
  auto s = sampleAccept(false, 0);
  s.a.version = 0;
  DropReason why = DropReason::kNone;
  EXPECT_FALSE(parseAccept(encodeAccept(s.a), &why));
  EXPECT_EQ(why, DropReason::kBadVersion);
}

TEST(WireAccept, OutOfRangeFieldsAreMalformed) {
  auto expectMalformed = [](const Accept& a) {
    DropReason why = DropReason::kNone;
    EXPECT_FALSE(parseAccept(encodeAccept(a), &why));
    EXPECT_EQ(why, DropReason::kMalformed);
  };
  {
    auto s = sampleAccept(false, 0);
    s.a.flags = 0x02;  // unknown flag
    expectMalformed(s.a);
  }
  {
    auto s = sampleAccept(false, 0);
    s.a.cipher = 3;  // no such cipher
    expectMalformed(s.a);
  }
  {
    auto s = sampleAccept(false, 0);
    s.a.server_connection_id = 0;  // an accepted connection needs an id
    expectMalformed(s.a);
  }
  {
    // type, version, flags, cipher (4) + ids (8) + kx (32) + identity (32) + steam id (8) = 84.
    auto s = sampleAccept(false, kMaxCertBytes);
    DropReason why = DropReason::kNone;
    EXPECT_FALSE(parseAccept(withOversizedCertificate(encodeAccept(s.a), 84), &why));
    EXPECT_EQ(why, DropReason::kMalformed);
  }
}

TEST(WireAccept, OverlongRejectDebugLengthIsMalformed) {
  auto s = sampleAccept(true, 0);
  s.a.reject_debug = "abc";
  auto bytes = encodeAccept(s.a);
  // The debug length byte sits after type, version, flags, cipher, two ids, two keys, the
  // steam id and the reason.
  size_t len_at = 1 + 1 + 1 + 1 + 4 + 4 + 32 + 32 + 8 + 4;
  ASSERT_EQ(bytes[len_at], 3);
  bytes[len_at] = static_cast<uint8_t>(kMaxRejectDebug + 1);
  DropReason why = DropReason::kNone;
  EXPECT_FALSE(parseAccept(bytes, &why));
  EXPECT_EQ(why, DropReason::kMalformed);
}

TEST(WireAccept, SignedMessageBindsClientKey) {
  auto s = sampleAccept(false, 0);
  auto bytes = encodeAccept(s.a);
  std::span<const uint8_t> unsigned_part(bytes.data(), bytes.size() - 64);
  auto kx1 = arr<32>(10), kx2 = arr<32>(11);
  std::vector<uint8_t> m1(1024), m2(1024);
  size_t n1 = acceptSignedMessage(kx1, unsigned_part, m1.data(), m1.size());
  size_t n2 = acceptSignedMessage(kx2, unsigned_part, m2.data(), m2.size());
  ASSERT_GT(n1, 0u);
  ASSERT_EQ(n1, n2);
  m1.resize(n1);
  m2.resize(n2);
  EXPECT_NE(m1, m2);
  // Connect and Accept messages never coincide, even for identical packet bytes.
  std::vector<uint8_t> c(1024);
  size_t nc = connectSignedMessage(unsigned_part, c.data(), c.size());
  c.resize(nc);
  ASSERT_GE(c.size(), 24u);
  EXPECT_NE(std::vector<uint8_t>(m1.begin(), m1.begin() + 24), std::vector<uint8_t>(c.begin(), c.begin() + 24));
}

// ---- Data header -----------------------------------------------------------------------------

TEST(WireDataHeader, RoundTrip) {
  DataHeader h{0x01020304, 0xFFFFFFFE};
  uint8_t buf[kDataHeaderSize + 5] = {};
  writeDataHeader(h, buf);
  EXPECT_EQ(buf[0], static_cast<uint8_t>(PacketType::kData));
  // The header is followed by the protected payload: extra bytes are not "trailing".
  auto p = parseDataHeader(buf, nullptr);
  ASSERT_TRUE(p);
  EXPECT_EQ(p->connection_id, h.connection_id);
  EXPECT_EQ(p->packet_number_low, h.packet_number_low);
}

TEST(WireDataHeader, EveryTruncationIsDropped) {
  uint8_t buf[kDataHeaderSize] = {};
  writeDataHeader({5, 6}, buf);
  for (size_t len = 0; len < kDataHeaderSize; ++len) {
    DropReason why = DropReason::kNone;
    EXPECT_FALSE(parseDataHeader({buf, len}, &why)) << len;
    EXPECT_EQ(why, DropReason::kTooShort);
  }
}

TEST(WireDataHeader, OtherTypesAreUnknown) {
  uint8_t buf[kDataHeaderSize] = {};
  writeDataHeader({5, 6}, buf);
  for (int t = 0; t < 256; ++t) {
    if (t == static_cast<int>(PacketType::kData)) continue;
    buf[0] = static_cast<uint8_t>(t);
    DropReason why = DropReason::kNone;
    EXPECT_FALSE(parseDataHeader(buf, &why));
    EXPECT_EQ(why, DropReason::kUnknownType);
  }
}

TEST(WireParsers, RejectEachOthersPackets) {
  auto hello = encodeHello(1);
  auto challenge = encodeChallenge(sampleChallenge());
  auto connect = encodeConnect(sampleConnect(0).c);
  auto accept = encodeAccept(sampleAccept(false, 0).a);
  EXPECT_FALSE(parseHello(connect, nullptr));  // long enough, wrong type
  EXPECT_FALSE(parseChallenge(hello, nullptr));
  EXPECT_FALSE(parseConnect(accept, nullptr));
  EXPECT_FALSE(parseAccept(connect, nullptr));
  EXPECT_FALSE(parseDataHeader(challenge, nullptr));
  EXPECT_FALSE(parseVersionMismatch(challenge, nullptr));
}

TEST(WireDropReason, EveryReasonHasAName) {
  for (int i = 0; i < static_cast<int>(DropReason::kCount); ++i)
    EXPECT_STRNE(dropReasonName(static_cast<DropReason>(i)), "?") << i;
  EXPECT_STREQ(dropReasonName(DropReason::kTooShort), "too_short");
}

// ---- Packet number reconstruction -------------------------------------------------------------

TEST(WirePacketNumber, SmallValuesAreIdentity) {
  EXPECT_EQ(reconstructPacketNumber(1, 1), 1u);
  EXPECT_EQ(reconstructPacketNumber(1, 5), 5u);
  EXPECT_EQ(reconstructPacketNumber(100, 90), 90u);
}

TEST(WirePacketNumber, WrapsForwardPast2To32) {
  constexpr uint64_t k32 = uint64_t{1} << 32;
  // Expecting just below 2^32, a small low value is the next window.
  EXPECT_EQ(reconstructPacketNumber(k32 - 5, 3), k32 + 3);
  EXPECT_EQ(reconstructPacketNumber(k32 - 1, 0), k32);
  EXPECT_EQ(reconstructPacketNumber(k32, 0), k32);
  EXPECT_EQ(reconstructPacketNumber(3 * k32 - 2, 1), 3 * k32 + 1);
}

TEST(WirePacketNumber, WrapsBackwardBelow2To32) {
  constexpr uint64_t k32 = uint64_t{1} << 32;
  // Expecting just above 2^32, a large low value is a late packet of the previous window.
  EXPECT_EQ(reconstructPacketNumber(k32 + 2, 0xFFFFFFFEu), k32 - 2);
  EXPECT_EQ(reconstructPacketNumber(k32, 0xFFFFFFFFu), k32 - 1);
  EXPECT_EQ(reconstructPacketNumber(5 * k32 + 10, 0xFFFFFF00u), 5 * k32 - 0x100);
}

TEST(WirePacketNumber, NeverGoesBelowZero) {
  // In the first window there is no previous one to wrap back to.
  EXPECT_EQ(reconstructPacketNumber(2, 0xFFFFFFFFu), 0xFFFFFFFFu);
}

TEST(WirePacketNumber, PicksTheClosestCandidate) {
  constexpr uint64_t k32 = uint64_t{1} << 32;
  const uint64_t expected_values[] = {1, 1000, k32 - 1, k32, k32 + 1, 7 * k32 + 12345, (uint64_t{1} << 40) + 99};
  const int64_t deltas[] = {-(int64_t{1} << 31) + 1, -100000, -1, 0, 1, 100000, (int64_t{1} << 31) - 1};
  for (uint64_t expected : expected_values) {
    for (int64_t d : deltas) {
      if (d < 0 && static_cast<uint64_t>(-d) > expected) continue;
      uint64_t actual = expected + static_cast<uint64_t>(d);
      EXPECT_EQ(reconstructPacketNumber(expected, static_cast<uint32_t>(actual)), actual) << expected << " " << d;
    }
  }
}

}  // namespace
}  // namespace outpost::transport::wire
