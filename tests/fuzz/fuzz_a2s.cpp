// libFuzzer target for the server side of A2S: the request parser of the A2S codec
// (src/a2s/request.h) and the responder around it (src/server/a2s_responder.h), fed arbitrary
// datagrams with a fixed MAC key and the sample record of tests/support/sample_server.h (3
// players, 200 rules, so RULES replies are split). Input layout: byte 0 = flags, the rest = the
// datagram.
//   flags bit 0: overwrite the datagram's challenge slot (bytes 5..8, or 25..28 of a 29-byte
//                INFO) with the valid challenge for the source, so the data path is reached;
//   flags bit 1: IPv6 source instead of IPv4;  bits 2..3: time offset in challenge windows.
// Beyond "never crashes, never reads outside the input" it checks:
//  - parseRequest accepts exactly what encodeRequest can produce: an accepted datagram
//    re-encodes to the same bytes, and a refusal moves the responder's counter for its reason;
//  - every datagram out is <= 1400 bytes and addressed to the source;
//  - a request without a valid challenge gets at most one 9-byte S2C_CHALLENGE, never more bytes
//    than it sent;
//  - a data reply is the exact single-packet encoding of the record for its type, either as one
//    datagram or as Source-format fragments (id bit 31 clear, total/number consistent, Size
//    1248) that the codec's SplitReassembler joins back into it;
//  - each call moves exactly one of the per-datagram counters (a reply, a challenge, a drop).
#include <cstdint>
#include <cstring>
#include <vector>

#include "a2s/reply.h"
#include "a2s/request.h"
#include "a2s/split.h"
#include "fuzz_check.h"
#include "server/a2s_responder.h"
#include "support/sample_server.h"

using namespace outpost;
using namespace outpost::a2s;
using outpost::server::A2sCounters;
using outpost::server::A2sResponder;
using outpost::server::A2sResponderOptions;

namespace {

constexpr base::TimeUs kT0 = base::TimeUs{1} << 40;
constexpr base::TimeUs kWindow = 30'000'000;

struct State {
  test::SampleServer sample = test::sampleServer();
  std::vector<uint8_t> info_reply = encodeInfoReply(sample.info);
  std::vector<uint8_t> player_reply = encodePlayerReply(sample.players);
  std::vector<uint8_t> rules_reply = encodeRulesReply(sample.rules);
  A2sResponderOptions options() const {
    A2sResponderOptions o;
    std::array<uint8_t, 32> key{};
    key.fill(0x42);
    o.secret = key;
    o.replies_per_sec_per_ip = 1e6;  // the fuzzer must reach framing, not the rate limit
    o.reply_burst_per_ip = 1e6;
    o.reply_bytes_per_sec_global = 1e12;
    o.reply_burst_bytes_global = 1e12;
    o.challenges_per_sec_global = 1e9;
    o.challenge_burst_global = 1e9;
    return o;
  }
};

uint64_t perDatagram(const A2sCounters& c) {
  return c.info_replies + c.player_replies + c.rules_replies + c.challenges_sent + c.dropped();
}

// The counter the responder moves for a datagram the codec refuses.
uint64_t A2sCounters::*counterFor(RequestError e) {
  switch (e) {
    case RequestError::kTooShort: return &A2sCounters::dropped_too_short;
    case RequestError::kSplitRequest: return &A2sCounters::dropped_split_request;
    case RequestError::kBadHeader: return &A2sCounters::dropped_bad_header;
    case RequestError::kUnsupportedType: return &A2sCounters::dropped_unsupported_type;
    case RequestError::kUnknownType: return &A2sCounters::dropped_unknown_type;
    case RequestError::kBadLength: return &A2sCounters::dropped_bad_length;
    case RequestError::kBadInfoString: return &A2sCounters::dropped_bad_info_string;
    case RequestError::kNone: break;
  }
  return nullptr;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static State state;
  static A2sResponder responder(state.options(), kT0);
  static bool updated = (responder.update(state.sample.info, state.sample.players, state.sample.rules), true);
  (void)updated;
  if (size < 1) return 0;
  const uint8_t flags = data[0];
  std::vector<uint8_t> packet(data + 1, data + size);
  const base::SocketAddress from =
      (flags & 2) ? base::SocketAddress::ipv6Loopback(4000) : base::SocketAddress::ipv4(0x7F000001, 4000);
  const base::TimeUs now = kT0 + ((flags >> 2) & 3) * kWindow;
  if (flags & 1) {
    auto ch = responder.challengeFor(from, now);
    size_t at = packet.size() == kInfoChallengedRequestBytes ? 25 : 5;
    if (packet.size() >= at + 4) std::memcpy(packet.data() + at, ch.data(), 4);
  }

  RequestError error = RequestError::kNone;
  const std::optional<Request> request = parseRequest(packet, &error);
  if (request) {
    FUZZ_CHECK(error == RequestError::kNone);
    FUZZ_CHECK(encodeRequest(request->type, request->challenge) == packet);
  } else {
    FUZZ_CHECK(counterFor(error) != nullptr);
  }

  const A2sCounters before = responder.counters();
  std::vector<A2sResponder::Outgoing> out;
  responder.handle(from, packet, now, out);
  const A2sCounters after = responder.counters();
  FUZZ_CHECK(perDatagram(after) == perDatagram(before) + 1);
  if (!request) {
    FUZZ_CHECK(out.empty() && after.*counterFor(error) == before.*counterFor(error) + 1);
    return 0;
  }

  for (const auto& o : out) {
    FUZZ_CHECK(o.address == from);
    FUZZ_CHECK(!o.bytes.empty() && o.bytes.size() <= kMaxPacketBytes);
  }
  if (out.empty()) return 0;
  if (after.challenges_sent == before.challenges_sent + 1) {
    FUZZ_CHECK(out.size() == 1 && out[0].bytes.size() == kChallengeReplyBytes);
    FUZZ_CHECK(out[0].bytes.size() <= packet.size());
    FUZZ_CHECK(parseChallengeReply(out[0].bytes) == responder.challengeFor(from, now));
    return 0;
  }
  // A data reply: the request carried a challenge valid for this source (this or last window).
  FUZZ_CHECK(packet.size() >= 9);
  const size_t at = packet.size() == kInfoChallengedRequestBytes ? 25 : 5;
  auto now_ch = responder.challengeFor(from, now);
  auto old_ch = responder.challengeFor(from, now - kWindow);
  FUZZ_CHECK(std::memcmp(packet.data() + at, now_ch.data(), 4) == 0 ||
             std::memcmp(packet.data() + at, old_ch.data(), 4) == 0);
  std::vector<uint8_t> message;
  if (out.size() == 1) {
    message = out[0].bytes;
  } else {
    SplitReassembler joined;
    for (size_t i = 0; i < out.size(); ++i) {
      const auto& f = out[i].bytes;
      auto fragment = parseSplitFragment(f);
      FUZZ_CHECK(fragment.has_value() && !fragment->payload.empty());
      FUZZ_CHECK((fragment->answer_id & 0x80000000u) == 0);
      FUZZ_CHECK(fragment->total == out.size() && fragment->number == i);
      FUZZ_CHECK((f[10] | f[11] << 8) == kSplitPayloadBytes);
      // One answer id for all: the reply is complete exactly at its last fragment.
      FUZZ_CHECK((joined.add(f) == SplitReassembler::Status::kComplete) == (i + 1 == out.size()));
    }
    message = joined.message();
  }
  const uint8_t type = request->type;
  FUZZ_CHECK(message == (type == kInfoRequest     ? state.info_reply
                         : type == kPlayerRequest ? state.player_reply
                                                  : state.rules_reply));
  return 0;
}
