// GameServer's server queries (see game_server_impl.h): what A2S answers — the info fields, the
// players (auth sessions and createUnauthenticatedUserConnection, names and scores from
// updateUserData, bots from setBotPlayerCount) and the rules (setKeyValue) — served on the
// server's own query port or, in GameSocketShare mode, through handleIncomingPacket and
// getNextOutgoingPacket (docs/spec/a2s.md).
#include <algorithm>

#include "a2s/reply.h"
#include "a2s/wire.h"
#include "base/clock.h"
#include "base/log.h"
#include "outpost/steam_id.h"
#include "server/game_server_impl.h"

namespace outpost::server {

void GameServerImpl::publishA2s() {
  a2s_dirty_ = false;
  last_a2s_ = SteadyClock::now();
  a2s_logged_on_ = state_ == State::kLoggedOn;
  if (!query_ && !shared_) return;
  ServerInfoResult info;
  info.protocol = a2s::kSourceProtocolVersion;
  info.name = listing_.name();
  info.map = listing_.map();
  info.folder = logon_.mod_dir();
  info.game = logon_.description();
  info.app_id = logon_.app_id();
  info.game_id = a2s::gameIdForApp(logon_.app_id());
  info.max_players = static_cast<uint8_t>(std::min<uint32_t>(listing_.max_players(), 255));
  info.bots = static_cast<uint8_t>(std::min<uint32_t>(listing_.bots(), 255));
  info.server_type = logon_.dedicated() ? 'd' : 'l';
#if defined(_WIN32)
  info.environment = 'w';
#elif defined(__APPLE__)
  info.environment = 'm';
#else
  info.environment = 'l';
#endif
  info.password = listing_.password();
  info.secure = state_ == State::kLoggedOn && secure_;
  info.version = logon_.version();
  info.game_port = static_cast<uint16_t>(logon_.game_port());
  info.steam_id = state_ == State::kLoggedOn ? steam_id_ : 0;
  info.spectator_port = static_cast<uint16_t>(listing_.spectator_port());
  info.spectator_name = listing_.spectator_name();
  info.keywords = listing_.tags();
  std::vector<ServerPlayer> players;
  auto now = SteadyClock::now();
  for (const auto& [id, p] : players_) {
    float secs = std::chrono::duration<float>(now - p.joined).count();
    players.push_back({p.name, static_cast<int32_t>(p.score), secs});
  }
  for (uint32_t b = 0; b < listing_.bots(); ++b) players.push_back({"Bot " + std::to_string(b + 1), 0, 0.f});
  uint32_t total = humanPlayers() + listing_.bots();
  info.players = static_cast<uint8_t>(std::min<uint32_t>(total, 255));
  if (query_) query_->update(info, players, rules_);
  if (shared_) shared_->update(info, players, rules_);
}

}  // namespace outpost::server

namespace outpost {

using server::GameServerImpl;

bool GameServer::handleIncomingPacket(const std::vector<uint8_t>& packet, const std::string& ip, uint16_t port) {
  std::lock_guard<std::mutex> l(impl_->mu_);
  if (!impl_->shared_) {
    OUTPOST_LOG_WARN("handleIncomingPacket: only in GameSocketShare mode (query port QUERY_PORT_SHARED)");
    return false;
  }
  if (!a2s::hasSingleHeader(packet)) return false;  // not a query: the game's own traffic
  auto from = base::SocketAddress::parse(
      ip.find(':') != std::string::npos ? "[" + ip + "]:" + std::to_string(port) : ip + ":" + std::to_string(port),
      true);
  if (!from) return false;
  if (impl_->a2s_dirty_) impl_->publishA2s();
  std::vector<server::A2sResponder::Outgoing> out;
  impl_->shared_->handle(*from, packet, base::SystemClock::instance().nowUs(), out);
  for (auto& o : out) impl_->outgoing_.push_back(std::move(o));
  return true;
}

OutgoingPacket GameServer::getNextOutgoingPacket() {
  std::lock_guard<std::mutex> l(impl_->mu_);
  OutgoingPacket p;
  if (impl_->outgoing_.empty()) return p;
  auto& o = impl_->outgoing_.front();
  p.data = std::move(o.bytes);
  p.address = o.address.toString(false);
  p.port = o.address.port();
  impl_->outgoing_.pop_front();
  return p;
}

std::map<std::string, uint64_t> GameServer::getQueryCounters() {
  std::lock_guard<std::mutex> l(impl_->mu_);
  if (impl_->query_) return impl_->query_->counters().toMap();
  if (impl_->shared_) return impl_->shared_->counters().toMap();
  return {};
}

bool GameServer::setKeyValue(const std::string& key, const std::string& value) {
  if (!a2s::isValidRule(key, value)) {
    OUTPOST_LOG_WARN("setKeyValue: key of %zu bytes or value of %zu bytes refused (empty key, too long, or NUL)",
                     key.size(), value.size());
    return false;
  }
  std::lock_guard<std::mutex> l(impl_->mu_);
  impl_->rules_[key] = value;
  impl_->a2s_dirty_ = true;
  return true;
}

void GameServer::clearAllKeyValues() {
  std::lock_guard<std::mutex> l(impl_->mu_);
  impl_->rules_.clear();
  impl_->a2s_dirty_ = true;
}

bool GameServer::updateUserData(uint64_t steam_id, const std::string& name, uint32_t score) {
  std::lock_guard<std::mutex> l(impl_->mu_);
  auto it = impl_->players_.find(steam_id);
  if (it == impl_->players_.end()) {
    OUTPOST_LOG_WARN("updateUserData: %llu is not a player on this server", static_cast<unsigned long long>(steam_id));
    return false;
  }
  it->second.name = name.substr(0, 127);
  it->second.score = score;
  impl_->a2s_dirty_ = true;
  return true;
}

uint64_t GameServer::createUnauthenticatedUserConnection() {
  std::lock_guard<std::mutex> l(impl_->mu_);
  uint64_t id = steamid::make(UNIVERSE_PUBLIC, ACCOUNT_TYPE_ANON_USER, 0, impl_->next_bot_account_++);
  impl_->players_[id] = GameServerImpl::Player{"", 0, GameServerImpl::SteadyClock::now(), true};
  impl_->a2s_dirty_ = true;
  return id;
}

void GameServer::sendUserDisconnect(uint64_t steam_id) {
  std::lock_guard<std::mutex> l(impl_->mu_);
  if (impl_->players_.erase(steam_id)) impl_->a2s_dirty_ = true;
}

}  // namespace outpost
