// GameServers: the hub's game-server sessions and server registry. A logon checks its strings
// (src/hubrpc/server_strings.h), the app and, with a token, the token (unknown, revoked,
// idle-expired, owner banned) — or, anonymous, the app's policy for anonymous servers; assigns the
// Steam ID (persistent per token, fresh per anonymous logon), decides the secure policy and restart
// request, and enforces one session per token (the newer replaces the older:
// docs/decisions/002-same-token-twice.md). Listings are checked like logons and published to the
// master query responder while advertised (and, for anonymous servers, while the app lists them).
// Sessions end when their connection closes or when the hub ends them (endWhere: a revoked token,
// a banned owner, a deleted app). Hub thread only.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "hub/master_server.h"
#include "hubrpc.pb.h"
#include "store/store.h"

namespace outpost::hub {

struct GameServerOptions {
  int64_t token_idle_expiry_s = 365LL * 24 * 3600;  // a token unused this long expires (GSLTExpired)
};

// Who a logged-on game server is.
struct ServerIdentity {
  uint64_t steam_id = 0;
  uint32_t app_id = 0;
  uint32_t token_account = 0;  // 0 for an anonymous server
  uint32_t owner_account = 0;  // the token's owner (0 for an anonymous server)
  std::string address;         // the address players use: public ip:game port
};

class GameServers {
 public:
  GameServers(store::Store& store, MasterServer* master, GameServerOptions options);

  // `public_ip` is the connection's address as the hub sees it (no port). Sessions replaced by
  // this logon (same token) are returned in *replaced so the caller can end them.
  hubrpc::ServerLogOnResult logOn(uint32_t connection, const std::string& public_ip, const hubrpc::ServerLogOn& req,
                                  int64_t now_unix, std::vector<uint32_t>* replaced);
  // Applies a listing. RESULT_OK, or why not (and *why): NotLoggedOn (21); InvalidParam (8, a
  // field over its limit or with control characters: nothing is applied); AccessDenied (15, an
  // anonymous server of an app that does not list them asked to be listed: the fields are kept for
  // the registry, the server is not listed).
  int32_t listing(uint32_t connection, const hubrpc::ServerListing& listing, std::string* why);
  void disconnected(uint32_t connection);
  // An app's policy for anonymous servers changed: its anonymous sessions are listed (while they
  // advertise) or not from now on. (Their secure flag stays until they log on again.)
  void anonymousPolicyChanged(uint32_t app_id, const store::AnonymousPolicy& policy);
  // Ends every session `which` selects (the caller tells each server and ends what hangs on it);
  // returns their connections.
  std::vector<uint32_t> endWhere(const std::function<bool(const ServerIdentity&)>& which);
  // Rebuilds and publishes the master snapshot if the registry changed.
  void publishIfChanged();
  size_t sessions() const { return sessions_.size(); }
  // The logged-on server on this connection, or nullopt.
  std::optional<ServerIdentity> serverOf(uint32_t connection) const;
  size_t listed() const;
  // Every logged-on server with its logon (token blanked) and listing fields, by Steam ID.
  std::vector<hubrpc::ServerEntry> entries() const;

 private:
  struct Session {
    uint64_t steam_id = 0;
    uint32_t token_account = 0;  // 0 for anonymous
    uint32_t owner_account = 0;
    uint32_t ip = 0;  // IPv4 host order (0 for IPv6 peers: not listable)
    hubrpc::ServerLogOn logon;
    hubrpc::ServerListing listing;
    bool secure = false;
    bool may_list = true;  // false: an anonymous server of an app that does not list them
  };
  ServerIdentity identity(const Session& s) const;
  // On the master list: advertising, allowed to be listed, and reachable over IPv4.
  static bool listedNow(const Session& s) { return s.listing.advertise() && s.may_list && s.ip != 0; }

  store::Store& store_;
  MasterServer* master_;
  GameServerOptions options_;
  std::unordered_map<uint32_t, Session> sessions_;  // by connection handle
  bool changed_ = true;
};

// True if dotted version a is older than b ("1.2.3" < "1.10"; missing parts count as 0).
bool versionOlder(const std::string& a, const std::string& b);

}  // namespace outpost::hub
