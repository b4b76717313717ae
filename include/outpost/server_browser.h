// outpost::ServerBrowser — the player's view of servers: the list from a master server (Valve's
// Master Server Query Protocol, as outpost-hub serves it) with filters, and each server's A2S
// info, players, rules and ping. Blocking calls, each bounded by its timeout (lost requests and
// replies are asked for again within it); thread-safe (no shared state between calls).
// Addresses are "ip:port". The records (ServerInfoResult, ServerPlayer) are in server_info.h.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "outpost/server_info.h"

namespace outpost {

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
