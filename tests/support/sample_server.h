// sampleServer(): one A2S record (info, players, rules) with every field set, for the tests,
// fixtures and fuzz targets that serve or encode A2S without a GameServer. The values:
//   name "Outpost Sample"  map "ctf_2fort"  folder "tf"  game "Team Fortress"  protocol 17
//   app_id 440 (low byte 0xB8 >= 0x80: qstat reads the Source split format)  game_id 440
//   players 3, max_players 24, bots 1, type 'd', environment 'l', password 0, secure 1
//   version "8622567"; extra data: game_port 27015, steam_id 90071992547409921,
//   SourceTV 27020 "Outpost TV", keywords "outpost,sample,ctf"
//   players: Alice 42 125.5 s; Bob -7 60.25 s; OutpostBot 0 5.0 s
//   rules: outpost_rule_000 .. outpost_rule_199 = "value_000" .. "value_199" (200 rules: the
//   RULES reply, 5,407 bytes, is split into 5 fragments)
// A test that needs another value changes the copy it got.
#pragma once

#include <cstdio>
#include <string>
#include <vector>

#include "outpost/server_info.h"

namespace outpost::test {

struct SampleServer {
  ServerInfoResult info;
  std::vector<ServerPlayer> players;
  ServerRules rules;
};

inline SampleServer sampleServer() {
  SampleServer s;
  ServerInfoResult& i = s.info;
  i.protocol = 17;
  i.name = "Outpost Sample";
  i.map = "ctf_2fort";
  i.folder = "tf";
  i.game = "Team Fortress";
  i.app_id = 440;
  i.players = 3;
  i.max_players = 24;
  i.bots = 1;
  i.server_type = 'd';
  i.environment = 'l';
  i.password = false;
  i.secure = true;
  i.version = "8622567";
  i.game_port = 27015;
  i.steam_id = 90071992547409921ull;
  i.spectator_port = 27020;
  i.spectator_name = "Outpost TV";
  i.keywords = "outpost,sample,ctf";
  i.game_id = 440;  // a plain Steam game: the AppID in the low 24 bits
  s.players = {{"Alice", 42, 125.5f}, {"Bob", -7, 60.25f}, {"OutpostBot", 0, 5.0f}};
  for (int n = 0; n < 200; ++n) {
    char key[32], value[32];
    std::snprintf(key, sizeof key, "outpost_rule_%03d", n);
    std::snprintf(value, sizeof value, "value_%03d", n);
    s.rules[key] = value;
  }
  return s;
}

}  // namespace outpost::test
