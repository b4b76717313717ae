// outpost::GameServer's public calls (see include/outpost/game_server.h): initialisation, the
// session (logOn, logOff, identity, policy), the pre-logon and listing setters, the Steam ID
// helpers, and the signal hookup. The state and the service thread live in GameServerImpl
// (game_server_impl.h); auth and A2S calls are in game_server_auth.cpp and game_server_a2s.cpp.
#include "outpost/game_server.h"

#include <algorithm>

#include "base/log.h"
#include "hubrpc/server_strings.h"
#include "outpost/steam_id.h"
#include "server/game_server_impl.h"

namespace outpost {

using server::badCount;
using server::badString;
using server::GameServerImpl;

GameServer::GameServer() : impl_(std::make_unique<GameServerImpl>()) {}
GameServer::~GameServer() = default;

bool GameServer::serverInit(const std::string& ip, uint16_t game_port, uint16_t query_port, int server_mode,
                            const std::string& version) {
  return serverInitEx(ip, game_port, query_port, server_mode, version).status == STEAM_API_INIT_RESULT_OK;
}

ServerInitResult GameServer::serverInitEx(const std::string& ip, uint16_t game_port, uint16_t query_port,
                                          int server_mode, const std::string& version) {
  std::string why;
  if (!impl_->init(ip, game_port, query_port, server_mode, version, &why)) {
    OUTPOST_LOG_WARN("serverInit: %s", why.c_str());
    return {STEAM_API_INIT_RESULT_FAILED_GENERIC, why};
  }
  return {STEAM_API_INIT_RESULT_OK, ""};
}

void GameServer::serverShutdown() { impl_->shutdown(); }
void GameServer::run_callbacks() { impl_->runCallbacks(); }
void GameServer::setHub(const std::string& address, const std::string& key) {
  std::lock_guard<std::mutex> l(impl_->mu_);
  impl_->configureHub(address, key);
}
void GameServer::allowUnpinnedHub(bool allow) {
  std::lock_guard<std::mutex> l(impl_->mu_);
  impl_->allow_unpinned_hub_ = allow;
}
void GameServer::certifyNetworkingSockets(NetworkingSockets& net) { impl_->certify(net); }
void GameServer::logOn(const std::string& token) {
  if (token.empty()) {
    OUTPOST_LOG_WARN("logOn: empty token (use logOnAnonymous)");
    return;
  }
  impl_->logOn(token, false);
}
void GameServer::logOnAnonymous() { impl_->logOn("", true); }
void GameServer::logOff() { impl_->logOff(); }
bool GameServer::loggedOn() {
  std::lock_guard<std::mutex> l(impl_->mu_);
  return impl_->state_ == GameServerImpl::State::kLoggedOn;
}
bool GameServer::secure() {
  std::lock_guard<std::mutex> l(impl_->mu_);
  return impl_->state_ == GameServerImpl::State::kLoggedOn && impl_->secure_;
}
bool GameServer::isServerSecure() { return secure(); }
uint64_t GameServer::getSteamID() {
  std::lock_guard<std::mutex> l(impl_->mu_);
  return impl_->steam_id_ ? impl_->steam_id_ : steamid::blankAnonLogon();
}
uint64_t GameServer::getServerSteamID() { return getSteamID(); }
uint32_t GameServer::getSteamID32(uint64_t id) { return steamid::toSteam32(id); }
bool GameServer::isAnonAccount(uint64_t id) { return steamid::isAnonAccount(id); }
bool GameServer::isAnonUserAccount(uint64_t id) { return steamid::isAnonUser(id); }
bool GameServer::isChatAccount(uint64_t id) { return steamid::isChat(id); }
bool GameServer::isClanAccount(uint64_t id) { return steamid::isClan(id); }
bool GameServer::isConsoleUserAccount(uint64_t id) { return steamid::isConsoleUser(id); }
bool GameServer::isIndividualAccount(uint64_t id) { return steamid::isIndividual(id); }
bool GameServer::isLobby(uint64_t id) { return steamid::isLobby(id); }
PublicIP GameServer::getPublicIP() {
  std::lock_guard<std::mutex> l(impl_->mu_);
  PublicIP p;
  if (impl_->public_ip_.find(':') != std::string::npos) {
    p.ipv6 = impl_->public_ip_;
    p.type = 1;
  } else {
    p.ipv4 = impl_->public_ip_;
  }
  return p;
}
bool GameServer::wasRestartRequested() {
  std::lock_guard<std::mutex> l(impl_->mu_);
  bool r = impl_->restart_requested_;
  impl_->restart_requested_ = false;  // "Only returns true once per request"
  return r;
}
bool GameServer::setProduct(const std::string& v) {
  if (badString("setProduct", v, hubrpc::kMaxProductBuffer) || !impl_->beforeLogOn("setProduct")) return false;
  std::lock_guard<std::mutex> l(impl_->mu_);
  impl_->logon_.set_product(v);
  return true;
}
bool GameServer::setGameDescription(const std::string& v) {
  if (badString("setGameDescription", v, MAX_GAME_SERVER_GAME_DESCRIPTION) || !impl_->beforeLogOn("setGameDescription"))
    return false;
  std::lock_guard<std::mutex> l(impl_->mu_);
  impl_->logon_.set_description(v);
  return true;
}
bool GameServer::setModDir(const std::string& v) {
  if (badString("setModDir", v, MAX_GAME_SERVER_GAME_DIR) || !impl_->beforeLogOn("setModDir")) return false;
  std::lock_guard<std::mutex> l(impl_->mu_);
  impl_->logon_.set_mod_dir(v);
  return true;
}
bool GameServer::setDedicatedServer(bool dedicated) {
  if (!impl_->beforeLogOn("setDedicatedServer")) return false;
  std::lock_guard<std::mutex> l(impl_->mu_);
  impl_->logon_.set_dedicated(dedicated);
  return true;
}
bool GameServer::setServerName(const std::string& v) {
  if (badString("setServerName", v, MAX_GAME_SERVER_SERVER_NAME)) return false;
  impl_->editListing([&](auto& x) { x.set_name(v); });
  return true;
}
bool GameServer::setMapName(const std::string& v) {
  if (badString("setMapName", v, MAX_GAME_SERVER_MAP_NAME)) return false;
  impl_->editListing([&](auto& x) { x.set_map(v); });
  return true;
}
bool GameServer::setGameTags(const std::string& v) {
  if (badString("setGameTags", v, MAX_GAME_SERVER_TAGS)) return false;
  impl_->editListing([&](auto& x) { x.set_tags(v); });
  return true;
}
bool GameServer::setGameData(const std::string& v) {
  if (badString("setGameData", v, MAX_GAME_SERVER_GAME_DATA)) return false;
  impl_->editListing([&](auto& x) { x.set_gamedata(v); });
  return true;
}
bool GameServer::setRegion(const std::string& v) {
  if (badString("setRegion", v, hubrpc::kMaxRegionBuffer)) return false;
  impl_->editListing([&](auto& x) { x.set_region(v); });
  return true;
}
void GameServer::setMaxPlayerCount(int n) {
  if (badCount("setMaxPlayerCount", n)) return;
  impl_->editListing([&](auto& x) { x.set_max_players(static_cast<uint32_t>(std::max(0, n))); });
}
void GameServer::setBotPlayerCount(int n) {
  if (badCount("setBotPlayerCount", n)) return;
  impl_->editListing([&](auto& x) { x.set_bots(static_cast<uint32_t>(std::max(0, n))); });
}
void GameServer::setPasswordProtected(bool p) {
  impl_->editListing([&](auto& x) { x.set_password(p); });
}
void GameServer::setSpectatorPort(uint16_t port) {
  impl_->editListing([&](auto& x) { x.set_spectator_port(port); });
}
void GameServer::setSpectatorServerName(const std::string& v) {
  if (badString("setSpectatorServerName", v, MAX_GAME_SERVER_MAP_NAME)) return;
  impl_->editListing([&](auto& x) { x.set_spectator_name(v); });
}
void GameServer::setAdvertiseServerActive(bool active) {
  impl_->editListing([&](auto& x) { x.set_advertise(active); });
}

void GameServer::connect_validate_auth_ticket_response(std::function<void(const ValidateAuthTicketResponse&)> h) {
  std::lock_guard<std::mutex> l(impl_->mu_);
  impl_->on_validate_ = std::move(h);
}

void GameServer::connect_client_kick(std::function<void(const ClientKick&)> h) {
  std::lock_guard<std::mutex> l(impl_->mu_);
  impl_->on_kick_ = std::move(h);
}
void GameServer::connect_client_approved(std::function<void(const ClientApproved&)> h) {
  std::lock_guard<std::mutex> l(impl_->mu_);
  impl_->on_approved_ = std::move(h);
}
void GameServer::connect_client_denied(std::function<void(const ClientDenied&)> h) {
  std::lock_guard<std::mutex> l(impl_->mu_);
  impl_->on_denied_ = std::move(h);
}

void GameServer::connect_server_connected(std::function<void()> h) {
  std::lock_guard<std::mutex> l(impl_->mu_);
  impl_->on_connected_ = std::move(h);
}
void GameServer::connect_server_connect_failure(std::function<void(const ServerConnectFailure&)> h) {
  std::lock_guard<std::mutex> l(impl_->mu_);
  impl_->on_failure_ = std::move(h);
}
void GameServer::connect_server_disconnected(std::function<void(int32_t)> h) {
  std::lock_guard<std::mutex> l(impl_->mu_);
  impl_->on_disconnected_ = std::move(h);
}
void GameServer::connect_policy_response(std::function<void(bool)> h) {
  std::lock_guard<std::mutex> l(impl_->mu_);
  impl_->on_policy_ = std::move(h);
}

void GameServer::connect_client_group_status(std::function<void(const ClientGroupStatus&)> h) {
  std::lock_guard<std::mutex> l(impl_->mu_);
  impl_->on_group_ = std::move(h);
}
void GameServer::connect_associate_clan(std::function<void(int32_t)> h) {
  std::lock_guard<std::mutex> l(impl_->mu_);
  impl_->on_clan_ = std::move(h);
}
void GameServer::connect_player_compat(std::function<void(const PlayerCompat&)> h) {
  std::lock_guard<std::mutex> l(impl_->mu_);
  impl_->on_compat_ = std::move(h);
}
void GameServer::connect_gameplay_stats(std::function<void(const GameplayStats&)> h) {
  std::lock_guard<std::mutex> l(impl_->mu_);
  impl_->on_stats_ = std::move(h);
}

}  // namespace outpost
