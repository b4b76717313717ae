// outpost-example-server: the example dedicated server's main(). Reads flags (with the
// environment as defaults), installs SIGINT/SIGTERM handlers that ask the server to stop, and
// runs DedicatedServer on this thread. Exit status: 0 after a clean stop, 1 when it cannot start
// or the hub refuses its logon, 2 for a usage error.
#include <csignal>
#include <cstdio>
#include <string>

#include "cli.h"
#include "dedicated_server.h"

namespace {

volatile std::sig_atomic_t g_stop = 0;
void onSignal(int) { g_stop = 1; }

const char* kUsage =
    "usage: outpost-example-server [options]\n"
    "  --hub KEY@IP:PORT     the hub, as outpost-hub prints it (default $OUTPOST_HUB); or IP:PORT with\n"
    "  --hub-key HEX         the hub's public key (default $OUTPOST_HUB_KEY). A hub whose key is not\n"
    "                        given is refused.\n"
    "  --token TOKEN         game-server login token (default $OUTPOST_SERVER_TOKEN; none: anonymous)\n"
    "  --app-id N            the game's app id (default 480)\n"
    "  --ip ADDR             address to bind (default 0.0.0.0)\n"
    "  --port N              game port, players connect here (default 27015)\n"
    "  --query-port N        A2S query port (default 27016)\n"
    "  --name TEXT           server name (default \"Outpost example server\")\n"
    "  --map NAME            map name (default ring_arena)\n"
    "  --max-players N       player slots (default 16)\n"
    "  --tags TEXT           server-browser tags (default example,target-practice)\n"
    "  --seconds N           stop by itself after N seconds (default: run until SIGINT/SIGTERM)\n"
    "  --allow-unauthenticated  development only: admit players without a hub certificate\n";

}  // namespace

int main(int argc, char** argv) {
  example::ServerOptions o;
  std::string hub = example::envOr("OUTPOST_HUB", ""), key = example::envOr("OUTPOST_HUB_KEY", "");
  std::string token = example::envOr("OUTPOST_SERVER_TOKEN", "");
  std::string app_id, ip, port, query_port, max_players, seconds, allow_unauthenticated;
  std::string error;
  if (!example::parseFlags(argc, argv,
                           {{"--hub", &hub},
                            {"--hub-key", &key},
                            {"--token", &token},
                            {"--app-id", &app_id},
                            {"--ip", &ip},
                            {"--port", &port},
                            {"--query-port", &query_port},
                            {"--name", &o.name},
                            {"--map", &o.map},
                            {"--max-players", &max_players},
                            {"--tags", &o.tags},
                            {"--seconds", &seconds},
                            {"--allow-unauthenticated", &allow_unauthenticated, true}},
                           &error)) {
    if (!error.empty()) std::fprintf(stderr, "outpost-example-server: %s\n", error.c_str());
    std::fputs(kUsage, stderr);
    return 2;
  }
  long long n = 0;
  auto bad = [](const char* what) {
    std::fprintf(stderr, "outpost-example-server: bad %s\n%s", what, kUsage);
    return 2;
  };
  o.hub = hub;
  o.hub_key = key;
  o.token = token;
  if (!ip.empty()) o.bind_ip = ip;
  if (!port.empty() && !example::parsePort(port, &o.game_port)) return bad("--port");
  if (!query_port.empty() && !example::parsePort(query_port, &o.query_port)) return bad("--query-port");
  if (!app_id.empty()) {
    if (!example::parseInt(app_id, 1, 0xFFFFFFFFll, &n)) return bad("--app-id");
    o.app_id = static_cast<uint32_t>(n);
  }
  if (!max_players.empty()) {
    if (!example::parseInt(max_players, 1, 255, &n)) return bad("--max-players (1..255)");
    o.max_players = static_cast<int>(n);
  }
  if (!seconds.empty()) {
    if (!example::parseInt(seconds, 0, 1000000, &n)) return bad("--seconds");
    o.seconds = static_cast<int>(n);
  }
  if (o.game_port == o.query_port) return bad("ports: the game and query ports must differ");
  o.allow_unauthenticated = !allow_unauthenticated.empty();

  std::signal(SIGINT, onSignal);
  std::signal(SIGTERM, onSignal);
  example::DedicatedServer server(o);
  if (!server.start()) return 1;
  return server.run(&g_stop);
}
