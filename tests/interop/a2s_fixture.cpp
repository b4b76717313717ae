// a2s_fixture: an A2sQuerySocket serving a fixed A2S record, for the interop tests that run real
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
// The served values: sampleServer() (tests/support/sample_server.h lists them; 3 players with
// exact durations, 200 rules so RULES is split); the expectations are made from the same record.
#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "expectations.h"
#include "fixture_stop.h"
#include "server/a2s_query_socket.h"
#include "support/sample_server.h"

using namespace outpost::a2s;
using outpost::server::A2sQuerySocket;
using outpost::server::A2sQuerySocketOptions;
using outpost::test::SampleServer;

namespace {

// What a client must read: the served record itself, field by field.
outpost::interop::Expectations expectationsFor(const SampleServer& sample, uint16_t port) {
  const outpost::ServerInfoResult& s = sample.info;
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
  for (const auto& p : sample.players) e.player_list.push_back({p.name, p.score, p.duration_s, p.duration_s, false});
  e.rules = sample.rules;
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
  const SampleServer sample = outpost::test::sampleServer();
  socket.update(sample.info, sample.players, sample.rules);
  std::string error;
  if (!socket.start(&error)) {
    std::fprintf(stderr, "a2s_fixture: %s\n", error.c_str());
    return 1;
  }
  std::printf("%s\n", outpost::interop::toJson(expectationsFor(sample, socket.localAddress().port())).c_str());
  std::fflush(stdout);

  outpost::interop::serveFor(seconds);
  socket.stop();
  for (const auto& [name, value] : socket.counters().toMap())
    if (value != 0)
      std::fprintf(stderr, "a2s_fixture: %s=%llu\n", name.c_str(), static_cast<unsigned long long>(value));
  return 0;
}
