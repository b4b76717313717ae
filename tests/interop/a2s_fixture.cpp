// a2s_fixture: an A2sQuerySocket serving a fixed ServerInfo, for the interop tests that run real
// A2S clients against the A2S encoder alone (a2s_qstat.sh, a2s_gamedig.mjs); game_server_fixture
// does the same through a real GameServer. This one also covers what a GameServer does not let a
// test choose: exact player durations, and an app id that fits the INFO reply's 16-bit ID field.
//
//   a2s_fixture [seconds]     (default 120, at most 600)
//
// Binds 127.0.0.1:0, prints one JSON line of expectations on stdout (expectations.h; the bound
// port is its query_port), serves until SIGTERM/SIGINT or `seconds` have passed, then prints its
// non-zero counters to stderr ("a2s_fixture: name=value"). Exit status 0 on a clean stop, 1 if
// it could not start.
//
// The served values (fixtureInfo below; the expectations are made from the same ServerInfo):
//   name "Outpost A2S Interop"  map "ctf_2fort"  folder "tf"  game "Team Fortress"
//   app_id 440 (low byte 0xB8 >= 0x80: qstat uses the Source split format)  protocol 17
//   players 3, max_players 24, bots 1, type 'd', environment 'l', password 0, secure 1
//   version "8622567"; EDF: game_port 27015, steam_id 90071992547409921,
//   SourceTV 27020 "Outpost TV", keywords "outpost,interop,ctf", game_id 440
//   player_list: Alice 42 125.5 s; Bob -7 60.25 s; OutpostBot 0 5.0 s
//   rules: outpost_rule_000 .. outpost_rule_199 = "value_000" .. "value_199" (200 rules, split)
#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "a2s/query_socket.h"
#include "expectations.h"
#include "fixture_stop.h"

using namespace outpost::a2s;

namespace {

ServerInfo fixtureInfo() {
  ServerInfo s;
  s.protocol = 17;
  s.name = "Outpost A2S Interop";
  s.map = "ctf_2fort";
  s.folder = "tf";
  s.game = "Team Fortress";
  s.app_id = 440;
  s.players = 3;
  s.max_players = 24;
  s.bots = 1;
  s.server_type = 'd';
  s.environment = 'l';
  s.password = false;
  s.secure = true;
  s.version = "8622567";
  s.game_port = 27015;
  s.steam_id = 90071992547409921ull;
  s.spectator_port = 27020;
  s.spectator_name = "Outpost TV";
  s.keywords = "outpost,interop,ctf";
  s.game_id = ServerInfo::gameIdForApp(440);
  s.player_list = {{"Alice", 42, 125.5f}, {"Bob", -7, 60.25f}, {"OutpostBot", 0, 5.0f}};
  for (int i = 0; i < 200; ++i) {
    char key[32], value[32];
    std::snprintf(key, sizeof key, "outpost_rule_%03d", i);
    std::snprintf(value, sizeof value, "value_%03d", i);
    if (!s.setKeyValue(key, value)) std::abort();
  }
  return s;
}

// What a client must read: the served ServerInfo itself, field by field.
outpost::interop::Expectations expectationsFor(const ServerInfo& s, uint16_t port) {
  outpost::interop::Expectations e;
  e.fixture = "a2s_fixture";
  e.query_port = port;
  e.protocol = s.protocol;
  e.name = s.name;
  e.map = s.map;
  e.folder = s.folder;
  e.game = s.game;
  e.app_id = s.app_id;
  e.players = s.players;
  e.max_players = s.max_players;
  e.bots = s.bots;
  e.server_type = s.server_type;
  e.environment = s.environment;
  e.password = s.password;
  e.secure = s.secure;
  e.version = s.version;
  e.game_port = s.game_port;
  e.steam_id = s.steam_id;
  e.spectator_port = s.spectator_port;
  e.spectator_name = s.spectator_name;
  e.keywords = s.keywords;
  for (const auto& p : s.player_list) e.player_list.push_back({p.name, p.score, p.duration_s, p.duration_s, false});
  e.rules = s.rules;
  e.counters_min = {{"info_replies", 1}, {"player_replies", 1}, {"rules_replies", 1}, {"split_replies", 1}};
  return e;
}

}  // namespace

int main(int argc, char** argv) {
  int seconds = 120;
  if (argc > 1) seconds = std::clamp(std::atoi(argv[1]), 1, 600);

  outpost::interop::stopOnSignals();

  A2sQuerySocketOptions options;
  options.bind_address = "127.0.0.1:0";
  A2sQuerySocket socket(options);
  const ServerInfo info = fixtureInfo();
  socket.update(info);
  std::string error;
  if (!socket.start(&error)) {
    std::fprintf(stderr, "a2s_fixture: %s\n", error.c_str());
    return 1;
  }
  std::printf("%s\n", outpost::interop::toJson(expectationsFor(info, socket.localAddress().port())).c_str());
  std::fflush(stdout);

  outpost::interop::serveFor(seconds);
  socket.stop();
  for (const auto& [name, value] : socket.counters().toMap())
    if (value != 0)
      std::fprintf(stderr, "a2s_fixture: %s=%llu\n", name.c_str(),
                   static_cast<unsigned long long>(value));
  return 0;
}
