// libFuzzer target for the handshake parsers (src/transport/wire.h): feeds arbitrary bytes to
// parseHello, parseVersionMismatch, parseChallenge, parseConnect, parseAccept and
// parseDataHeader. A parse that fails must name a reason; a parse that succeeds must re-encode
// to the same bytes (each packet has one encoding), keep its views inside the input, and be the
// only parser that accepted it.
#include <cstdint>
#include <cstring>
#include <span>
#include <vector>

#include "fuzz_check.h"
#include "transport/wire.h"

using namespace outpost::transport::wire;

namespace {

bool sameBytes(std::span<const uint8_t> a, std::span<const uint8_t> b) {
  return a.size() == b.size() && (a.empty() || std::memcmp(a.data(), b.data(), a.size()) == 0);
}

bool inside(std::span<const uint8_t> view, std::span<const uint8_t> in) {
  return view.empty() || (view.data() >= in.data() && view.data() + view.size() <= in.data() + in.size());
}

int checkHello(std::span<const uint8_t> in) {
  DropReason why = DropReason::kNone;
  auto h = parseHello(in, &why);
  if (!h) {
    FUZZ_CHECK(why != DropReason::kNone);
    return 0;
  }
  FUZZ_CHECK(in.size() >= kHelloSize);  // never answer a short Hello (amplification)
  FUZZ_CHECK(h->version == kProtocolVersion);
  FUZZ_CHECK(h->client_connection_id != 0);
  uint8_t out[kHelloSize];
  FUZZ_CHECK(writeHello(*h, out) == kHelloSize);
  // Padding content is not checked by the parser, so only the meaningful prefix must match.
  FUZZ_CHECK(std::memcmp(out, in.data(), 6) == 0);
  auto again = parseHello(out, nullptr);
  FUZZ_CHECK(again && again->client_connection_id == h->client_connection_id);
  return 1;
}

int checkVersionMismatch(std::span<const uint8_t> in) {
  // The server's reply echoes bytes 2..5 of whatever Hello it answers and is never longer.
  uint8_t reply[kVersionMismatchSize];
  size_t n = writeVersionMismatch(in, reply);
  if (in.size() < 6) {
    FUZZ_CHECK(n == 0);
  } else {
    FUZZ_CHECK(n == kVersionMismatchSize && n <= in.size());
    FUZZ_CHECK(reply[1] == kProtocolVersion && std::memcmp(reply + 2, in.data() + 2, 4) == 0);
  }

  DropReason why = DropReason::kNone;
  auto v = parseVersionMismatch(in, &why);
  if (!v) {
    FUZZ_CHECK(why != DropReason::kNone);
    return 0;
  }
  FUZZ_CHECK(in.size() == kVersionMismatchSize);
  FUZZ_CHECK(v->server_version != kProtocolVersion);
  uint32_t id = 0;
  for (int i = 0; i < 4; ++i) id |= uint32_t{in[2 + i]} << (8 * i);
  FUZZ_CHECK(v->client_connection_id == id && v->server_version == in[1]);
  return 1;
}

int checkChallenge(std::span<const uint8_t> in) {
  DropReason why = DropReason::kNone;
  auto c = parseChallenge(in, &why);
  if (!c) {
    FUZZ_CHECK(why != DropReason::kNone);
    return 0;
  }
  FUZZ_CHECK(in.size() == kChallengeSize);
  uint8_t out[kChallengeSize];
  FUZZ_CHECK(writeChallenge(*c, out) == kChallengeSize);
  FUZZ_CHECK(sameBytes(out, in));
  return 1;
}

int checkConnect(std::span<const uint8_t> in) {
  DropReason why = DropReason::kNone;
  auto c = parseConnect(in, &why);
  if (!c) {
    FUZZ_CHECK(why != DropReason::kNone);
    return 0;
  }
  FUZZ_CHECK(c->version == kProtocolVersion);
  FUZZ_CHECK(c->certificate.size() <= kMaxCertBytes);
  FUZZ_CHECK(inside(c->certificate, in));
  FUZZ_CHECK(c->signed_length + c->signature.size() == in.size());
  std::vector<uint8_t> out(in.size() + 64);
  size_t n = writeConnectUnsigned(*c, out.data(), out.size());
  FUZZ_CHECK(n == c->signed_length);
  std::memcpy(out.data() + n, c->signature.data(), c->signature.size());
  FUZZ_CHECK(sameBytes({out.data(), n + c->signature.size()}, in));
  // The bytes a client signs cover exactly the unsigned part.
  std::vector<uint8_t> msg(n + 64);
  size_t m = connectSignedMessage(in.first(n), msg.data(), msg.size());
  FUZZ_CHECK(m > n && std::memcmp(msg.data() + m - n, in.data(), n) == 0);
  return 1;
}

int checkAccept(std::span<const uint8_t> in) {
  DropReason why = DropReason::kNone;
  auto a = parseAccept(in, &why);
  if (!a) {
    FUZZ_CHECK(why != DropReason::kNone);
    return 0;
  }
  FUZZ_CHECK(a->version == kProtocolVersion);
  FUZZ_CHECK(a->reject_debug.size() <= kMaxRejectDebug);
  FUZZ_CHECK(a->certificate.size() <= kMaxCertBytes);
  FUZZ_CHECK(inside(a->certificate, in));
  FUZZ_CHECK(a->signed_length + a->signature.size() == in.size());
  std::vector<uint8_t> out(in.size() + 64);
  size_t n = writeAcceptUnsigned(*a, out.data(), out.size());
  FUZZ_CHECK(n == a->signed_length);
  std::memcpy(out.data() + n, a->signature.data(), a->signature.size());
  FUZZ_CHECK(sameBytes({out.data(), n + a->signature.size()}, in));
  uint8_t kx[32] = {};
  std::vector<uint8_t> msg(n + 128);
  size_t m = acceptSignedMessage(std::span<const uint8_t, 32>(kx, 32), in.first(n), msg.data(), msg.size());
  FUZZ_CHECK(m > n + 32 && std::memcmp(msg.data() + m - n, in.data(), n) == 0);
  return 1;
}

int checkDataHeader(std::span<const uint8_t> in) {
  DropReason why = DropReason::kNone;
  auto h = parseDataHeader(in, &why);
  if (!h) {
    FUZZ_CHECK(why != DropReason::kNone);
    return 0;
  }
  uint8_t out[kDataHeaderSize];
  writeDataHeader(*h, out);
  FUZZ_CHECK(sameBytes(out, in.first(kDataHeaderSize)));
  return 1;
}

// The reconstructed packet number carries the received low bits and lies within half the
// 32-bit window of the expected one (except where that would go below zero).
void checkPacketNumber(std::span<const uint8_t> in) {
  if (in.size() < 12) return;
  uint64_t expected = 0;
  uint32_t low = 0;
  std::memcpy(&expected, in.data() + in.size() - 12, 8);
  std::memcpy(&low, in.data() + in.size() - 4, 4);
  expected >>= 2;  // packet numbers are varints on the wire elsewhere: at most 2^62
  uint64_t pn = outpost::transport::wire::reconstructPacketNumber(expected, low);
  FUZZ_CHECK(static_cast<uint32_t>(pn) == low);
  constexpr uint64_t kHalf = uint64_t{1} << 31;
  uint64_t distance = pn > expected ? pn - expected : expected - pn;
  if (expected >= kHalf * 2) FUZZ_CHECK(distance <= kHalf);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::span<const uint8_t> in(data, size);
  int accepted = checkHello(in) + checkVersionMismatch(in) + checkChallenge(in) + checkConnect(in) + checkAccept(in) +
                 checkDataHeader(in);
  // The type byte decides: no packet is valid as two kinds.
  FUZZ_CHECK(accepted <= 1);
  checkPacketNumber(in);
  return 0;
}
