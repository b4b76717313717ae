// Server discovery for the example bot (server_finder.h): master list, then A2S_INFO of each
// candidate, retried once a second until the deadline.
#include "server_finder.h"

#include <chrono>
#include <thread>

#include "cli.h"
#include "outpost/steam_id.h"

namespace example {

std::string withPort(const std::string& address, uint16_t port) {
  auto colon = address.rfind(':');
  if (colon == std::string::npos || colon == 0) return "";
  return address.substr(0, colon) + ":" + std::to_string(port);
}

namespace {

std::optional<FoundServer> tryOnce(outpost::ServerBrowser& browser, const std::string& master,
                                   const std::string& filter, const std::string& direct, std::string* last_list) {
  std::vector<std::string> candidates;
  if (!direct.empty()) {
    candidates.push_back(direct);
  } else {
    candidates = browser.requestServerList(master, filter, 0xFF, 2000);
    if (candidates.empty()) return std::nullopt;
    std::string list;
    for (const auto& c : candidates) list += (list.empty() ? "" : ", ") + c;
    if (list != *last_list) {  // once per change, not once per retry
      *last_list = list;
      logLine("the master %s lists %zu server%s for \"%s\": %s", master.c_str(), candidates.size(),
              candidates.size() == 1 ? "" : "s", filter.c_str(), list.c_str());
    }
  }
  for (const auto& c : candidates) {
    auto info = browser.queryInfo(c, 1500);
    if (!info || info->players >= info->max_players) continue;
    // A server shows its Steam ID once it is logged on to the hub. Give a server that has just
    // started a moment, so that the ticket can be bound to it.
    for (int i = 0; i < 10 && info && info->steam_id == 0; ++i) {
      std::this_thread::sleep_for(std::chrono::milliseconds(300));
      info = browser.queryInfo(c, 1500);
    }
    if (!info) continue;
    FoundServer f;
    f.query_address = c;
    f.game_address = withPort(c, info->game_port);
    f.info = *info;
    if (f.game_address.empty()) continue;
    return f;
  }
  return std::nullopt;
}

}  // namespace

std::optional<FoundServer> findServer(const std::string& master, const std::string& filter, const std::string& direct,
                                      int timeout_s, const volatile std::sig_atomic_t* stop) {
  outpost::ServerBrowser browser;
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(timeout_s);
  bool first = true;
  std::string last_list;
  while (!*stop) {
    auto attempt = std::chrono::steady_clock::now();
    if (auto f = tryOnce(browser, master, filter, direct, &last_list)) {
      logLine("picked \"%s\" at %s: map %s, %d/%d players, ping %d ms, server %s", f->info.name.c_str(),
              f->game_address.c_str(), f->info.map.c_str(), f->info.players, f->info.max_players, f->info.ping_ms,
              outpost::steamid::toString(f->info.steam_id).c_str());
      return f;
    }
    if (first) {
      logLine("no server with a free slot yet (%s); retrying for up to %d s",
              direct.empty() ? ("master " + master).c_str() : direct.c_str(), timeout_s);
      first = false;
    }
    if (std::chrono::steady_clock::now() >= deadline) break;
    std::this_thread::sleep_until(attempt + std::chrono::seconds(1));
  }
  return std::nullopt;
}

}  // namespace example
