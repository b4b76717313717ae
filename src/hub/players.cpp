// Players (see players.h). The validation order, each step with its AuthSessionResponse, is
// docs/spec/hub-rpc.md §6.1, and the ticket request's refusals §5; both match the code below
// step for step.
#include "hub/players.h"

#include <algorithm>

#include "base/log.h"
#include "hub/ticket_signing.h"
#include "outpost/steam_id.h"
#include "outpost/types.h"
#include "ticket/ticket.h"

namespace outpost::hub {

Players::Players(store::Store& store, const crypto::IdentityKeyPair& hub_key, const base::UnixClock& clock,
                 const TicketLimits& limits, Send send)
    : store_(store),
      hub_key_(hub_key),
      clock_(clock),
      limits_(limits),
      send_(std::move(send)),
      tickets_(limits.per_user, limits.users_total) {}

hubrpc::UserLogOnResult Players::logOn(uint32_t connection, const hubrpc::UserLogOn& req, bool password_ok) {
  hubrpc::UserLogOnResult r;
  auto user = password_ok ? store_.getUserByName(req.name()) : std::nullopt;
  // The same answer for an unknown name and a wrong password (no account probing).
  if (!user) {
    r.set_result(RESULT_INVALID_PASSWORD);
    r.set_error("wrong user name or password");
    return r;
  }
  // Another user logged on on this connection before: that user logs off (nothing of theirs may
  // stay pointing at this connection).
  if (auto mine = sessions_.find(connection); mine != sessions_.end() && mine->second.account != user->account_id) {
    uint32_t previous = mine->second.account;
    sessions_.erase(mine);
    if (auto c = current_.find(previous); c != current_.end() && c->second.connection == connection) {
      current_.erase(c);
      pushToServers(previous, AUTH_SESSION_RESPONSE_USER_NOT_CONNECTED_TO_STEAM, false, DENY_NOT_LOGGED_ON);
    }
  }
  // A logon replaces the user's previous session: its tickets now answer LoggedInElsewhere.
  auto old = current_.find(user->account_id);
  if (old != current_.end() && old->second.connection != connection) {
    sessions_.erase(old->second.connection);
    pushToServers(user->account_id, AUTH_SESSION_RESPONSE_LOGGED_IN_ELSEWHERE, false, DENY_LOGGED_IN_ELSEWHERE);
  }
  UserSession s;
  s.account = user->account_id;
  s.app_id = req.app_id();
  s.generation = next_generation_++;
  sessions_[connection] = s;
  current_[user->account_id] = {connection, s.generation};
  r.set_result(RESULT_OK);
  r.set_steam_id(steamid::individual(user->account_id));
  return r;
}

hubrpc::TicketResult Players::issueTicket(uint32_t connection, const hubrpc::TicketRequest& req) {
  hubrpc::TicketResult r;
  auto refuse = [&](int32_t result, std::string why) {
    r.set_result(result);
    r.set_error(std::move(why));
    return r;
  };
  auto it = sessions_.find(connection);
  if (it == sessions_.end()) return refuse(RESULT_NOT_LOGGED_ON, "log on first");
  UserSession& s = it->second;
  const int64_t now = clock_.nowUnixS();
  if (!s.ticket_rate.take(now, limits_.requests_per_sec, limits_.request_burst))
    return refuse(RESULT_RATE_LIMIT_EXCEEDED,
                  "too many ticket requests; at most " + std::to_string(limits_.requests_per_sec) + " per second");
  ticket::Claims claims;
  claims.steam_id = steamid::individual(s.account);
  claims.owner_steam_id = claims.steam_id;
  claims.app_id = s.app_id;
  // Only for an app the user owns (a licence of their own, or one borrowed): a ticket is what an
  // offline server admits on, so one for an app the user does not own must not exist.
  bool owns = false, expired = false;
  for (const auto& l : store_.licences(s.account)) {
    bool current = l.expires_at == 0 || l.expires_at > now;
    if (l.app_id == s.app_id) {
      owns = current;
      expired = !current;
      if (current && l.owner_account_id) claims.owner_steam_id = steamid::individual(l.owner_account_id);
    }
    if (current) claims.licences.push_back(l.app_id);
  }
  if (expired) return refuse(RESULT_EXPIRED, "the licence for app " + std::to_string(s.app_id) + " expired");
  if (!owns) return refuse(RESULT_ACCESS_DENIED, "no licence for app " + std::to_string(s.app_id));
  claims.issued_at = now;
  claims.expires_at = now + ticket::kDefaultLifetimeSeconds;
  const std::string& who = req.recipient();
  if (who.rfind("steamid:", 0) == 0) {
    claims.recipient = ticket::Recipient::steamId(std::strtoull(who.c_str() + 8, nullptr, 10));
  } else if (!who.empty()) {
    auto rec = ticket::Recipient::fromAddressString(who);
    if (!rec) return refuse(RESULT_INVALID_PARAM, "recipient \"" + who + "\" is neither steamid:<id> nor an address");
    claims.recipient = *rec;
  }
  switch (tickets_.admit(s.account, now)) {
    case TicketBook::Admit::kOk: break;
    case TicketBook::Admit::kHolderFull:
      return refuse(RESULT_LIMIT_EXCEEDED, "this user holds " + std::to_string(limits_.per_user) +
                                               " unexpired tickets; cancel the ones no longer needed");
    case TicketBook::Admit::kBookFull:
      return refuse(RESULT_BUSY, "the hub tracks as many tickets as it may; try again later");
  }
  r = signTicket(claims, hub_key_);
  if (r.result() != RESULT_OK) return r;
  tickets_.add(r.ticket_id(), {s.account, s.generation, claims.expires_at, false});
  return r;
}

int32_t Players::cancelTicket(uint32_t connection, uint64_t ticket_id) {
  auto s = sessions_.find(connection);
  if (s == sessions_.end()) return RESULT_NOT_LOGGED_ON;
  TicketBook::Entry* t = tickets_.find(ticket_id);
  // Only the user a ticket was issued to can cancel it.
  if (!t || t->holder != s->second.account) return RESULT_INVALID_PARAM;
  t->cancelled = true;
  pushToServers(s->second.account, AUTH_SESSION_RESPONSE_AUTH_TICKET_CANCELED, false, 0, ticket_id);
  return RESULT_OK;
}

hubrpc::AuthSessionUpdate Players::validate(uint32_t server_connection, uint64_t server_steam_id,
                                            uint32_t server_app_id, const std::string& server_address,
                                            const hubrpc::ValidateTicket& req) {
  const int64_t now = clock_.nowUnixS();
  hubrpc::AuthSessionUpdate u;
  u.set_steam_id(req.steam_id());
  auto respond = [&](int32_t response) {
    u.set_response(response);
    return u;
  };
  auto claims = ticket::hubVerify(req.ticket(), req.steam_id(), hub_key_.public_key, now);
  if (!claims) return respond(AUTH_SESSION_RESPONSE_AUTH_TICKET_INVALID);
  const ticket::Claims& c = *claims;
  // A server validates only tickets of its own app: another app's server must not learn that the
  // ticket is good, nor spend it (the redemption below is durable).
  if (c.app_id != server_app_id) {
    u.set_begin_auth_session_result(BEGIN_AUTH_SESSION_RESULT_GAME_MISMATCH);
    return respond(AUTH_SESSION_RESPONSE_AUTH_TICKET_INVALID);
  }
  u.set_owner_steam_id(c.owner_steam_id);
  uint32_t account = steamid::accountId(c.steam_id);
  // Reuse first: the record of a redemption is durable, so a replay on another server is caught
  // even after the hub restarted and forgot everything else about the ticket.
  if (auto first = store_.ticketFirstServer(c.ticket_id); first && *first != server_steam_id)
    return respond(AUTH_SESSION_RESPONSE_AUTH_TICKET_INVALID_ALREADY_USED);
  const TicketBook::Entry* t = tickets_.find(c.ticket_id);
  if (!t) return respond(AUTH_SESSION_RESPONSE_USER_NOT_CONNECTED_TO_STEAM);  // issued before this hub started
  if (t->cancelled) return respond(AUTH_SESSION_RESPONSE_AUTH_TICKET_CANCELED);
  auto current = current_.find(account);
  if (current == current_.end()) return respond(AUTH_SESSION_RESPONSE_USER_NOT_CONNECTED_TO_STEAM);
  if (current->second.generation != t->tag) return respond(AUTH_SESSION_RESPONSE_LOGGED_IN_ELSEWHERE);
  if (!ticket::recipientMatches(c, server_steam_id, server_address))
    return respond(AUTH_SESSION_RESPONSE_AUTH_TICKET_NETWORK_IDENTITY_FAILURE);
  uint64_t first_server = 0;
  if (!store_.recordTicketUse(c.ticket_id, server_steam_id, now, c.expires_at, &first_server))
    return respond(AUTH_SESSION_RESPONSE_AUTH_TICKET_INVALID_ALREADY_USED);
  if (auto ban = store_.activeBan(c.app_id, account))
    return respond(ban->kind == store::BanKind::kVac ? AUTH_SESSION_RESPONSE_VAC_BANNED
                                                     : AUTH_SESSION_RESPONSE_PUBLISHER_ISSUED_BAN);
  bool licensed = false;
  for (const auto& l : store_.licences(account))
    licensed = licensed || (l.app_id == c.app_id && (l.expires_at == 0 || l.expires_at > now));
  if (!licensed) return respond(AUTH_SESSION_RESPONSE_NO_LICENSE_OR_EXPIRED);
  auth_[server_connection][c.steam_id] = {c.ticket_id, c.app_id, c.owner_steam_id, server_steam_id, now};
  PendingStats& st = stats_[server_steam_id];
  st.app_id = c.app_id;
  st.connects++;
  return respond(AUTH_SESSION_RESPONSE_OK);
}

int32_t Players::resume(uint32_t server_connection, uint64_t server_steam_id, uint32_t server_app_id,
                        const hubrpc::ResumeAuthSession& req) {
  const int64_t now = clock_.nowUnixS();
  auto claims = ticket::hubVerify(req.ticket(), req.steam_id(), hub_key_.public_key, now);
  if (!claims || !steamid::isIndividual(claims->steam_id) || claims->app_id != server_app_id)
    return RESULT_INVALID_PARAM;
  if (store_.ticketFirstServer(claims->ticket_id) != std::optional<uint64_t>(server_steam_id))
    return RESULT_ACCESS_DENIED;
  auto& sessions = auth_[server_connection];
  if (sessions.count(claims->steam_id)) return RESULT_OK;  // still known (this hub did not restart)
  sessions[claims->steam_id] = {claims->ticket_id, claims->app_id, claims->owner_steam_id, server_steam_id, now};
  uint32_t account = steamid::accountId(claims->steam_id);
  if (auto ban = store_.activeBan(claims->app_id, account)) banned(claims->app_id, account, ban->kind);
  return RESULT_OK;
}

void Players::endAuthSession(uint32_t server_connection, uint64_t user_steam_id) {
  auto it = auth_.find(server_connection);
  if (it == auth_.end()) return;
  auto s = it->second.find(user_steam_id);
  if (s == it->second.end()) return;
  sessionEnded(s->second);
  it->second.erase(s);
  if (it->second.empty()) auth_.erase(it);
}

void Players::sessionEnded(const AuthSession& s) {
  PendingStats& st = stats_[s.server_steam_id];
  st.app_id = s.app_id;
  st.seconds += std::max<int64_t>(0, clock_.nowUnixS() - s.started_at);
}

void Players::flushStats() {
  const int64_t now = clock_.nowUnixS();
  for (const auto& [server, st] : stats_)
    if (st.connects || st.seconds) store_.addServerStats(server, st.app_id, st.connects, st.seconds, now);
  stats_.clear();
}

std::vector<uint64_t> Players::authenticatedUsers(uint32_t server_connection) const {
  std::vector<uint64_t> out;
  auto it = auth_.find(server_connection);
  if (it != auth_.end())
    for (const auto& [user, s] : it->second) out.push_back(user);
  return out;
}

bool Players::inSession(uint32_t server_connection, uint64_t user_steam_id) const {
  auto it = auth_.find(server_connection);
  return it != auth_.end() && it->second.count(user_steam_id) != 0;
}

void Players::banned(uint32_t app_id, uint32_t account, store::BanKind kind) {
  for (auto& [server, sessions] : auth_) {
    auto s = sessions.find(steamid::individual(account));
    if (s == sessions.end() || s->second.app_id != app_id) continue;
    hubrpc::Envelope e;
    auto* u = e.mutable_auth_session_update();
    u->set_steam_id(s->first);
    u->set_owner_steam_id(s->second.owner_steam_id);
    u->set_response(kind == store::BanKind::kVac ? AUTH_SESSION_RESPONSE_VAC_BANNED
                                                 : AUTH_SESSION_RESPONSE_PUBLISHER_ISSUED_BAN);
    u->set_kick(true);
    u->set_deny_reason(DENY_CHEATER);
    sessionEnded(s->second);
    sessions.erase(s);
    send_(server, e);
  }
}

void Players::serverEnded(uint32_t server_connection) {
  auto server = auth_.find(server_connection);  // its sessions end with it
  if (server == auth_.end()) return;
  for (const auto& [user, s] : server->second) sessionEnded(s);
  auth_.erase(server);
}

void Players::disconnected(uint32_t connection) {
  serverEnded(connection);
  auto s = sessions_.find(connection);
  if (s == sessions_.end()) return;
  uint32_t account = s->second.account;
  sessions_.erase(s);
  auto c = current_.find(account);
  if (c != current_.end() && c->second.connection == connection) {
    current_.erase(c);
    pushToServers(account, AUTH_SESSION_RESPONSE_USER_NOT_CONNECTED_TO_STEAM, false,
                  DENY_NOT_LOGGED_ON);  // the user logged off
  }
}

void Players::pushToServers(uint32_t account, int32_t response, bool kick, int32_t deny_reason, uint64_t only_ticket) {
  uint64_t user = steamid::individual(account);
  for (auto& [server, sessions] : auth_) {
    auto s = sessions.find(user);
    if (s == sessions.end() || (only_ticket && s->second.ticket_id != only_ticket)) continue;
    hubrpc::Envelope e;
    auto* u = e.mutable_auth_session_update();
    u->set_steam_id(user);
    u->set_owner_steam_id(s->second.owner_steam_id);
    u->set_response(response);
    u->set_kick(kick);
    u->set_deny_reason(deny_reason);
    sessionEnded(s->second);
    sessions.erase(s);  // a non-OK verdict ends the session
    send_(server, e);
  }
}

bool Players::userOf(uint32_t connection, uint64_t* steam_id, uint32_t* app_id) const {
  auto it = sessions_.find(connection);
  if (it == sessions_.end()) return false;
  *steam_id = steamid::individual(it->second.account);
  *app_id = it->second.app_id;
  return true;
}

size_t Players::authSessions() const {
  size_t n = 0;
  for (const auto& [c, m] : auth_) n += m.size();
  return n;
}

}  // namespace outpost::hub
