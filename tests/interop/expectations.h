// Expectations: what an A2S client must read from an interop fixture, written by the fixture as
// one JSON line on stdout so that a2s_qstat.mjs and a2s_gamedig.mjs assert values they did not
// hard-code. The fixture fills it from the values it chose itself (its inputs), never from what
// the server under test reports, so a server that advertises the wrong thing cannot agree with it.
//
// JSON keys (all present; a2s_qstat.mjs and a2s_gamedig.mjs read them):
//   fixture, query_port, protocol, name, map, folder, game, app_id, players, max_players, bots,
//   server_type ("d"/"l"/"p"), environment ("l"/"w"/"m"), password, secure, version, game_port,
//   steam_id (decimal string: it does not fit a JSON number), spectator_port, spectator_name,
//   keywords, player_list [{name, score, time_min, time_max, time_grows}], rules {k: v},
//   counters_min {counter: minimum} — counters the fixture prints on exit ("<fixture>: k=v" on
//   stderr) and the least each must reach once the client is done.
//
// Player durations: a client reads a duration within [time_min, time_max] seconds (inclusive) if
// time_grows is false. If it is true the player is connected and its duration keeps growing: the
// bounds hold when the line is printed, and a client adds the seconds between reading the line
// and sending its query to time_min, and those until it got the reply to time_max.
#pragma once

#include <cstdint>
#include <cstdio>
#include <map>
#include <string>
#include <vector>

namespace outpost::interop {

struct ExpectedPlayer {
  std::string name;
  int32_t score = 0;
  double time_min_s = 0;  // the duration a client reads is within [time_min_s, time_max_s] ...
  double time_max_s = 0;
  bool time_grows = false;  // ... plus the time since the line was printed (see above)
};

struct Expectations {
  std::string fixture;
  uint16_t query_port = 0;
  int protocol = 17;
  std::string name, map, folder, game;
  uint32_t app_id = 0;
  int players = 0, max_players = 0, bots = 0;
  char server_type = 'd', environment = 'l';
  bool password = false, secure = false;
  std::string version;
  uint16_t game_port = 0;
  uint64_t steam_id = 0;
  uint16_t spectator_port = 0;
  std::string spectator_name, keywords;
  std::vector<ExpectedPlayer> player_list;
  std::map<std::string, std::string> rules;
  std::map<std::string, uint64_t> counters_min;
};

// A JSON string literal: quotes, backslashes and control bytes escaped; other bytes as they are.
inline std::string jsonString(const std::string& s) {
  std::string out = "\"";
  for (unsigned char c : s) {
    if (c == '"' || c == '\\') {
      out += '\\';
      out += static_cast<char>(c);
    } else if (c < 0x20) {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\u%04x", c);
      out += buf;
    } else {
      out += static_cast<char>(c);
    }
  }
  return out + "\"";
}

inline std::string toJson(const Expectations& e) {
  auto num = [](double v) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.3f", v);
    return std::string(buf);
  };
  auto str = jsonString;
  auto b = [](bool v) { return std::string(v ? "true" : "false"); };
  std::string j = "{";
  j += "\"fixture\":" + str(e.fixture);
  j += ",\"query_port\":" + std::to_string(e.query_port);
  j += ",\"protocol\":" + std::to_string(e.protocol);
  j += ",\"name\":" + str(e.name) + ",\"map\":" + str(e.map);
  j += ",\"folder\":" + str(e.folder) + ",\"game\":" + str(e.game);
  j += ",\"app_id\":" + std::to_string(e.app_id);
  j += ",\"players\":" + std::to_string(e.players) + ",\"max_players\":" + std::to_string(e.max_players);
  j += ",\"bots\":" + std::to_string(e.bots);
  j += ",\"server_type\":" + str(std::string(1, e.server_type));
  j += ",\"environment\":" + str(std::string(1, e.environment));
  j += ",\"password\":" + b(e.password) + ",\"secure\":" + b(e.secure);
  j += ",\"version\":" + str(e.version);
  j += ",\"game_port\":" + std::to_string(e.game_port);
  j += ",\"steam_id\":" + str(std::to_string(e.steam_id));
  j += ",\"spectator_port\":" + std::to_string(e.spectator_port);
  j += ",\"spectator_name\":" + str(e.spectator_name);
  j += ",\"keywords\":" + str(e.keywords);
  j += ",\"player_list\":[";
  for (size_t i = 0; i < e.player_list.size(); ++i) {
    const auto& p = e.player_list[i];
    j += (i ? ",{" : "{") + std::string("\"name\":") + str(p.name) + ",\"score\":" + std::to_string(p.score) +
         ",\"time_min\":" + num(p.time_min_s) + ",\"time_max\":" + num(p.time_max_s) +
         ",\"time_grows\":" + b(p.time_grows) + "}";
  }
  j += "],\"rules\":{";
  bool first = true;
  for (const auto& [k, v] : e.rules) {
    j += (first ? "" : ",") + str(k) + ":" + str(v);
    first = false;
  }
  j += "},\"counters_min\":{";
  first = true;
  for (const auto& [k, v] : e.counters_min) {
    j += (first ? "" : ",") + str(k) + ":" + std::to_string(v);
    first = false;
  }
  return j + "}}";
}

}  // namespace outpost::interop
