// outpost-example-bot: the example bot's main(). Reads flags (the environment gives the hub),
// installs SIGINT/SIGTERM handlers that make the bot leave the game politely, and runs Bot on
// this thread. Exit status: 0 played and left, 1 could not log on / find / reach a server,
// 2 usage error, 3 refused or kicked by the server, 4 the server is not certified as the one the
// server list named.
#include <csignal>
#include <cstdio>
#include <string>

#include "bot.h"
#include "cli.h"

namespace {

volatile std::sig_atomic_t g_stop = 0;
void onSignal(int) { g_stop = 1; }

const char* kUsage =
    "usage: outpost-example-bot --user NAME --password PASSWORD [options]\n"
    "  --hub KEY@IP:PORT     the hub, as outpost-hub prints it (default $OUTPOST_HUB); or IP:PORT with\n"
    "  --hub-key HEX         the hub's public key (default $OUTPOST_HUB_KEY). A hub whose key is not\n"
    "                        given is refused.\n"
    "  --app-id N            the game's app id (default 480)\n"
    "  --master HOST:PORT    master server to find a game server on (default $OUTPOST_MASTER or\n"
    "                        127.0.0.1:27011)\n"
    "  --filter TEXT         master filter (default \\appid\\<app id>)\n"
    "  --server HOST:PORT    a game server's query port: skip the master\n"
    "  --seconds N           leave after N seconds (default: play until stopped or closed)\n"
    "  --shot-interval-ms N  time between shots (default 300)\n"
    "  --skill X             aim, 0..1 (default 0.7)\n"
    "  --find-timeout N      seconds to keep looking for a server (default 20)\n"
    "  --quiet               print only joins, leaves and errors (no scoreboards)\n";

}  // namespace

int main(int argc, char** argv) {
  example::BotOptions o;
  o.hub = example::envOr("OUTPOST_HUB", "");
  o.hub_key = example::envOr("OUTPOST_HUB_KEY", "");
  o.master = example::envOr("OUTPOST_MASTER", o.master);
  std::string app_id, seconds, interval, skill, find_timeout, quiet;
  std::string error;
  if (!example::parseFlags(argc, argv,
                           {{"--hub", &o.hub},
                            {"--hub-key", &o.hub_key},
                            {"--user", &o.user},
                            {"--password", &o.password},
                            {"--app-id", &app_id},
                            {"--master", &o.master},
                            {"--filter", &o.filter},
                            {"--server", &o.server},
                            {"--seconds", &seconds},
                            {"--shot-interval-ms", &interval},
                            {"--skill", &skill},
                            {"--find-timeout", &find_timeout},
                            {"--quiet", &quiet, true}},
                           &error) ||
      o.user.empty() || o.password.empty()) {
    if (!error.empty()) std::fprintf(stderr, "outpost-example-bot: %s\n", error.c_str());
    std::fputs(kUsage, stderr);
    return 2;
  }
  auto bad = [](const char* what) {
    std::fprintf(stderr, "outpost-example-bot: bad %s\n%s", what, kUsage);
    return 2;
  };
  long long n = 0;
  if (!app_id.empty()) {
    if (!example::parseInt(app_id, 1, 0xFFFFFFFFll, &n)) return bad("--app-id");
    o.app_id = static_cast<uint32_t>(n);
  }
  if (!seconds.empty()) {
    if (!example::parseInt(seconds, 0, 1000000, &n)) return bad("--seconds");
    o.seconds = static_cast<int>(n);
  }
  if (!interval.empty()) {
    if (!example::parseInt(interval, 150, 60000, &n)) return bad("--shot-interval-ms (150..60000)");
    o.shot_interval_ms = static_cast<int>(n);
  }
  if (!find_timeout.empty()) {
    if (!example::parseInt(find_timeout, 1, 3600, &n)) return bad("--find-timeout");
    o.find_timeout_s = static_cast<int>(n);
  }
  if (!skill.empty()) {
    char* end = nullptr;
    o.skill = std::strtod(skill.c_str(), &end);
    if (*end || o.skill < 0 || o.skill > 1) return bad("--skill (0..1)");
  }
  o.quiet = !quiet.empty();

  std::signal(SIGINT, onSignal);
  std::signal(SIGTERM, onSignal);
  example::Bot bot(o);
  return bot.run(&g_stop);
}
