// libFuzzer target for the player side's parsers in the A2S and master codecs
// (src/a2s/reply.h, split.h; src/master/reply_page.h), which read what any server on the internet
// sends back. Input byte 0 picks the mode:
//   even: the rest is an arbitrary reply body, given to every parser (INFO, PLAYER, RULES), and
//         an arbitrary datagram, given to the challenge, split-fragment and master-page parsers.
//         Beyond "never crashes, never reads outside the input": a parsed string holds no NUL, a
//         PLAYER list has at most 255 entries, a master page yields at most one address per 6
//         bytes after its header and re-encodes to the bytes it was read from, a fragment's
//         payload lies inside the datagram;
//   odd:  the rest seeds a record (outpost/server_info.h) that the server's own encoders
//         (src/a2s/reply.h) turn into INFO, PLAYER and RULES replies; parsing them gives back
//         every field (round trip).
#include <cstdint>
#include <cstring>
#include <string>
#include <vector>

#include "a2s/reply.h"
#include "a2s/split.h"
#include "fuzz_check.h"
#include "master/reply_page.h"

using namespace outpost;
using namespace outpost::a2s;

namespace {

// Reads bytes, strings and numbers from the fuzz input, zeros after its end.
struct Source {
  const uint8_t* p;
  size_t n, at = 0;
  uint8_t u8() { return at < n ? p[at++] : 0; }
  uint64_t u64() {
    uint64_t v = 0;
    for (int i = 0; i < 8; ++i) v = v << 8 | u8();
    return v;
  }
  std::string str(size_t max) {  // no NUL (the encoders cut strings there)
    size_t len = u8() % (max + 1);
    std::string s;
    for (size_t i = 0; i < len; ++i) {
      char c = static_cast<char>(u8());
      s.push_back(c == 0 ? 'x' : c);
    }
    return s;
  }
};

bool noNul(const std::string& s) { return s.find('\0') == std::string::npos; }

void arbitrary(std::span<const uint8_t> in) {
  if (auto info = parseInfoReply(in)) {
    for (const std::string* s :
         {&info->name, &info->map, &info->folder, &info->game, &info->version, &info->spectator_name, &info->keywords})
      FUZZ_CHECK(noNul(*s));
  }
  if (auto players = parsePlayerReply(in)) {
    FUZZ_CHECK(players->size() <= 255);
    for (const auto& p : *players) FUZZ_CHECK(noNul(p.name));
  }
  if (auto rules = parseRulesReply(in)) {
    FUZZ_CHECK(rules->size() <= 65535);
    for (const auto& [k, v] : *rules) FUZZ_CHECK(noNul(k) && noNul(v));
  }
  if (auto challenge = parseChallengeReply(in))
    FUZZ_CHECK(encodeChallengeReply(*challenge) == std::vector<uint8_t>(in.begin(), in.end()));
  if (auto fragment = parseSplitFragment(in)) {
    FUZZ_CHECK(in.size() >= kSplitHeaderBytes && fragment->payload.data() == in.data() + kSplitHeaderBytes);
    FUZZ_CHECK(fragment->payload.size() == in.size() - kSplitHeaderBytes);
  }
  if (auto page = master::parseReplyPage(in)) {
    FUZZ_CHECK(in.size() >= master::kReplyHeaderBytes);
    FUZZ_CHECK(page->servers.size() <= (in.size() - master::kReplyHeaderBytes) / master::kReplyEntryBytes);
    for (const auto& e : page->servers) FUZZ_CHECK(!(e == master::PageEntry{}));
    // The bytes it was read from, up to the terminator (or the last whole entry), encode it.
    size_t used = master::kReplyHeaderBytes + (page->servers.size() + (page->last ? 1 : 0)) * master::kReplyEntryBytes;
    if (page->servers.size() + (page->last ? 1 : 0) <= master::kMaxEntriesPerReply)
      FUZZ_CHECK(master::encodeReplyPage(page->servers, page->last) ==
                 std::vector<uint8_t>(in.begin(), in.begin() + used));
  }
}

void roundTrip(Source& src) {
  ServerInfoResult s;
  std::vector<ServerPlayer> player_list;
  ServerRules rules;
  s.protocol = src.u8();
  s.name = src.str(64);
  s.map = src.str(32);
  s.folder = src.str(32);
  s.game = src.str(64);
  s.app_id = static_cast<uint32_t>(src.u64());
  s.players = src.u8();
  s.max_players = src.u8();
  s.bots = src.u8();
  s.server_type = static_cast<char>(src.u8());
  s.environment = static_cast<char>(src.u8());
  s.password = src.u8() & 1;
  s.secure = src.u8() & 1;
  s.version = src.str(16);
  uint8_t edf = src.u8();
  if (edf & 1) s.game_port = static_cast<uint16_t>(src.u64());
  if (edf & 2) s.steam_id = src.u64();
  if (edf & 4) {
    s.spectator_port = static_cast<uint16_t>(src.u64());
    s.spectator_name = src.str(32);
  }
  if (edf & 8) s.keywords = src.str(64);
  if (edf & 16) s.game_id = src.u64();
  for (int i = 0, n = src.u8() % 8; i < n; ++i) {
    uint64_t bits = src.u64();
    float d;
    uint32_t b32 = static_cast<uint32_t>(bits);
    std::memcpy(&d, &b32, 4);
    player_list.push_back({src.str(20), static_cast<int32_t>(bits >> 32), d});
  }
  for (int i = 0, n = src.u8() % 16; i < n; ++i) rules[src.str(20)] = src.str(40);

  auto body = [](const std::vector<uint8_t>& m) { return std::span<const uint8_t>(m).subspan(4); };
  auto info_msg = encodeInfoReply(s);
  auto info = parseInfoReply(body(info_msg));
  FUZZ_CHECK(info.has_value());
  FUZZ_CHECK(info->protocol == s.protocol && info->name == s.name && info->map == s.map && info->folder == s.folder &&
             info->game == s.game && info->version == s.version);
  FUZZ_CHECK(info->players == s.players && info->max_players == s.max_players && info->bots == s.bots);
  FUZZ_CHECK(info->server_type == s.server_type && info->environment == s.environment);
  FUZZ_CHECK(info->password == s.password && info->secure == s.secure);
  FUZZ_CHECK(info->game_port == s.game_port && info->steam_id == s.steam_id && info->game_id == s.game_id);
  FUZZ_CHECK(info->spectator_port == s.spectator_port);
  if (s.spectator_port) FUZZ_CHECK(info->spectator_name == s.spectator_name);
  FUZZ_CHECK(info->keywords == s.keywords);
  FUZZ_CHECK(info->app_id == (s.game_id ? static_cast<uint32_t>(s.game_id & 0xFFFFFF) : (s.app_id & 0xFFFF)));

  auto players = parsePlayerReply(body(encodePlayerReply(player_list)));
  FUZZ_CHECK(players.has_value() && players->size() == player_list.size());
  for (size_t i = 0; i < players->size(); ++i) {
    FUZZ_CHECK((*players)[i].name == player_list[i].name && (*players)[i].score == player_list[i].score);
    FUZZ_CHECK(std::memcmp(&(*players)[i].duration_s, &player_list[i].duration_s, 4) == 0);
  }
  auto parsed_rules = parseRulesReply(body(encodeRulesReply(rules)));
  FUZZ_CHECK(parsed_rules.has_value() && *parsed_rules == rules);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  if ((data[0] & 1) == 0) {
    arbitrary(std::span<const uint8_t>(data + 1, size - 1));
  } else {
    Source src{data + 1, size - 1};
    roundTrip(src);
  }
  return 0;
}
