// GameServers: the hub's game-server sessions and server registry. A logon checks the token
// (unknown, revoked, idle-expired, owner banned), assigns the Steam ID (persistent per token,
// fresh per anonymous logon), decides the secure policy and restart request, and enforces one
// session per token (the newer replaces the older: docs/decisions/002-same-token-twice.md).
// Advertised listings are published to the master query responder. Hub thread only.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include "hubrpc.pb.h"
#include "hub/master_server.h"
#include "store/store.h"

namespace outpost::hub {

struct GameServerOptions {
  int64_t token_idle_expiry_s = 365LL * 24 * 3600;  // a token unused this long expires (GSLTExpired)
};

class GameServers {
 public:
  GameServers(store::Store& store, master::MasterServer* master, GameServerOptions options);

  // `public_ip` is the connection's address as the hub sees it (no port). Sessions replaced by
  // this logon (same token) are returned in *replaced so the caller can tell them.
  hubrpc::ServerLogOnResult logOn(uint32_t connection, const std::string& public_ip, const hubrpc::ServerLogOn& req,
                                  int64_t now_unix, std::vector<uint32_t>* replaced);
  void listing(uint32_t connection, const hubrpc::ServerListing& listing);
  void disconnected(uint32_t connection);
  // Rebuilds and publishes the master snapshot if the registry changed.
  void publishIfChanged();
  size_t sessions() const { return sessions_.size(); }
  // The logged-on server on this connection: its Steam ID and the address players use
  // (public ip:game port). false if the connection is not a logged-on server.
  bool serverOf(uint32_t connection, uint64_t* steam_id, std::string* address, uint32_t* app_id = nullptr) const;
  size_t listed() const;
  // Every logged-on server with its logon (token blanked) and listing fields, by Steam ID.
  std::vector<hubrpc::ServerEntry> entries() const;

 private:
  struct Session {
    uint64_t steam_id = 0;
    uint32_t token_account = 0;  // 0 for anonymous
    uint32_t ip = 0;             // IPv4 host order (0 for IPv6 peers: not listable)
    hubrpc::ServerLogOn logon;
    hubrpc::ServerListing listing;
    bool secure = false;
  };

  store::Store& store_;
  master::MasterServer* master_;
  GameServerOptions options_;
  std::unordered_map<uint32_t, Session> sessions_;  // by connection handle
  bool changed_ = true;
};

// True if dotted version a is older than b ("1.2.3" < "1.10"; missing parts count as 0).
bool versionOlder(const std::string& a, const std::string& b);

}  // namespace outpost::hub
