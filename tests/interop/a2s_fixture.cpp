// a2s_fixture: an A2sQuerySocket serving a fixed ServerInfo, for the interop tests that run real
// A2S clients against it (a2s_qstat.sh, a2s_gamedig.mjs).
//
//   a2s_fixture [seconds]     (default 120, at most 600)
//
// Binds 127.0.0.1:0, prints the bound port on stdout (one line, flushed), serves until
// SIGTERM/SIGINT or `seconds` have passed, then prints its non-zero counters to stderr
// ("a2s_fixture: name=value"). Exit status 0 on a clean stop, 1 if it could not start.
//
// The served values (the scripts assert them; keep them in sync):
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

using namespace outpost::a2s;

namespace {

volatile sig_atomic_t g_stop = 0;
void onSignal(int) { g_stop = 1; }

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

}  // namespace

int main(int argc, char** argv) {
  int seconds = 120;
  if (argc > 1) seconds = std::clamp(std::atoi(argv[1]), 1, 600);

  struct sigaction sa {};
  sa.sa_handler = onSignal;
  sigaction(SIGTERM, &sa, nullptr);
  sigaction(SIGINT, &sa, nullptr);

  A2sQuerySocketOptions options;
  options.bind_address = "127.0.0.1:0";
  A2sQuerySocket socket(options);
  socket.update(fixtureInfo());
  std::string error;
  if (!socket.start(&error)) {
    std::fprintf(stderr, "a2s_fixture: %s\n", error.c_str());
    return 1;
  }
  std::printf("%u\n", static_cast<unsigned>(socket.localAddress().port()));
  std::fflush(stdout);

  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(seconds);
  while (!g_stop && std::chrono::steady_clock::now() < deadline) usleep(20 * 1000);
  socket.stop();
  for (const auto& [name, value] : socket.counters().toMap())
    if (value != 0)
      std::fprintf(stderr, "a2s_fixture: %s=%llu\n", name.c_str(),
                   static_cast<unsigned long long>(value));
  return 0;
}
