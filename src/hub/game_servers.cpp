// GameServers (see game_servers.h).
#include "hub/game_servers.h"

#include <arpa/inet.h>
#include <algorithm>

#include <sstream>

#include "base/log.h"
#include "crypto/crypto.h"
#include "hubrpc/server_strings.h"
#include "outpost/steam_id.h"
#include "outpost/types.h"

namespace outpost::hub {

namespace {

hubrpc::ServerLogOnResult refuse(int result, std::string why) {
  hubrpc::ServerLogOnResult r;
  r.set_result(result);
  r.set_error(std::move(why));
  return r;
}

std::vector<long> versionParts(const std::string& v) {
  std::vector<long> parts;
  std::stringstream ss(v);
  std::string item;
  while (std::getline(ss, item, '.')) parts.push_back(std::strtol(item.c_str(), nullptr, 10));
  return parts;
}

}  // namespace

bool versionOlder(const std::string& a, const std::string& b) {
  auto pa = versionParts(a), pb = versionParts(b);
  size_t n = std::max(pa.size(), pb.size());
  pa.resize(n, 0);
  pb.resize(n, 0);
  return pa < pb;
}

GameServers::GameServers(store::Store& store, MasterServer* master, GameServerOptions options)
    : store_(store), master_(master), options_(options) {}

hubrpc::ServerLogOnResult GameServers::logOn(uint32_t connection, const std::string& public_ip,
                                             const hubrpc::ServerLogOn& req, int64_t now,
                                             std::vector<uint32_t>* replaced) {
  // Strings first: nothing over the reference's limits or with control characters is kept.
  if (std::string why = hubrpc::checkServerLogOn(req); !why.empty()) return refuse(RESULT_INVALID_PARAM, why);
  auto app = store_.getApp(req.app_id());
  if (!app) return refuse(RESULT_INVALID_PARAM, "no app " + std::to_string(req.app_id()) + " on this hub");
  Session s;
  s.logon = req;
  if (!req.token().empty()) {
    std::string hash = crypto::hashHex({reinterpret_cast<const uint8_t*>(req.token().data()), req.token().size()});
    auto token = store_.getTokenByHash(hash);
    if (!token) return refuse(RESULT_ACCESS_DENIED, "unknown login token");
    if (token->revoked) return refuse(RESULT_REVOKED, "the login token was revoked");
    if (token->app_id != req.app_id())
      return refuse(RESULT_INVALID_PARAM, "the login token belongs to app " + std::to_string(token->app_id));
    int64_t last = token->last_used_at ? token->last_used_at : token->created_at;
    if (now - last > options_.token_idle_expiry_s)
      return refuse(RESULT_GSLT_EXPIRED, "the login token expired from disuse; create a new one");
    if (store_.activeBan(req.app_id(), token->owner_account_id))
      return refuse(RESULT_GSLT_DENIED, "the token's owner is banned from this app");
    store_.touchToken(token->account_id, now);
    s.token_account = token->account_id;
    s.owner_account = token->owner_account_id;
    s.steam_id = steamid::gameServer(token->account_id);
    // One session per token: the newer one wins.
    for (auto it = sessions_.begin(); it != sessions_.end();) {
      if (it->second.token_account == token->account_id && it->first != connection) {
        replaced->push_back(it->first);
        it = sessions_.erase(it);
        changed_ = true;
      } else {
        ++it;
      }
    }
  } else {
    // Anonymous: only if the app lets anonymous servers log on (docs/decisions/011).
    if (!app->anonymous.logon)
      return refuse(RESULT_ACCESS_DENIED, "app " + std::to_string(req.app_id()) +
                                              " does not accept anonymous game servers; log on with a login token");
    // A fresh account id and instance at every logon.
    uint32_t account = crypto::randomU32() | 1u;
    uint32_t instance = (crypto::randomU32() & 0xFFFFF) | 1u;
    s.steam_id = steamid::anonGameServer(account, instance);
    s.may_list = app->anonymous.listed;
  }
  // AuthenticationAndSecure asked for (banned owners never get here); an anonymous server only
  // where its app allows it.
  s.secure = req.server_mode() == SERVER_MODE_AUTHENTICATION_AND_SECURE && (s.token_account || app->anonymous.secure);
  in_addr v4{};
  if (inet_pton(AF_INET, public_ip.c_str(), &v4) == 1) s.ip = ntohl(v4.s_addr);
  sessions_[connection] = s;
  changed_ = true;

  hubrpc::ServerLogOnResult r;
  r.set_result(RESULT_OK);
  r.set_steam_id(s.steam_id);
  r.set_secure(s.secure);
  r.set_public_ip(public_ip);
  r.set_restart_requested(!app->required_version.empty() && versionOlder(req.version(), app->required_version));
  return r;
}

int32_t GameServers::listing(uint32_t connection, const hubrpc::ServerListing& listing, std::string* why) {
  auto it = sessions_.find(connection);
  if (it == sessions_.end()) {
    *why = "log on first: only a logged-on game server is listed";
    return RESULT_NOT_LOGGED_ON;
  }
  if (std::string bad = hubrpc::checkServerListing(listing); !bad.empty()) {
    *why = bad;
    return RESULT_INVALID_PARAM;
  }
  it->second.listing = listing;
  changed_ = true;
  if (listing.advertise() && !it->second.may_list) {
    *why = "app " + std::to_string(it->second.logon.app_id()) + " does not list anonymous game servers";
    return RESULT_ACCESS_DENIED;
  }
  return RESULT_OK;
}

void GameServers::anonymousPolicyChanged(uint32_t app_id, const store::AnonymousPolicy& policy) {
  for (auto& [c, s] : sessions_)
    if (s.token_account == 0 && s.logon.app_id() == app_id && s.may_list != policy.listed) {
      s.may_list = policy.listed;
      changed_ = true;
    }
}

void GameServers::disconnected(uint32_t connection) {
  if (sessions_.erase(connection)) changed_ = true;
}

std::vector<uint32_t> GameServers::endWhere(const std::function<bool(const ServerIdentity&)>& which) {
  std::vector<uint32_t> ended;
  for (auto it = sessions_.begin(); it != sessions_.end();) {
    if (which(identity(it->second))) {
      ended.push_back(it->first);
      it = sessions_.erase(it);
      changed_ = true;
    } else {
      ++it;
    }
  }
  return ended;
}

ServerIdentity GameServers::identity(const Session& s) const {
  ServerIdentity id;
  id.steam_id = s.steam_id;
  id.app_id = s.logon.app_id();
  id.token_account = s.token_account;
  id.owner_account = s.owner_account;
  in_addr a{};
  a.s_addr = htonl(s.ip);
  char buf[INET_ADDRSTRLEN] = {};
  inet_ntop(AF_INET, &a, buf, sizeof buf);
  id.address = std::string(buf) + ":" + std::to_string(s.logon.game_port());
  return id;
}

std::vector<hubrpc::ServerEntry> GameServers::entries() const {
  std::vector<hubrpc::ServerEntry> out;
  for (const auto& [c, s] : sessions_) {
    hubrpc::ServerEntry e;
    e.set_steam_id(s.steam_id);
    e.set_address(identity(s).address);
    *e.mutable_logon() = s.logon;
    e.mutable_logon()->clear_token();
    *e.mutable_listing() = s.listing;
    e.mutable_listing()->set_advertise(listedNow(s));  // what the master shows
    e.set_secure(s.secure);
    out.push_back(std::move(e));
  }
  std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) { return a.steam_id() < b.steam_id(); });
  return out;
}

std::optional<ServerIdentity> GameServers::serverOf(uint32_t connection) const {
  auto it = sessions_.find(connection);
  if (it == sessions_.end()) return std::nullopt;
  return identity(it->second);
}

size_t GameServers::listed() const {
  size_t n = 0;
  for (const auto& [c, s] : sessions_) n += listedNow(s);
  return n;
}

void GameServers::publishIfChanged() {
  if (!changed_ || !master_) return;
  changed_ = false;
  std::vector<master::ServerRecord> records;
  records.reserve(sessions_.size());
  for (const auto& [c, s] : sessions_) {
    if (!listedNow(s)) continue;
    master::ServerRecord r;
    r.ip = s.ip;
    uint32_t game_port = s.logon.game_port();
    uint32_t query_port = s.logon.query_port() == 0xFFFF ? game_port : s.logon.query_port();
    r.query_port = static_cast<uint16_t>(query_port);
    r.game_port = static_cast<uint16_t>(game_port);
    r.app_id = s.logon.app_id();
    r.steam_id = s.steam_id;
    r.name = s.listing.name();
    r.map = s.listing.map();
    r.gamedir = s.logon.mod_dir();
    r.product = s.logon.product();
    r.description = s.logon.description();
    r.version = s.logon.version();
    r.tags = s.listing.tags();
    r.gamedata = s.listing.gamedata();
    r.players = static_cast<uint16_t>(s.listing.players());
    r.max_players = static_cast<uint16_t>(s.listing.max_players());
    r.bots = static_cast<uint16_t>(s.listing.bots());
    r.password = s.listing.password();
    r.dedicated = s.logon.dedicated();
    r.secure = s.secure;
    r.os = s.listing.os().empty() ? 'l' : s.listing.os()[0];
    r.spectator_proxy = false;
    records.push_back(std::move(r));
  }
  master_->publish(master::makeMasterIndex(std::move(records)));
}

}  // namespace outpost::hub
