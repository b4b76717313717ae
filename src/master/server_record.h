// ServerRecord: what the hub holds per listed game server, i.e. everything the Master Server
// Query Protocol can list (the address) or filter on (every other field). The hub fills one per
// registered server and hands a vector of them to MasterIndex (index.h), which copies them into
// an immutable snapshot. Plain data: no invariants beyond the field comments; MasterIndex drops
// records whose IP is 0.0.0.0 and duplicate (ip, query_port) pairs (see index.h).
#pragma once

#include <cstdint>
#include <string>

namespace outpost::master {

struct ServerRecord {
  // ---- Listed address (what a master reply carries, 6 bytes per server) ----
  // IPv4 address in host byte order (10.0.0.1 == 0x0A000001). Master replies are IPv4-only.
  uint32_t ip = 0;
  // The advertised query port: the port A2S answers on. That is the server's query port, or its
  // game port when it runs in GameSocketShare mode (usQueryPort = 0xFFFF, A2S on the game
  // socket). This is the port a master reply lists and the paging key together with `ip`.
  uint16_t query_port = 0;
  // The port players connect to (A2S_INFO EDF game port). Equal to query_port in
  // GameSocketShare mode. Used by \gameaddr\ip:port (which accepts either port).
  uint16_t game_port = 0;

  // ---- Identity ----
  uint32_t app_id = 0;    // Steam AppID the server runs (\appid\, \napp\)
  uint64_t steam_id = 0;  // the game server's SteamID (not filterable; listed for the hub's use)

  // ---- Strings (UTF-8 as the server reported them; matching is ASCII case-insensitive) ----
  std::string name;         // hostname (\name_match\, `*` wildcard)
  std::string map;          // current map (\map\)
  std::string gamedir;      // mod/game directory, e.g. "tf", "cstrike" (\gamedir\)
  std::string product;      // product string from the heartbeat, e.g. "tf" (not filterable)
  std::string description;  // game description, e.g. "Team Fortress" (not filterable)
  std::string version;      // version string, e.g. "1.0.0.0" (\version_match\, `*` wildcard)
  std::string tags;         // sv_tags / A2S keywords, comma separated (\gametype\)
  std::string gamedata;     // hidden tags, comma separated (\gamedata\, \gamedataor\)

  // Region byte the server registered with (0x00..0x07, 0xFF = rest of world). Only used for
  // filtering when the index is built with IndexOptions::filter_by_region.
  uint8_t region = 0xFF;

  // ---- Occupancy, as A2S_INFO reports it ----
  // players is the A2S "Players" count, which INCLUDES bots; bots is the subset that are bots.
  // \empty\, \full\ and \noplayers\ compare players (bots included) with 0 / max_players.
  uint16_t players = 0;
  uint16_t max_players = 0;
  uint16_t bots = 0;

  // ---- Flags ----
  bool password = false;         // password protected (\password\0 / \password\1)
  bool dedicated = false;        // dedicated server (\dedicated\1, legacy \type\d)
  bool secure = false;           // VAC secured (\secure\1)
  char os = 'l';                 // 'l' Linux, 'w' Windows, 'm' macOS (\linux\1 means 'l')
  bool spectator_proxy = false;  // SourceTV / spectator relay (\proxy\1, legacy \type\p)
  bool whitelisted = false;      // on the operator's whitelist (\white\1)
};

}  // namespace outpost::master
