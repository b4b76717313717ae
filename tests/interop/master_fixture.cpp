// master_fixture: a MasterServer with 1,000 generated servers, for the interop tests that run real
// master-server clients against it (master_qstat.sh, master_steam_server_query.mjs).
//
//   master_fixture [seconds]     (default 120, at most 600)
//
// Binds 127.0.0.1:0, prints the bound port on stdout (one line, flushed), then serves until
// SIGTERM/SIGINT or until `seconds` have passed, whichever comes first, and prints its counters
// to stderr on the way out. Exit status 0 on a clean stop, 1 if it could not start.
//
// Generation rule (the scripts recompute the expected lists from this rule independently; keep
// them in sync). For i in [0, 1000):
//   ip          127.10.(i / 100).((i % 100) / 2 + 1)    (two servers per IP; loopback only, so
//                                                        a client that contacts them stays local)
//   query_port  27015 + (i % 2) * 1000                   (game_port the same)
//   app_id      440 if i % 10 < 8, else 730;  gamedir "tf" / "csgo" accordingly
//   map         "map_" + (i % 3)
//   name        "Outpost Interop " + i;  version "1.0." + (i % 4)
//   tags        "outpost,even" / "outpost,odd" by i % 2;  gamedata "g" + (i % 4)
//   players     i % 17 (bots min(i % 4, players));  max_players 16
//   password    i % 11 == 0;  dedicated i % 7 != 0;  secure i % 5 != 0
//   os          'w' if i % 4 == 0, else 'l';  proxy i % 50 == 0;  whitelisted i % 9 == 0
//   region      i % 8 (not filtered: the index is built without filter_by_region)
// The records are handed to the index in a shuffled (fixed-seed) order, so sorting is exercised.
#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <random>
#include <string>
#include <vector>

#include "fixture_stop.h"
#include "hub/master_server.h"

using namespace outpost::master;
using outpost::hub::MasterServer;
using outpost::hub::MasterServerOptions;

namespace {

std::vector<ServerRecord> generate() {
  std::vector<ServerRecord> out;
  for (uint32_t i = 0; i < 1000; ++i) {
    ServerRecord r;
    r.ip = (127u << 24) | (10u << 16) | ((i / 100) << 8) | ((i % 100) / 2 + 1);
    r.query_port = static_cast<uint16_t>(27015 + (i % 2) * 1000);
    r.game_port = r.query_port;
    r.app_id = i % 10 < 8 ? 440 : 730;
    r.gamedir = r.app_id == 440 ? "tf" : "csgo";
    r.product = r.gamedir;
    r.description = r.app_id == 440 ? "Team Fortress" : "Counter-Strike";
    r.map = "map_" + std::to_string(i % 3);
    r.name = "Outpost Interop " + std::to_string(i);
    r.version = "1.0." + std::to_string(i % 4);
    r.tags = i % 2 ? "outpost,odd" : "outpost,even";
    r.gamedata = "g" + std::to_string(i % 4);
    r.players = static_cast<uint16_t>(i % 17);
    r.bots = static_cast<uint16_t>(std::min<uint32_t>(i % 4, r.players));
    r.max_players = 16;
    r.password = i % 11 == 0;
    r.dedicated = i % 7 != 0;
    r.secure = i % 5 != 0;
    r.os = i % 4 == 0 ? 'w' : 'l';
    r.spectator_proxy = i % 50 == 0;
    r.whitelisted = i % 9 == 0;
    r.region = static_cast<uint8_t>(i % 8);
    r.steam_id = 90071992547409920ull + i;
    out.push_back(r);
  }
  std::mt19937 rng(20240601);
  std::shuffle(out.begin(), out.end(), rng);
  return out;
}

}  // namespace

int main(int argc, char** argv) {
  int seconds = 120;
  if (argc > 1) seconds = std::clamp(std::atoi(argv[1]), 1, 600);

  outpost::interop::stopOnSignals();

  MasterServerOptions options;
  options.bind_address = "127.0.0.1:0";
  MasterServer server(options);
  std::string error;
  if (!server.start(&error)) {
    std::fprintf(stderr, "master_fixture: %s\n", error.c_str());
    return 1;
  }
  server.publish(makeMasterIndex(generate()));
  std::printf("%u\n", static_cast<unsigned>(server.localAddress().port()));
  std::fflush(stdout);

  outpost::interop::serveFor(seconds);
  server.stop();
  for (const auto& [name, value] : server.counters())
    if (value != 0)
      std::fprintf(stderr, "master_fixture: %s=%llu\n", name.c_str(), static_cast<unsigned long long>(value));
  return 0;
}
