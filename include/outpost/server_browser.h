// outpost::ServerBrowser — the player's view of servers: the list from a master server (Valve's
// Master Server Query Protocol, as outpost-hub serves it) with filters, and each server's A2S
// info, players, rules and ping. Blocking calls, each bounded by its timeout (lost requests and
// replies are asked for again within it); thread-safe (no shared state between calls).
// Addresses are "ip:port".
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace outpost {

struct ServerInfoResult {  // A2S_INFO
  std::string address;
  int protocol = 0;
  std::string name, map, folder, game;
  uint32_t app_id = 0;  // from the GameID when present, else the 16-bit ID field
  int players = 0, max_players = 0, bots = 0;
  char server_type = 0, environment = 0;
  bool password = false, secure = false;
  std::string version;
  uint16_t game_port = 0;
  uint64_t steam_id = 0;
  uint16_t spectator_port = 0;
  std::string spectator_name, keywords;
  uint64_t game_id = 0;
  int ping_ms = -1;  // time of the challenged INFO round trip
};

struct ServerPlayer {  // one A2S_PLAYER entry
  std::string name;
  int32_t score = 0;
  float duration_s = 0;
};

class ServerBrowser {
 public:
  // Every server the master lists for `filter` (e.g. "\\map\\de_dust\\secure\\1"), walking the
  // pages. region 0xFF = all. Empty on timeout (the servers gathered so far are kept).
  std::vector<std::string> requestServerList(const std::string& master_address, const std::string& filter = "",
                                             uint8_t region = 0xFF, int timeout_ms = 5000);
  std::optional<ServerInfoResult> queryInfo(const std::string& server, int timeout_ms = 2000);
  std::optional<std::vector<ServerPlayer>> queryPlayers(const std::string& server, int timeout_ms = 2000);
  std::optional<std::map<std::string, std::string>> queryRules(const std::string& server, int timeout_ms = 2000);
  // Round-trip milliseconds of an A2S_INFO exchange, -1 if the server did not answer.
  int ping(const std::string& server, int timeout_ms = 2000);
};

}  // namespace outpost
