// `outpost servers` and `outpost query` (browse_command.h): argument checks, the blocking
// ServerBrowser calls, and plain-text tables. Exit status: 0 answered, 1 no answer within the
// timeout (or an empty list), 2 usage error (a bad address, option or number).
#include "browse_command.h"

#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "base/address.h"
#include "base/settings.h"
#include "outpost/server_browser.h"
#include "outpost/steam_id.h"

namespace {

const char* kServersUsage =
    "usage: outpost servers [--master IP:PORT] [--filter TEXT] [--region N] [--timeout MS] [--addresses-only]\n"
    "  Lists the servers a master server knows (Valve's master protocol, as outpost-hub serves it) and\n"
    "  each one's A2S_INFO. --master defaults to $OUTPOST_MASTER or 127.0.0.1:27011; --filter is a\n"
    "  master filter such as '\\appid\\480' or '\\map\\ring_arena\\secure\\1'; --region is the master protocol's\n"
    "  region byte: 0..7 (0 US East, 1 US West, 2 South America, 3 Europe, 4 Asia, 5 Australia, 6 Middle\n"
    "  East, 7 Africa) or 255 (all, the default).\n"
    "  Exit status: 0 servers listed, 1 none (or no answer within --timeout, default 3000 ms), 2 usage.\n";

const char* kQueryUsage =
    "usage: outpost query IP:PORT [--timeout MS] [--info] [--players] [--rules]\n"
    "  Asks a game server's query port for A2S_INFO, A2S_PLAYER and A2S_RULES (all three unless some\n"
    "  are named) and prints them. Exit status: 0 answered, 1 a query got no answer within --timeout\n"
    "  (default 2000 ms), 2 usage.\n";

// "a.b.c.d:port" or "[v6]:port" with a port 1..65535 (SocketAddress::parse, which would also
// read ":port" as the any-address: not a server to ask).
bool validAddress(const std::string& s) {
  return !s.empty() && s.front() != ':' && outpost::base::SocketAddress::parse(s, true).has_value();
}

int usage(const char* text, const std::string& error = "") {
  if (!error.empty()) std::fprintf(stderr, "outpost: %s\n", error.c_str());
  std::fputs(text, stderr);
  return 2;
}

int help(const char* text) {
  std::fputs(text, stdout);
  return 0;
}

// The numeric flags of `outpost servers` and `outpost query`, parsed strictly (settings.h).
void timeoutSetting(outpost::base::settings::Table& t, long* timeout_ms) {
  t.integer("timeout", {{1, 600000}}, "milliseconds", "", "",
            [timeout_ms](int64_t v) { *timeout_ms = static_cast<long>(v); });
}
void flagSetting(outpost::base::settings::Table& t, const char* name, bool* value) {
  outpost::base::settings::Setting s;
  s.name = name;
  s.kind = outpost::base::settings::Setting::Kind::kFlag;
  s.set_text = [value](const std::string&) {
    *value = true;
    return std::string();
  };
  t.add(s);
}

std::string duration(float seconds) {
  long s = static_cast<long>(seconds);
  char buf[32];
  if (s >= 3600) std::snprintf(buf, sizeof buf, "%ldh%02ldm", s / 3600, s / 60 % 60);
  else if (s >= 60) std::snprintf(buf, sizeof buf, "%ldm%02lds", s / 60, s % 60);
  else std::snprintf(buf, sizeof buf, "%lds", s);
  return buf;
}

const char* serverType(char t) { return t == 'd' ? "dedicated" : t == 'l' ? "listen" : t == 'p' ? "proxy" : "?"; }
const char* environment(char e) {
  return e == 'l' ? "Linux" : e == 'w' ? "Windows" : e == 'm' || e == 'o' ? "macOS" : "?";
}

void printInfo(const outpost::ServerInfoResult& i) {
  std::printf("server %s (ping %d ms)\n", i.address.c_str(), i.ping_ms);
  std::printf("  name       %s\n", i.name.c_str());
  std::printf("  map        %s\n", i.map.c_str());
  std::printf("  game       %s (folder %s, app %u)\n", i.game.c_str(), i.folder.c_str(), i.app_id);
  std::printf("  players    %d/%d (%d bots)\n", i.players, i.max_players, i.bots);
  std::printf("  server     %s, %s, password %s, VAC secure %s\n", serverType(i.server_type),
              environment(i.environment), i.password ? "yes" : "no", i.secure ? "yes" : "no");
  std::printf("  version    %s\n", i.version.c_str());
  if (i.game_port) std::printf("  game port  %u\n", i.game_port);
  if (i.steam_id)
    std::printf("  steam id   %s (%llu)\n", outpost::steamid::toString(i.steam_id).c_str(),
                static_cast<unsigned long long>(i.steam_id));
  if (!i.keywords.empty()) std::printf("  tags       %s\n", i.keywords.c_str());
  if (i.spectator_port) std::printf("  spectator  %s on port %u\n", i.spectator_name.c_str(), i.spectator_port);
}

}  // namespace

int runServersCommand(int argc, char** argv) {
  const char* env = std::getenv("OUTPOST_MASTER");
  std::string master = env && *env ? env : "127.0.0.1:27011";
  std::string filter;
  long region = 0xFF, timeout_ms = 3000;
  bool addresses_only = false, want_help = false;
  outpost::base::settings::Table flags;
  flags.text("master", "IP:PORT", "", "", [&](const std::string& v) {
    master = v;
    return std::string();
  });
  flags.text("filter", "TEXT", "", "", [&](const std::string& v) {
    filter = v;
    return std::string();
  });
  flags.integer("region", {{0, 7}, {255, 255}}, "", "", "", [&](int64_t v) { region = static_cast<long>(v); });
  timeoutSetting(flags, &timeout_ms);
  flagSetting(flags, "addresses-only", &addresses_only);
  flagSetting(flags, "help", &want_help);
  std::vector<std::string> args(argv + 1, argv + argc);
  for (size_t i = 0; i < args.size() && !want_help;)
    if (std::string why = flags.applyFlag(args, &i); !why.empty()) return usage(kServersUsage, why);
  if (want_help) return help(kServersUsage);
  if (!validAddress(master)) return usage(kServersUsage, "--master \"" + master + "\" is not IP:PORT");

  outpost::ServerBrowser browser;
  auto list = browser.requestServerList(master, filter, static_cast<uint8_t>(region), static_cast<int>(timeout_ms));
  if (list.empty()) {
    std::fprintf(stderr,
                 "outpost servers: the master %s listed no servers for \"%s\" (or did not answer within %ld ms)\n",
                 master.c_str(), filter.c_str(), timeout_ms);
    return 1;
  }
  if (addresses_only) {
    for (const auto& a : list) std::printf("%s\n", a.c_str());
    return 0;
  }
  std::printf("master %s, filter \"%s\": %zu server%s\n", master.c_str(), filter.c_str(), list.size(),
              list.size() == 1 ? "" : "s");
  std::printf("  %-22s %-8s %-6s %-16s %s\n", "ADDRESS", "PLAYERS", "PING", "MAP", "NAME");
  for (const auto& a : list) {
    auto info = browser.queryInfo(a, 1000);
    if (!info) {
      std::printf("  %-22s (no A2S answer)\n", a.c_str());
      continue;
    }
    std::string players = std::to_string(info->players) + "/" + std::to_string(info->max_players);
    std::string ping = std::to_string(info->ping_ms) + "ms";
    std::printf("  %-22s %-8s %-6s %-16s %s\n", a.c_str(), players.c_str(), ping.c_str(), info->map.c_str(),
                info->name.c_str());
  }
  return 0;
}

int runQueryCommand(int argc, char** argv) {
  std::string address;
  long timeout_ms = 2000;
  bool info = false, players = false, rules = false, want_help = false;
  outpost::base::settings::Table flags;
  timeoutSetting(flags, &timeout_ms);
  flagSetting(flags, "info", &info);
  flagSetting(flags, "players", &players);
  flagSetting(flags, "rules", &rules);
  flagSetting(flags, "help", &want_help);
  std::vector<std::string> args(argv + 1, argv + argc);
  for (size_t i = 0; i < args.size() && !want_help;) {
    if (args[i].rfind("-", 0) != 0 && address.empty()) {
      address = args[i++];
      continue;
    }
    if (std::string why = flags.applyFlag(args, &i); !why.empty()) return usage(kQueryUsage, why);
  }
  if (want_help) return help(kQueryUsage);
  if (address.empty()) return usage(kQueryUsage, "which server? (IP:PORT of its query port)");
  if (!validAddress(address)) return usage(kQueryUsage, "\"" + address + "\" is not IP:PORT (e.g. 127.0.0.1:27016)");
  if (!info && !players && !rules) info = players = rules = true;

  outpost::ServerBrowser browser;
  const int t = static_cast<int>(timeout_ms);
  int status = 0;
  auto noAnswer = [&](const char* what) {
    std::fprintf(stderr, "outpost query: %s did not answer %s within %ld ms\n", address.c_str(), what, timeout_ms);
    status = 1;
  };
  if (info) {
    if (auto i = browser.queryInfo(address, t)) printInfo(*i);
    else noAnswer("A2S_INFO");
  }
  if (players && status == 0) {
    if (auto p = browser.queryPlayers(address, t)) {
      std::printf("players (%zu)\n", p->size());
      if (!p->empty()) std::printf("  %-24s %6s  %s\n", "NAME", "SCORE", "TIME");
      for (const auto& pl : *p)
        std::printf("  %-24s %6d  %s\n", pl.name.c_str(), pl.score, duration(pl.duration_s).c_str());
    } else {
      noAnswer("A2S_PLAYER");
    }
  }
  if (rules && status == 0) {
    if (auto r = browser.queryRules(address, t)) {
      std::printf("rules (%zu)\n", r->size());
      for (const auto& [k, v] : *r) std::printf("  %s = %s\n", k.c_str(), v.c_str());
    } else {
      noAnswer("A2S_RULES");
    }
  }
  return status;
}
