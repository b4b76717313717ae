// GameServers (see game_servers.h).
#include "hub/game_servers.h"

#include <algorithm>
#include <arpa/inet.h>

#include <sstream>

#include "base/log.h"
#include "crypto/crypto.h"
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

GameServers::GameServers(store::Store& store, master::MasterServer* master, GameServerOptions options)
    : store_(store), master_(master), options_(options) {}

hubrpc::ServerLogOnResult GameServers::logOn(uint32_t connection, const std::string& public_ip,
                                             const hubrpc::ServerLogOn& req, int64_t now,
                                             std::vector<uint32_t>* replaced) {
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
    // Anonymous: a fresh account id and instance at every logon.
    uint32_t account = crypto::randomU32() | 1u;
    uint32_t instance = (crypto::randomU32() & 0xFFFFF) | 1u;
    s.steam_id = steamid::anonGameServer(account, instance);
  }
  s.secure = req.server_mode() == 3;  // AuthenticationAndSecure (banned owners never get here)
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

void GameServers::listing(uint32_t connection, const hubrpc::ServerListing& listing) {
  auto it = sessions_.find(connection);
  if (it == sessions_.end()) return;  // not logged on: nothing to list
  it->second.listing = listing;
  changed_ = true;
}

void GameServers::disconnected(uint32_t connection) {
  if (sessions_.erase(connection)) changed_ = true;
}

std::vector<hubrpc::ServerEntry> GameServers::entries() const {
  std::vector<hubrpc::ServerEntry> out;
  for (const auto& [c, s] : sessions_) {
    hubrpc::ServerEntry e;
    std::string address;
    uint64_t id = 0;
    serverOf(c, &id, &address);
    e.set_steam_id(s.steam_id);
    e.set_address(address);
    *e.mutable_logon() = s.logon;
    e.mutable_logon()->clear_token();
    *e.mutable_listing() = s.listing;
    e.set_secure(s.secure);
    out.push_back(std::move(e));
  }
  std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) { return a.steam_id() < b.steam_id(); });
  return out;
}

bool GameServers::serverOf(uint32_t connection, uint64_t* steam_id, std::string* address, uint32_t* app_id) const {
  auto it = sessions_.find(connection);
  if (it == sessions_.end()) return false;
  *steam_id = it->second.steam_id;
  if (app_id) *app_id = it->second.logon.app_id();
  in_addr a{};
  a.s_addr = htonl(it->second.ip);
  char buf[INET_ADDRSTRLEN] = {};
  inet_ntop(AF_INET, &a, buf, sizeof buf);
  *address = std::string(buf) + ":" + std::to_string(it->second.logon.game_port());
  return true;
}

size_t GameServers::listed() const {
  size_t n = 0;
  for (const auto& [c, s] : sessions_) n += s.listing.advertise() && s.ip != 0;
  return n;
}

void GameServers::publishIfChanged() {
  if (!changed_ || !master_) return;
  changed_ = false;
  std::vector<master::ServerRecord> records;
  records.reserve(sessions_.size());
  for (const auto& [c, s] : sessions_) {
    if (!s.listing.advertise() || s.ip == 0) continue;
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
