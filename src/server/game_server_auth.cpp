// GameServer's auth calls (see game_server_impl.h): player auth sessions (beginAuthSession, the
// older sendUserConnectAndAuthenticate, endAuthSession, userHasLicenseForApp), held by
// AuthSessions (auth_sessions.h), to which GameServerImpl is the hub link and whose reports it
// turns into the player list and queued signals; the server's own tickets (getAuthSessionTicket
// / cancelAuthTicket); and the group, clan, compatibility and statistics requests the hub answers.
#include <arpa/inet.h>

#include "base/log.h"
#include "server/game_server_impl.h"

namespace outpost::server {

// ---- GameServerImpl as AuthSessions' hub link and report receiver -----------------------------

AuthHubLink::Identity GameServerImpl::identity() const {
  Identity me;
  me.logged_on = state_ == State::kLoggedOn;
  me.steam_id = steam_id_;
  me.address = public_ip_ + ":" + std::to_string(logon_.game_port());
  me.app_id = logon_.app_id();
  me.hub_key_hex = hub_key_;
  return me;
}

void GameServerImpl::playerVerdict(uint64_t user, bool accepted) {
  if (!accepted) players_.erase(user);
  else if (!players_.count(user)) players_[user] = Player{"", 0, SteadyClock::now(), false};
  a2s_dirty_ = true;
}

void GameServerImpl::validateAuthTicketResponse(const ValidateAuthTicketResponse& v) {
  queue([this, v] {
    if (on_validate_) on_validate_(v);
  });
}
void GameServerImpl::clientApproved(const ClientApproved& a) {
  queue([this, a] {
    if (on_approved_) on_approved_(a);
  });
}
void GameServerImpl::clientDenied(const ClientDenied& d) {
  queue([this, d] {
    if (on_denied_) on_denied_(d);
  });
}
void GameServerImpl::clientKick(const ClientKick& k) {
  queue([this, k] {
    if (on_kick_) on_kick_(k);
  });
}

void GameServerImpl::ticketResult(uint32_t request_id, const hubrpc::TicketResult& r) {
  auto it = ticket_waits_.find(request_id);
  if (it == ticket_waits_.end()) return;  // the caller gave up
  it->second = r;
  ticket_cv_.notify_all();
}

}  // namespace outpost::server

namespace outpost {

using server::GameServerImpl;

// ---- Player auth sessions -----------------------------------------------------------------------

int GameServer::beginAuthSession(const std::vector<uint8_t>& bytes, uint64_t steam_id) {
  std::lock_guard<std::mutex> l(impl_->mu_);
  return impl_->auth_.begin(bytes, steam_id, false);
}

bool GameServer::sendUserConnectAndAuthenticate(uint32_t ip_client, const std::vector<uint8_t>& auth_blob,
                                                uint64_t* steam_id_user) {
  if (!steam_id_user) {
    OUTPOST_LOG_WARN("sendUserConnectAndAuthenticate: steam_id_user must not be null");
    return false;
  }
  *steam_id_user = 0;
  ticket::TicketError why = ticket::TicketError::kNone;
  auto parsed = ticket::parseTicket(auth_blob, &why);
  if (!parsed) {
    OUTPOST_LOG_WARN("sendUserConnectAndAuthenticate: not a session ticket (%s)", ticket::toString(why));
    return false;
  }
  uint64_t user = parsed->claims.steam_id;
  std::lock_guard<std::mutex> l(impl_->mu_);
  int r = impl_->auth_.begin(auth_blob, user, true);
  in_addr a{htonl(ip_client)};
  char ip[INET_ADDRSTRLEN] = "";
  inet_ntop(AF_INET, &a, ip, sizeof ip);
  if (r != BEGIN_AUTH_SESSION_RESULT_OK) {
    OUTPOST_LOG_WARN("sendUserConnectAndAuthenticate(%s, %llu): refused (BeginAuthSessionResult %d)", ip,
                     static_cast<unsigned long long>(user), r);
    return false;
  }
  *steam_id_user = user;
  return true;
}

void GameServer::endAuthSession(uint64_t steam_id) {
  std::lock_guard<std::mutex> l(impl_->mu_);
  if (impl_->players_.erase(steam_id)) impl_->a2s_dirty_ = true;
  impl_->auth_.end(steam_id);
}

int GameServer::userHasLicenseForApp(uint64_t steam_id, uint32_t app_id) {
  std::lock_guard<std::mutex> l(impl_->mu_);
  return impl_->auth_.licence(steam_id, app_id);
}

// ---- The server's own tickets -------------------------------------------------------------------

AuthTicket GameServer::getAuthSessionTicket(const std::string& identity) {
  std::unique_lock<std::mutex> l(impl_->mu_);
  AuthTicket t;
  if (!impl_->loggedOnLocked()) {
    OUTPOST_LOG_WARN("getAuthSessionTicket: the server is not logged on to the hub");
    t.result = RESULT_NOT_LOGGED_ON;
    return t;
  }
  hubrpc::Envelope e;
  uint32_t id = ++impl_->request_id_;
  e.set_request_id(id);
  e.mutable_ticket_request()->set_recipient(identity);
  impl_->ticket_waits_[id];
  impl_->send(e);
  impl_->ticket_cv_.wait_for(l, std::chrono::milliseconds(GameServerImpl::kTicketTimeoutMs), [&] {
    auto w = impl_->ticket_waits_.find(id);
    return w == impl_->ticket_waits_.end() || w->second.has_value() || !impl_->initialized_;
  });
  auto w = impl_->ticket_waits_.find(id);
  std::optional<hubrpc::TicketResult> r;
  if (w != impl_->ticket_waits_.end()) {
    r = std::move(w->second);
    impl_->ticket_waits_.erase(w);
  }
  if (!r || r->result() != RESULT_OK) {
    t.result = r ? r->result() : RESULT_NO_CONNECTION;
    OUTPOST_LOG_WARN("getAuthSessionTicket: %s", r ? r->error().c_str() : "the hub did not answer");
    return t;
  }
  t.result = RESULT_OK;
  t.id = impl_->next_ticket_handle_++;
  t.buffer.assign(r->ticket().begin(), r->ticket().end());
  t.size = static_cast<uint32_t>(t.buffer.size());
  impl_->own_tickets_[t.id] = r->ticket_id();
  return t;
}

AuthTicket GameServer::getAuthSessionTicket(uint64_t remote_steam_id) {
  return getAuthSessionTicket(remote_steam_id ? "steamid:" + std::to_string(remote_steam_id) : std::string());
}

void GameServer::cancelAuthTicket(uint32_t id) {
  std::lock_guard<std::mutex> l(impl_->mu_);
  auto it = impl_->own_tickets_.find(id);
  if (it == impl_->own_tickets_.end()) {
    OUTPOST_LOG_WARN("cancelAuthTicket: unknown ticket handle %u", id);
    return;
  }
  hubrpc::Envelope e;
  e.mutable_cancel_ticket()->set_ticket_id(it->second);
  if (!impl_->request(std::move(e)))
    OUTPOST_LOG_WARN("cancelAuthTicket: not logged on; the hub forgets this server's tickets when it logs off");
  impl_->own_tickets_.erase(it);
}

// ---- Groups, clans, compatibility, statistics ------------------------------------------------

bool GameServer::requestUserGroupStatus(uint64_t steam_id, uint64_t group_id) {
  std::lock_guard<std::mutex> l(impl_->mu_);
  hubrpc::Envelope e;
  e.mutable_group_status_request()->set_steam_id(steam_id);
  e.mutable_group_status_request()->set_group_id(group_id);
  return impl_->request(std::move(e));
}

void GameServer::associateWithClan(uint64_t clan_id) {
  std::lock_guard<std::mutex> l(impl_->mu_);
  hubrpc::Envelope e;
  e.mutable_associate_clan()->set_clan_id(clan_id);
  if (!impl_->request(std::move(e)))
    impl_->queue([i = impl_.get()] {
      if (i->on_clan_) i->on_clan_(RESULT_NOT_LOGGED_ON);
    });
}

void GameServer::computeNewPlayerCompatibility(uint64_t steam_id) {
  std::lock_guard<std::mutex> l(impl_->mu_);
  hubrpc::Envelope e;
  e.mutable_player_compat_request()->set_steam_id(steam_id);
  if (!impl_->request(std::move(e)))
    impl_->queue([i = impl_.get(), steam_id] {
      if (i->on_compat_) i->on_compat_(PlayerCompat{RESULT_NOT_LOGGED_ON, 0, 0, 0, steam_id});
    });
}

void GameServer::getGameplayStats() {
  std::lock_guard<std::mutex> l(impl_->mu_);
  hubrpc::Envelope e;
  e.mutable_gameplay_stats_request();
  if (!impl_->request(std::move(e)))
    impl_->queue([i = impl_.get()] {
      if (i->on_stats_) i->on_stats_(GameplayStats{RESULT_NOT_LOGGED_ON, 0, 0, 0});
    });
}

}  // namespace outpost
