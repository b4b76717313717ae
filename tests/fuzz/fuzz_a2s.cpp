// libFuzzer target for the A2S request parser (src/a2s/responder.h): feeds arbitrary datagrams to
// A2sResponder::handle() with a fixed MAC key and a fixed ServerInfo (3 players, 200 rules, so
// RULES replies are split). Input layout: byte 0 = flags, the rest = the datagram.
//   flags bit 0: overwrite the datagram's challenge slot (bytes 5..8, or 25..28 of a 29-byte
//                INFO) with the valid challenge for the source, so the data path is reached;
//   flags bit 1: IPv6 source instead of IPv4;  bits 2..3: time offset in challenge windows.
// Beyond "never crashes, never reads outside the input" it checks:
//  - every datagram out is <= 1400 bytes and addressed to the source;
//  - a request without a valid challenge gets at most one 9-byte S2C_CHALLENGE, never more bytes
//    than it sent;
//  - a data reply is the exact single-packet encoding of the ServerInfo for its type, either as
//    one datagram or as Source-format fragments (id bit 31 clear, total/number consistent,
//    Size 1248) whose payloads concatenate to it;
//  - each call moves exactly one of the per-datagram counters (a reply, a challenge, a drop).
#include <cstdint>
#include <cstring>
#include <vector>

#include "a2s/responder.h"
#include "fuzz_check.h"

using namespace outpost;
using namespace outpost::a2s;

namespace {

constexpr TimeUs kT0 = TimeUs{1} << 40;
constexpr TimeUs kWindow = 30'000'000;

ServerInfo fuzzInfo() {
  ServerInfo s;
  s.name = "fuzz";
  s.map = "map";
  s.folder = "tf";
  s.game = "game";
  s.app_id = 440;
  s.players = 3;
  s.max_players = 8;
  s.version = "1";
  s.game_port = 27015;
  s.steam_id = 1;
  s.spectator_port = 27020;
  s.spectator_name = "tv";
  s.keywords = "k";
  s.game_id = 440;
  s.player_list = {{"a", 1, 1.0f}, {"b", -1, 2.0f}, {"c", 0, 0.0f}};
  for (int i = 0; i < 200; ++i)
    if (!s.setKeyValue("rule_number_" + std::to_string(i), "value_" + std::to_string(i))) abort();
  return s;
}

struct State {
  ServerInfo info = fuzzInfo();
  std::vector<uint8_t> info_reply = encodeInfoReply(info);
  std::vector<uint8_t> player_reply = encodePlayerReply(info);
  std::vector<uint8_t> rules_reply = encodeRulesReply(info);
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

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static State state;
  static A2sResponder responder(state.options(), kT0);
  static bool updated = (responder.update(state.info), true);
  (void)updated;
  if (size < 1) return 0;
  const uint8_t flags = data[0];
  std::vector<uint8_t> packet(data + 1, data + size);
  const SocketAddress from = (flags & 2) ? SocketAddress::ipv6Loopback(4000)
                                         : SocketAddress::ipv4(0x7F000001, 4000);
  const TimeUs now = kT0 + ((flags >> 2) & 3) * kWindow;
  if (flags & 1) {
    auto ch = responder.challengeFor(from, now);
    size_t at = packet.size() == kInfoChallengedRequestBytes ? 25 : 5;
    if (packet.size() >= at + 4) std::memcpy(packet.data() + at, ch.data(), 4);
  }

  const A2sCounters before = responder.counters();
  std::vector<A2sResponder::Outgoing> out;
  responder.handle(from, packet, now, out);
  const A2sCounters after = responder.counters();
  FUZZ_CHECK(perDatagram(after) == perDatagram(before) + 1);

  for (const auto& o : out) {
    FUZZ_CHECK(o.address == from);
    FUZZ_CHECK(!o.bytes.empty() && o.bytes.size() <= kMaxPacketBytes);
  }
  if (out.empty()) return 0;
  if (after.challenges_sent == before.challenges_sent + 1) {
    FUZZ_CHECK(out.size() == 1 && out[0].bytes.size() == kChallengeReplyBytes);
    FUZZ_CHECK(out[0].bytes.size() <= packet.size());
    FUZZ_CHECK(out[0].bytes[4] == kChallengeReply);
    auto ch = responder.challengeFor(from, now);
    FUZZ_CHECK(std::memcmp(out[0].bytes.data() + 5, ch.data(), 4) == 0);
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
    uint32_t id = 0;
    for (size_t i = 0; i < out.size(); ++i) {
      const auto& f = out[i].bytes;
      FUZZ_CHECK(f.size() > kSplitHeaderBytes);
      FUZZ_CHECK(f[0] == 0xFE && f[1] == 0xFF && f[2] == 0xFF && f[3] == 0xFF);
      uint32_t fid = f[4] | f[5] << 8 | f[6] << 16 | uint32_t(f[7]) << 24;
      if (i == 0) id = fid;
      FUZZ_CHECK(fid == id && (fid & 0x80000000u) == 0);
      FUZZ_CHECK(f[8] == out.size() && f[9] == i);
      FUZZ_CHECK((f[10] | f[11] << 8) == kSplitPayloadBytes);
      message.insert(message.end(), f.begin() + kSplitHeaderBytes, f.end());
    }
  }
  const uint8_t type = packet[4];
  FUZZ_CHECK(message == (type == kInfoRequest     ? state.info_reply
                         : type == kPlayerRequest ? state.player_reply
                                                  : state.rules_reply));
  return 0;
}
