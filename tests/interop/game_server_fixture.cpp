// game_server_fixture: a real outpost::GameServer, logged on to a real outpost-hub, with every
// field it advertises set, for the interop tests that query it with qstat and gamedig
// (a2s_qstat.mjs, a2s_gamedig.mjs).
//
//   game_server_fixture port|shared [seconds]     (default 60, 1..600)
//
//   port    A2S on its own query port (serverInit with a free port on 127.0.0.1).
//   shared  GameSocketShare (QUERY_PORT_SHARED): this program owns the game's UDP socket, hands
//           every datagram to handleIncomingPacket and sends what getNextOutgoingPacket returns.
//
// Starts the hub and provisions app 1000080, an owner and a login token with the real `outpost
// admin` CLI (provisioned_hub.h); logs on with the token; sets the product, description, mod dir,
// dedicated flag, name, map, max players, password, tags, game data, region, spectator port and
// name, bots, 3 players (createUnauthenticatedUserConnection + updateUserData) and 200 rules;
// advertises; then prints one JSON line of expectations (expectations.h) on stdout — built from
// the values chosen here and the Steam ID the CLI printed for the token, not from the server —
// and serves until SIGTERM/SIGINT or `seconds`. On exit it prints its counters to stderr
// ("game_server_fixture: name=value"; GameSocketShare mode only). Exit status 0 after a clean
// run, 1 if it could not start or the hub session was lost while serving.
//
// The two modes differ on purpose (secure/password/counts), so each flag is seen both ways: app
// id 1000080 does not fit the INFO reply's 16-bit ID field, so a client that reports it read the
// GameID (EDF 0x01); its low byte 0xA0 >= 0x80 keeps qstat on the Source split format.
#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <thread>

#include "expectations.h"
#include "fixture_stop.h"
#include "game_socket.h"
#include "outpost/game_server.h"
#include "provisioned_hub.h"

using namespace outpost;
using Clock = std::chrono::steady_clock;

namespace {

constexpr uint32_t kAppId = 1000080;
constexpr int kPlayerCount = 3;
constexpr int kRuleCount = 200;
// Player durations: the server republishes A2S (and so the durations) once a second, so one it
// answers may be that old (plus scheduling delay on a loaded machine); and the client starts its
// clock when it has read the expectations line, a little after it was printed.
constexpr double kDurationStalenessS = 2.0;
constexpr double kDurationSlackS = 1.0;
// Players are connected this long before the expectations are printed, so that a duration stuck
// at 0 (or counted in the wrong unit) cannot fall within the bounds.
constexpr int kSettleMs = 3000;

using interop::g_stop;

double secondsBetween(Clock::time_point a, Clock::time_point b) { return std::chrono::duration<double>(b - a).count(); }

// Everything the fixture sets that a client can see, per mode.
struct Setup {
  bool shared = false;
  int server_mode = SERVER_MODE_AUTHENTICATION_AND_SECURE;
  std::string name, map, tags, spectator_name;
  int max_players = 0, bots = 0;
  bool password = false;
  uint16_t spectator_port = 0;
};

Setup setupFor(bool shared) {
  Setup s;
  s.shared = shared;
  if (!shared) {
    s.server_mode = SERVER_MODE_AUTHENTICATION_AND_SECURE;  // the hub answers secure
    s.name = "Outpost GameServer Interop (own query port)";
    s.map = "ctf_outpost_port";
    s.tags = "outpost,interop,port";
    s.spectator_name = "Outpost TV (port)";
    s.max_players = 24;
    s.bots = 1;
    s.password = false;
    s.spectator_port = 27020;
  } else {
    s.server_mode = SERVER_MODE_AUTHENTICATION;  // the hub answers not secure
    s.name = "Outpost GameServer Interop (GameSocketShare)";
    s.map = "cp_outpost_shared";
    s.tags = "outpost,interop,shared";
    s.spectator_name = "Outpost TV (shared)";
    s.max_players = 32;
    s.bots = 2;
    s.password = true;
    s.spectator_port = 27021;
  }
  return s;
}

struct PlayerSpec {
  const char* name;
  uint32_t score;  // the reference's updateUserData takes uint32; A2S carries it as int32
};
constexpr PlayerSpec kPlayers[kPlayerCount] = {
    {"Alice", 42}, {"Bob the Builder", static_cast<uint32_t>(-7)}, {"Charlie", 1234567}};

// Rule i: "outpost_rule_NNN" = "vNNN-" followed by i % 40 letters (values of varying length).
std::string ruleKey(int i) {
  char b[32];
  std::snprintf(b, sizeof b, "outpost_rule_%03d", i);
  return b;
}
std::string ruleValue(int i) {
  char b[16];
  std::snprintf(b, sizeof b, "v%03d-", i);
  return b + std::string(static_cast<size_t>(i % 40), static_cast<char>('a' + i % 26));
}

// Serving state of GameSocketShare mode.
struct ShareCounters {
  uint64_t datagrams_in = 0, queries_in = 0, other_in = 0, replies_out = 0, split_fragments_out = 0, send_failures = 0;
};

// Hands every datagram waiting on the game socket (up to wait_ms for the first) to the server
// and sends its replies from the same socket, as a game does in GameSocketShare mode.
void pumpShared(GameServer& gs, interop::GameSocket& sock, int wait_ms, ShareCounters& c) {
  interop::Datagram d;
  for (int waited = wait_ms; sock.receive(waited, &d); waited = 0) {
    ++c.datagrams_in;
    if (gs.handleIncomingPacket(d.bytes, d.ip, d.port)) {
      ++c.queries_in;
    } else {
      ++c.other_in;  // the game's own traffic (none expected here)
    }
    for (OutgoingPacket p = gs.getNextOutgoingPacket(); !p.data.empty(); p = gs.getNextOutgoingPacket()) {
      bool split = p.data.size() >= 4 && p.data[0] == 0xFE;
      if (!sock.sendTo(p.address, p.port, p.data)) {
        ++c.send_failures;
      } else if (split) {
        ++c.split_fragments_out;
      } else {
        ++c.replies_out;
      }
    }
  }
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2 || (std::strcmp(argv[1], "port") != 0 && std::strcmp(argv[1], "shared") != 0)) {
    std::fprintf(stderr, "usage: %s port|shared [seconds]\n", argv[0]);
    return 1;
  }
  const Setup setup = setupFor(std::strcmp(argv[1], "shared") == 0);
  int seconds = argc > 2 ? std::atoi(argv[2]) : 60;
  if (seconds < 1 || seconds > 600) seconds = 60;
  const auto deadline = Clock::now() + std::chrono::seconds(seconds);

  interop::stopOnSignals();

  interop::ProvisionedHub hub;
  if (!hub.start(kAppId, "Outpost Interop")) return 1;

  // The app id comes from the environment, as the reference's SteamAppId.
  setenv("OUTPOST_APP_ID", std::to_string(kAppId).c_str(), 1);
  const std::string version = "1.4.2.7";
  interop::GameSocket game_socket;
  if (game_socket.port() == 0) {
    std::fprintf(stderr, "game_server_fixture: cannot bind the game socket\n");
    return 1;
  }
  GameServer gs;
  gs.setHub(hub.address(), hub.publicKey());
  uint16_t query_port = 0;
  if (setup.shared) {
    if (gs.serverInit("127.0.0.1", game_socket.port(), QUERY_PORT_SHARED, setup.server_mode, version))
      query_port = game_socket.port();
  } else {
    // A free port: bound by the kernel, released, then bound by serverInit (retried if taken
    // meanwhile by a test running in parallel).
    for (int attempt = 0; attempt < 10 && query_port == 0; ++attempt) {
      uint16_t candidate = interop::GameSocket().port();
      if (candidate && gs.serverInit("127.0.0.1", game_socket.port(), candidate, setup.server_mode, version))
        query_port = candidate;
    }
  }
  if (query_port == 0) {
    std::fprintf(stderr, "game_server_fixture: serverInit failed\n");
    return 1;
  }

  bool ok = gs.setProduct("outpost_interop") && gs.setGameDescription("Outpost Interop Game") &&
            gs.setModDir("outpost_interop") && gs.setDedicatedServer(true);
  if (!ok) {
    std::fprintf(stderr, "game_server_fixture: a pre-logon setter refused its value\n");
    return 1;
  }

  bool connected = false, refused = false;
  int disconnects = 0;
  gs.connect_server_connected([&] { connected = true; });
  gs.connect_server_connect_failure([&](const ServerConnectFailure& f) {
    std::fprintf(stderr, "game_server_fixture: server_connect_failure(%d, retrying=%d)\n", f.result, f.retrying);
    if (!f.retrying) refused = true;
  });
  gs.connect_server_disconnected([&](int32_t r) {
    std::fprintf(stderr, "game_server_fixture: server_disconnected(%d)\n", r);
    ++disconnects;
  });
  gs.logOn(hub.token());
  auto logon_deadline = Clock::now() + std::chrono::seconds(20);
  while (!connected && !refused && !g_stop && Clock::now() < logon_deadline) {
    gs.run_callbacks();
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  if (!connected) {
    std::fprintf(stderr, "game_server_fixture: the server did not log on to the hub\n");
    return 1;
  }
  if (gs.getSteamID() != hub.tokenSteamId() ||
      gs.secure() != (setup.server_mode == SERVER_MODE_AUTHENTICATION_AND_SECURE)) {
    std::fprintf(stderr, "game_server_fixture: logged on with Steam ID %llu secure=%d; the token's is %llu\n",
                 static_cast<unsigned long long>(gs.getSteamID()), gs.secure(),
                 static_cast<unsigned long long>(hub.tokenSteamId()));
    return 1;
  }

  // Listing and query fields, set after logon as a game does once the map is loaded.
  ok = gs.setServerName(setup.name) && gs.setMapName(setup.map) && gs.setGameTags(setup.tags) &&
       gs.setGameData("outpost_interop_data") && gs.setRegion("eu");
  gs.setMaxPlayerCount(setup.max_players);
  gs.setPasswordProtected(setup.password);
  gs.setSpectatorPort(setup.spectator_port);
  gs.setSpectatorServerName(setup.spectator_name);
  const auto bots_set = Clock::now();
  gs.setBotPlayerCount(setup.bots);
  for (int i = 0; ok && i < kRuleCount; ++i) ok = gs.setKeyValue(ruleKey(i), ruleValue(i));
  Clock::time_point joined[kPlayerCount];
  for (int i = 0; i < kPlayerCount; ++i) {
    uint64_t id = gs.createUnauthenticatedUserConnection();
    joined[i] = Clock::now();
    ok = ok && id != 0 && gs.updateUserData(id, kPlayers[i].name, kPlayers[i].score);
  }
  gs.setAdvertiseServerActive(true);
  if (!ok) {
    std::fprintf(stderr, "game_server_fixture: a setter refused its value\n");
    return 1;
  }

  ShareCounters counters;
  // Let the service thread publish the new fields before anyone asks, and the players age.
  for (auto settle = Clock::now() + std::chrono::milliseconds(kSettleMs); Clock::now() < settle;) {
    gs.run_callbacks();
    if (setup.shared) {
      pumpShared(gs, game_socket, 10, counters);
    } else {
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
  }

  interop::Expectations e;
  e.fixture = std::string("game_server_fixture ") + argv[1];
  e.query_port = query_port;
  e.protocol = 17;
  e.name = setup.name;
  e.map = setup.map;
  e.folder = "outpost_interop";
  e.game = "Outpost Interop Game";
  e.app_id = kAppId;
  e.players = kPlayerCount + setup.bots;  // A2S counts bots as players
  e.max_players = setup.max_players;
  e.bots = setup.bots;
  e.server_type = 'd';
  e.environment = 'l';
  e.password = setup.password;
  e.secure = setup.server_mode == SERVER_MODE_AUTHENTICATION_AND_SECURE;
  e.version = version;
  e.game_port = game_socket.port();
  e.steam_id = hub.tokenSteamId();
  e.spectator_port = setup.spectator_port;
  e.spectator_name = setup.spectator_name;
  e.keywords = setup.tags;
  const auto now = Clock::now();
  for (int i = 0; i < kPlayerCount; ++i) {
    double age = secondsBetween(joined[i], now);
    e.player_list.push_back({kPlayers[i].name, static_cast<int32_t>(kPlayers[i].score),
                             std::max(0.0, age - kDurationStalenessS), age + kDurationSlackS, true});
  }
  // Bots are listed as "Bot 1" .. "Bot N" with score 0 (docs/api-map.md, setBotPlayerCount);
  // their duration is the server's to choose, within the time they have existed.
  const double bots_max = secondsBetween(bots_set, deadline) + 0.5;
  for (int b = 1; b <= setup.bots; ++b) e.player_list.push_back({"Bot " + std::to_string(b), 0, 0.0, bots_max, false});
  for (int i = 0; i < kRuleCount; ++i) e.rules[ruleKey(i)] = ruleValue(i);
  if (setup.shared) {
    // A client's INFO, PLAYER and RULES each went through the game socket; RULES was split.
    e.counters_min = {{"queries_in", 3}, {"replies_out", 2}, {"split_fragments_out", 2}};
  }
  std::printf("%s\n", interop::toJson(e).c_str());
  std::fflush(stdout);

  while (!g_stop && Clock::now() < deadline && disconnects == 0) {
    gs.run_callbacks();
    if (setup.shared) {
      pumpShared(gs, game_socket, 20, counters);
    } else {
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
  }
  gs.run_callbacks();
  // A lost hub session or a reply the game socket could not send fails the run.
  int rc = disconnects == 0 && counters.send_failures == 0 ? 0 : 1;

  gs.setAdvertiseServerActive(false);
  gs.logOff();
  gs.serverShutdown();
  hub.stop();
  if (setup.shared) {
    const std::pair<const char*, uint64_t> out[] = {{"datagrams_in", counters.datagrams_in},
                                                    {"queries_in", counters.queries_in},
                                                    {"other_in", counters.other_in},
                                                    {"replies_out", counters.replies_out},
                                                    {"split_fragments_out", counters.split_fragments_out},
                                                    {"send_failures", counters.send_failures}};
    for (const auto& [name, value] : out)
      std::fprintf(stderr, "game_server_fixture: %s=%llu\n", name, static_cast<unsigned long long>(value));
  }
  return rc;
}
