// libFuzzer target for the player side's reply parsers (src/client/a2s_reply.h), which read what
// any server on the internet sends back. Input byte 0 picks the mode:
//   even: the rest is an arbitrary reply, given to every parser (INFO, PLAYER, RULES, master
//         page). Beyond "never crashes, never reads outside the input": a parsed string holds no
//         NUL, a PLAYER list has at most 255 entries, a master page yields at most one address per
//         6 bytes after its header, each "a.b.c.d:port";
//   odd:  the rest seeds a ServerInfo that the server's own encoders (src/a2s/responder.h) turn
//         into INFO, PLAYER and RULES replies; parsing them gives back every field (round trip).
#include <cstdint>
#include <cstring>
#include <string>
#include <vector>

#include "a2s/responder.h"
#include "client/a2s_reply.h"
#include "fuzz_check.h"

using namespace outpost;

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
  if (auto info = a2sreply::parseInfo(in)) {
    for (const std::string* s : {&info->name, &info->map, &info->folder, &info->game, &info->version,
                                 &info->spectator_name, &info->keywords})
      FUZZ_CHECK(noNul(*s));
  }
  if (auto players = a2sreply::parsePlayers(in)) {
    FUZZ_CHECK(players->size() <= 255);
    for (const auto& p : *players) FUZZ_CHECK(noNul(p.name));
  }
  if (auto rules = a2sreply::parseRules(in)) {
    FUZZ_CHECK(rules->size() <= 65535);
    for (const auto& [k, v] : *rules) FUZZ_CHECK(noNul(k) && noNul(v));
  }
  std::vector<std::string> list;
  bool last = false;
  if (a2sreply::parseMasterPage(in, &list, &last)) {
    FUZZ_CHECK(in.size() >= 6 && list.size() <= (in.size() - 6) / 6);
    for (const auto& a : list) FUZZ_CHECK(a.find(':') != std::string::npos && a.size() <= 21);
  } else {
    FUZZ_CHECK(list.empty() && !last);
  }
}

void roundTrip(Source& src) {
  a2s::ServerInfo s;
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
    s.player_list.push_back({src.str(20), static_cast<int32_t>(bits >> 32), d});
  }
  for (int i = 0, n = src.u8() % 16; i < n; ++i) s.rules[src.str(20)] = src.str(40);

  auto body = [](const std::vector<uint8_t>& m) { return std::span<const uint8_t>(m).subspan(4); };
  auto info_msg = a2s::encodeInfoReply(s);
  auto info = a2sreply::parseInfo(body(info_msg));
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

  auto players = a2sreply::parsePlayers(body(a2s::encodePlayerReply(s)));
  FUZZ_CHECK(players.has_value() && players->size() == s.player_list.size());
  for (size_t i = 0; i < players->size(); ++i) {
    FUZZ_CHECK((*players)[i].name == s.player_list[i].name && (*players)[i].score == s.player_list[i].score);
    FUZZ_CHECK(std::memcmp(&(*players)[i].duration_s, &s.player_list[i].duration_s, 4) == 0);
  }
  auto rules = a2sreply::parseRules(body(a2s::encodeRulesReply(s)));
  FUZZ_CHECK(rules.has_value() && *rules == s.rules);
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
