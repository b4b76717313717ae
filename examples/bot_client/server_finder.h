// How the example bot finds a game server, as a player's game would: ask the master server
// (outpost::ServerBrowser::requestServerList, Valve's master protocol as outpost-hub serves it)
// for the servers matching a filter, query each one's A2S_INFO, and take the first with a free
// slot. Or, given a server's query address, just query that one. Blocking, bounded by a timeout;
// runs on the caller's thread.
#pragma once

#include <csignal>
#include <optional>
#include <string>

#include "outpost/server_browser.h"

namespace example {

struct FoundServer {
  std::string query_address;  // "ip:port" answering A2S
  std::string game_address;   // "ip:game_port", where players connect
  outpost::ServerInfoResult info;
};

// master: "ip:port"; filter: e.g. "\\appid\\480"; direct: a query address, or "" to use the
// master. Retries (the server may not be listed yet) until timeout_s pass or *stop is set;
// nullopt then. Logs what it finds.
std::optional<FoundServer> findServer(const std::string& master, const std::string& filter, const std::string& direct,
                                      int timeout_s, const volatile std::sig_atomic_t* stop);

// "ip:port" -> "ip:new_port" ("[v6]:port" keeps its brackets); "" if `address` has no port.
std::string withPort(const std::string& address, uint16_t port);

}  // namespace example
