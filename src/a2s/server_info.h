// ServerInfo: everything an A2S query answers (docs/spec/a2s.md §3), as one plain value. The game
// server fills it (GameServer's setters map onto its fields) and hands a copy to A2sResponder or
// A2sQuerySocket::update(); the responder encodes it once per update, never per request.
//
// Wire notes that shape the fields:
//   * Strings travel NUL-terminated, so each string is cut at its first NUL when encoded.
//   * `app_id` is the full 32-bit AppID; the INFO reply's ID field carries only its low 16 bits,
//     and the full value travels in the GameID (EDF 0x01), whose low 24 bits are the AppID.
//   * Each EDF field is sent only when set (non-zero port/SteamID/GameID, non-empty keywords);
//     the EDF byte itself is omitted when none is.
//   * Counts are bytes on the wire: players, max_players and bots are clamped to 255, and at most
//     255 entries of `player_list` are listed.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace outpost::a2s {

// Limits of setKeyValue (the reference's k_cbMaxGameServerRuleName/Value are 128/256 with NUL).
inline constexpr size_t kMaxRuleKeyBytes = 127;
inline constexpr size_t kMaxRuleValueBytes = 255;

// One entry of the A2S_PLAYER reply. Bots are listed like players.
struct PlayerEntry {
  std::string name;
  int32_t score = 0;
  float duration_s = 0.0f;  // seconds connected
};

struct ServerInfo {
  uint8_t protocol = 17;  // network protocol version of the game
  std::string name;       // server name
  std::string map;
  std::string folder;     // game directory ("mod dir"), e.g. "tf"
  std::string game;       // game description, e.g. "Team Fortress"
  uint32_t app_id = 0;    // full AppID (wire ID field: low 16 bits)
  uint8_t players = 0;    // players on the server, bots included
  uint8_t max_players = 0;
  uint8_t bots = 0;
  char server_type = 'd';  // 'd' dedicated, 'l' listen (non-dedicated), 'p' SourceTV proxy
  char environment = 'l';  // 'l' Linux, 'w' Windows, 'm' macOS
  bool password = false;   // visibility: true = private (password required)
  bool secure = false;     // VAC secured
  std::string version;

  // Extra-data fields (EDF), each sent only when set.
  uint16_t game_port = 0;        // EDF 0x80 when non-zero
  uint64_t steam_id = 0;         // EDF 0x10 when non-zero
  uint16_t spectator_port = 0;   // EDF 0x40 when non-zero (SourceTV port ...
  std::string spectator_name;    //   ... and name)
  std::string keywords;          // EDF 0x20 when non-empty: tags, comma-separated
  uint64_t game_id = 0;          // EDF 0x01 when non-zero; low 24 bits = AppID

  std::vector<PlayerEntry> player_list;  // A2S_PLAYER, in this order
  std::map<std::string, std::string> rules;  // A2S_RULES, sent sorted by key

  // The GameID of a plain (non-mod) Steam game: the AppID in the low 24 bits, type 0.
  static uint64_t gameIdForApp(uint32_t app_id) { return app_id & 0xFFFFFFu; }

  // Sets (or replaces) one rule, like ISteamGameServer::SetKeyValue. Returns false, changing
  // nothing, if the key is empty or longer than kMaxRuleKeyBytes, the value is longer than
  // kMaxRuleValueBytes, or either contains a NUL (it would end the string on the wire).
  [[nodiscard]] bool setKeyValue(std::string_view key, std::string_view value);
  // Removes every rule, like ISteamGameServer::ClearAllKeyValues.
  void clearAllKeyValues() { rules.clear(); }
};

inline bool ServerInfo::setKeyValue(std::string_view key, std::string_view value) {
  if (key.empty() || key.size() > kMaxRuleKeyBytes || value.size() > kMaxRuleValueBytes)
    return false;
  if (key.find('\0') != std::string_view::npos || value.find('\0') != std::string_view::npos)
    return false;
  rules[std::string(key)] = std::string(value);
  return true;
}

}  // namespace outpost::a2s
