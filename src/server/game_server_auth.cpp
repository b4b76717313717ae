// GameServer's auth calls (see game_server_impl.h): player sessions opened by beginAuthSession or
// by the older sendUserConnectAndAuthenticate (checked offline, then by the hub, whose verdicts
// become validate_auth_ticket_response, or client_approved / client_denied for the older flow),
// licences, the server's own tickets (getAuthSessionTicket / cancelAuthTicket), and the group,
// clan, compatibility and statistics requests the hub answers.
#include <arpa/inet.h>

#include <algorithm>
#include <ctime>

#include "base/log.h"
#include "crypto/crypto.h"
#include "outpost/steam_id.h"
#include "server/game_server_impl.h"

namespace outpost {

namespace {

// The older flow reports a refusal as a DenyReason and a text (the SDK's m_rgchOptionalText).
std::pair<int32_t, const char*> denyFor(int32_t response) {
  switch (response) {
    case AUTH_SESSION_RESPONSE_USER_NOT_CONNECTED_TO_STEAM: return {DENY_NOT_LOGGED_ON, "the user is not logged on to the hub"};
    case AUTH_SESSION_RESPONSE_NO_LICENSE_OR_EXPIRED: return {DENY_NO_LICENSE, "no licence for this app"};
    case AUTH_SESSION_RESPONSE_VAC_BANNED: return {DENY_CHEATER, "VAC ban"};
    case AUTH_SESSION_RESPONSE_LOGGED_IN_ELSEWHERE: return {DENY_LOGGED_IN_ELSEWHERE, "the user logged in elsewhere"};
    case AUTH_SESSION_RESPONSE_VAC_CHECK_TIMED_OUT: return {DENY_STEAM_RESPONSE_TIMED_OUT, "the hub did not answer"};
    case AUTH_SESSION_RESPONSE_AUTH_TICKET_CANCELED: return {DENY_NOT_LOGGED_ON, "the ticket was cancelled"};
    case AUTH_SESSION_RESPONSE_AUTH_TICKET_INVALID_ALREADY_USED: return {DENY_GENERIC, "the ticket was already used"};
    case AUTH_SESSION_RESPONSE_AUTH_TICKET_INVALID: return {DENY_GENERIC, "the hub refused the ticket"};
    case AUTH_SESSION_RESPONSE_PUBLISHER_ISSUED_BAN: return {DENY_CHEATER, "publisher ban"};
    case AUTH_SESSION_RESPONSE_AUTH_TICKET_NETWORK_IDENTITY_FAILURE:
      return {DENY_GENERIC, "the ticket is bound to another server"};
    default: return {DENY_GENERIC, "refused"};
  }
}

}  // namespace

// ---- Sessions ----------------------------------------------------------------------------------

int GameServerImpl::beginSession(const std::vector<uint8_t>& bytes, uint64_t steam_id, bool legacy) {
  std::array<uint8_t, crypto::kSignPublicKeyBytes> hub_key{};
  if (!crypto::fromHex(hub_key_, hub_key)) {
    OUTPOST_LOG_WARN("beginAuthSession: no hub key pinned (OUTPOST_HUB_KEY), so no ticket can be verified");
    return BEGIN_AUTH_SESSION_RESULT_INVALID_TICKET;
  }
  ticket::Claims claims;
  ticket::TicketError why = ticket::TicketError::kNone;
  int r = ticket::checkTicketOffline(bytes, steam_id, logon_.app_id(), static_cast<int64_t>(std::time(nullptr)),
                                     hub_key, &claims, &why);
  if (r == BEGIN_AUTH_SESSION_RESULT_OK && !steamid::isIndividual(claims.steam_id)) {
    r = BEGIN_AUTH_SESSION_RESULT_INVALID_TICKET;  // a game server's ticket proves nothing about a player
    why = ticket::TicketError::kBadSteamId;
  }
  if (r != BEGIN_AUTH_SESSION_RESULT_OK) {
    OUTPOST_LOG_INFO("beginAuthSession(%llu): %s", static_cast<unsigned long long>(steam_id), ticket::toString(why));
    return r;
  }
  if (auth_.count(steam_id)) {
    OUTPOST_LOG_INFO("beginAuthSession(%llu): a session for this user is already open",
                     static_cast<unsigned long long>(steam_id));
    return BEGIN_AUTH_SESSION_RESULT_DUPLICATE_REQUEST;
  }
  if (state_ == State::kLoggedOn && steam_id_ &&
      !ticket::recipientMatches(claims, steam_id_, public_ip_ + ":" + std::to_string(logon_.game_port()))) {
    // Bound to another server: answered like the reference, asynchronously (the hub would say
    // the same; no need to ask it).
    hubrpc::AuthSessionUpdate u;
    u.set_steam_id(steam_id);
    u.set_owner_steam_id(claims.owner_steam_id);
    u.set_response(AUTH_SESSION_RESPONSE_AUTH_TICKET_NETWORK_IDENTITY_FAILURE);
    auth_[steam_id] = {claims, legacy, bytes, false};
    authVerdict(u);
    return BEGIN_AUTH_SESSION_RESULT_OK;
  }
  auth_[steam_id] = {claims, legacy, bytes, false};
  pending_validations_.push_back(validation(bytes, steam_id));
  return BEGIN_AUTH_SESSION_RESULT_OK;
}

hubrpc::Envelope GameServerImpl::validation(const std::vector<uint8_t>& ticket, uint64_t steam_id) {
  hubrpc::Envelope v;
  v.set_request_id(++request_id_);
  v.mutable_validate_ticket()->set_ticket(ticket.data(), ticket.size());
  v.mutable_validate_ticket()->set_steam_id(steam_id);
  return v;
}

void GameServerImpl::resumeSessions() {
  for (const auto& [user, s] : auth_) {
    if (s.accepted) {
      hubrpc::Envelope e;
      e.mutable_resume_auth_session()->set_ticket(s.ticket.data(), s.ticket.size());
      e.mutable_resume_auth_session()->set_steam_id(user);
      send(e);
      continue;
    }
    const uint64_t id = user;  // a structured binding cannot be captured before C++20 in clang 14
    bool queued = std::any_of(pending_validations_.begin(), pending_validations_.end(), [id](const auto& v) {
      return v.validate_ticket().steam_id() == id;
    });
    if (!queued) pending_validations_.push_back(validation(s.ticket, user));  // sent, never answered
  }
}

void GameServerImpl::authVerdict(const hubrpc::AuthSessionUpdate& u) {
  auto it = auth_.find(u.steam_id());
  if (it == auth_.end()) return;  // ended meanwhile
  bool legacy = it->second.legacy;
  uint64_t user = u.steam_id(), owner = u.owner_steam_id();
  if (u.response() != AUTH_SESSION_RESPONSE_OK) {
    auth_.erase(it);  // a refusal ends the session
    players_.erase(user);
  } else {
    it->second.accepted = true;
    if (!players_.count(user)) players_[user] = Player{"", 0, SteadyClock::now(), false};
  }
  a2s_dirty_ = true;
  if (!legacy) {
    ValidateAuthTicketResponse v{user, u.response(), owner};
    queue([this, v] { if (on_validate_) on_validate_(v); });
  } else if (u.response() == AUTH_SESSION_RESPONSE_OK) {
    ClientApproved a{user, owner};
    queue([this, a] { if (on_approved_) on_approved_(a); });
  } else if (!u.kick()) {
    auto [reason, text] = denyFor(u.response());
    ClientDenied d{user, reason, text};
    queue([this, d] { if (on_denied_) on_denied_(d); });
  }
  if (u.kick()) {
    ClientKick k{user, u.deny_reason()};
    queue([this, k] { if (on_kick_) on_kick_(k); });
  }
}

int GameServer::beginAuthSession(const std::vector<uint8_t>& bytes, uint64_t steam_id) {
  std::lock_guard<std::mutex> l(impl_->mu_);
  return impl_->beginSession(bytes, steam_id, false);
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
  int r = impl_->beginSession(auth_blob, user, true);
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
  if (!impl_->auth_.erase(steam_id)) return;
  if (impl_->loggedOnLocked()) {
    hubrpc::Envelope e;
    e.mutable_end_auth_session()->set_steam_id(steam_id);
    impl_->send(e);
  }
}

int GameServer::userHasLicenseForApp(uint64_t steam_id, uint32_t app_id) {
  std::lock_guard<std::mutex> l(impl_->mu_);
  auto it = impl_->auth_.find(steam_id);
  if (it == impl_->auth_.end()) return USER_HAS_LICENSE_RESULT_NO_AUTH;
  return ticket::hasLicence(it->second.claims, app_id) ? USER_HAS_LICENSE_RESULT_HAS_LICENSE
                                                       : USER_HAS_LICENSE_RESULT_DOES_NOT_HAVE_LICENSE;
}

// ---- The server's own tickets -------------------------------------------------------------------

void GameServerImpl::ticketResult(uint32_t request_id, const hubrpc::TicketResult& r) {
  auto it = ticket_waits_.find(request_id);
  if (it == ticket_waits_.end()) return;  // the caller gave up
  it->second = r;
  ticket_cv_.notify_all();
}

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
  if (!impl_->request(std::move(e))) impl_->queue([i = impl_.get()] { if (i->on_clan_) i->on_clan_(RESULT_NOT_LOGGED_ON); });
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
    impl_->queue([i = impl_.get()] { if (i->on_stats_) i->on_stats_(GameplayStats{RESULT_NOT_LOGGED_ON, 0, 0, 0}); });
}

}  // namespace outpost
