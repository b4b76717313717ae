// The A2S record: what a game server's query port answers (Valve's A2S_INFO, A2S_PLAYER and
// A2S_RULES) as plain values. Both ends use these types: GameServer fills them from its setters
// and its responder encodes them; ServerBrowser decodes replies into them. docs/spec/a2s.md §3 is
// the wire format, src/a2s/ the one codec.
//
// Wire notes that shape the fields (when a server encodes them):
//   * Strings travel NUL-terminated, so each string is cut at its first NUL.
//   * protocol, players, max_players and bots are one byte each: clamped to 0..255.
//   * `app_id` is the full 32-bit AppID; the INFO reply's ID field carries only its low 16 bits,
//     and the full value travels in the GameID (extra data 0x01), whose low 24 bits are the AppID.
//     A parsed reply's app_id comes from the GameID when present, else from the 16-bit ID field.
//   * Each extra-data field is sent only when set (non-zero port, Steam ID or GameID, non-empty
//     keywords); the extra-data byte itself is omitted when none is.
//   * At most 255 players are listed; rules are sent sorted by key (a std::map), at most 65535.
#pragma once

#include <cstdint>
#include <map>
#include <string>

namespace outpost {

struct ServerInfoResult {  // A2S_INFO
  std::string address;     // "ip:port" the reply came from (ServerBrowser); not on the wire
  int protocol = 0;        // network protocol version of the game (17 for Source games)
  std::string name, map;
  std::string folder;   // game directory ("mod dir"), e.g. "tf"
  std::string game;     // game description, e.g. "Team Fortress"
  uint32_t app_id = 0;  // see the file comment
  int players = 0;      // players on the server, bots included
  int max_players = 0, bots = 0;
  char server_type = 0;   // 'd' dedicated, 'l' listen (non-dedicated), 'p' SourceTV proxy
  char environment = 0;   // 'l' Linux, 'w' Windows, 'm' (or 'o') macOS
  bool password = false;  // true = private (a password is required)
  bool secure = false;    // VAC secured
  std::string version;
  uint16_t game_port = 0;       // extra data 0x80
  uint64_t steam_id = 0;        // extra data 0x10
  uint16_t spectator_port = 0;  // extra data 0x40: SourceTV port ...
  std::string spectator_name;   //   ... and name
  std::string keywords;         // extra data 0x20: tags, comma-separated
  uint64_t game_id = 0;         // extra data 0x01; low 24 bits = AppID
  int ping_ms = -1;             // time of the challenged INFO round trip (ServerBrowser); not on the wire
};

struct ServerPlayer {  // one A2S_PLAYER entry; bots are listed like players
  std::string name;
  int32_t score = 0;
  float duration_s = 0;  // seconds connected
};

// A2S_RULES: key -> value (the reference's setKeyValue pairs).
using ServerRules = std::map<std::string, std::string>;

}  // namespace outpost
