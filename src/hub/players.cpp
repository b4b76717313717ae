// Players (see players.h). The validation order, each step with its AuthSessionResponse, is
// docs/spec/hub-rpc.md §"Ticket validation"; it matches the code below step for step.
#include "hub/players.h"

#include <algorithm>
#include <ctime>

#include "base/log.h"
#include "hub/ticket_signing.h"
#include "outpost/steam_id.h"
#include "outpost/types.h"
#include "ticket/ticket.h"

namespace outpost::hub {

namespace {
constexpr size_t kMaxTrackedTickets = 200000;
}  // namespace

Players::Players(store::Store& store, const crypto::IdentityKeyPair& hub_key, Send send)
    : store_(store), hub_key_(hub_key), send_(std::move(send)) {}

hubrpc::UserLogOnResult Players::logOn(uint32_t connection, const hubrpc::UserLogOn& req, bool password_ok) {
  hubrpc::UserLogOnResult r;
  auto user = password_ok ? store_.getUserByName(req.name()) : std::nullopt;
  // The same answer for an unknown name and a wrong password (no account probing).
  if (!user) {
    r.set_result(RESULT_INVALID_PASSWORD);
    r.set_error("wrong user name or password");
    return r;
  }
  // A logon replaces the user's previous session: its tickets now answer LoggedInElsewhere.
  auto old = connection_of_.find(user->account_id);
  if (old != connection_of_.end() && old->second != connection) {
    sessions_.erase(old->second);
    pushToServers(user->account_id, AUTH_SESSION_RESPONSE_LOGGED_IN_ELSEWHERE, false, DENY_LOGGED_IN_ELSEWHERE);
  }
  UserSession s{user->account_id, req.app_id(), next_generation_++};
  sessions_[connection] = s;
  connection_of_[user->account_id] = connection;
  generation_of_[user->account_id] = s.generation;
  r.set_result(RESULT_OK);
  r.set_steam_id(steamid::individual(user->account_id));
  return r;
}

hubrpc::TicketResult Players::issueTicket(uint32_t connection, const hubrpc::TicketRequest& req, int64_t now) {
  hubrpc::TicketResult r;
  auto it = sessions_.find(connection);
  if (it == sessions_.end()) {
    r.set_result(RESULT_NOT_LOGGED_ON);
    r.set_error("log on first");
    return r;
  }
  const UserSession& s = it->second;
  ticket::Claims claims;
  claims.steam_id = steamid::individual(s.account);
  claims.owner_steam_id = claims.steam_id;
  claims.app_id = s.app_id;
  for (const auto& l : store_.licences(s.account)) {
    if (l.expires_at != 0 && l.expires_at <= now) continue;
    claims.licences.push_back(l.app_id);
    if (l.app_id == s.app_id && l.owner_account_id) claims.owner_steam_id = steamid::individual(l.owner_account_id);
  }
  claims.issued_at = now;
  claims.expires_at = now + ticket::kDefaultLifetimeSeconds;
  const std::string& who = req.recipient();
  if (who.rfind("steamid:", 0) == 0) {
    claims.recipient = ticket::Recipient::steamId(std::strtoull(who.c_str() + 8, nullptr, 10));
  } else if (!who.empty()) {
    auto rec = ticket::Recipient::fromAddressString(who);
    if (!rec) {
      r.set_result(RESULT_INVALID_PARAM);
      r.set_error("recipient \"" + who + "\" is neither steamid:<id> nor an address");
      return r;
    }
    claims.recipient = *rec;
  }
  r = signTicket(claims, hub_key_);
  if (r.result() != RESULT_OK) return r;
  pruneTickets(now);
  tickets_[r.ticket_id()] = {s.account, s.generation, false, claims.expires_at};
  return r;
}

void Players::cancelTicket(uint32_t connection, uint64_t ticket_id) {
  auto s = sessions_.find(connection);
  auto t = tickets_.find(ticket_id);
  // Only the user a ticket was issued to can cancel it.
  if (s == sessions_.end() || t == tickets_.end() || t->second.account != s->second.account) return;
  t->second.cancelled = true;
  pushToServers(t->second.account, AUTH_SESSION_RESPONSE_AUTH_TICKET_CANCELED, false, 0, ticket_id);
}

hubrpc::AuthSessionUpdate Players::validate(uint32_t server_connection, uint64_t server_steam_id,
                                            const std::string& server_address, const hubrpc::ValidateTicket& req,
                                            int64_t now) {
  hubrpc::AuthSessionUpdate u;
  u.set_steam_id(req.steam_id());
  auto respond = [&](int32_t response) {
    u.set_response(response);
    return u;
  };
  auto claims = ticket::hubVerify(req.ticket(), req.steam_id(), hub_key_.public_key, now);
  if (!claims) return respond(AUTH_SESSION_RESPONSE_AUTH_TICKET_INVALID);
  const ticket::Claims& c = *claims;
  u.set_owner_steam_id(c.owner_steam_id);
  uint32_t account = steamid::accountId(c.steam_id);
  // Reuse first: the record of a redemption is durable, so a replay on another server is caught
  // even after the hub restarted and forgot everything else about the ticket.
  if (auto first = store_.ticketFirstServer(c.ticket_id); first && *first != server_steam_id)
    return respond(AUTH_SESSION_RESPONSE_AUTH_TICKET_INVALID_ALREADY_USED);
  auto t = tickets_.find(c.ticket_id);
  if (t == tickets_.end()) return respond(AUTH_SESSION_RESPONSE_USER_NOT_CONNECTED_TO_STEAM);  // issued before this hub started
  if (t->second.cancelled) return respond(AUTH_SESSION_RESPONSE_AUTH_TICKET_CANCELED);
  auto gen = generation_of_.find(account);
  if (connection_of_.find(account) == connection_of_.end()) return respond(AUTH_SESSION_RESPONSE_USER_NOT_CONNECTED_TO_STEAM);
  if (gen == generation_of_.end() || gen->second != t->second.generation) return respond(AUTH_SESSION_RESPONSE_LOGGED_IN_ELSEWHERE);
  if (!ticket::recipientMatches(c, server_steam_id, server_address)) return respond(AUTH_SESSION_RESPONSE_AUTH_TICKET_NETWORK_IDENTITY_FAILURE);
  uint64_t first_server = 0;
  if (!store_.recordTicketUse(c.ticket_id, server_steam_id, now, &first_server)) return respond(AUTH_SESSION_RESPONSE_AUTH_TICKET_INVALID_ALREADY_USED);
  if (auto ban = store_.activeBan(c.app_id, account))
    return respond(ban->kind == store::BanKind::kVac ? AUTH_SESSION_RESPONSE_VAC_BANNED : AUTH_SESSION_RESPONSE_PUBLISHER_ISSUED_BAN);
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

bool Players::resume(uint32_t server_connection, uint64_t server_steam_id, const hubrpc::ResumeAuthSession& req,
                     int64_t now) {
  auto claims = ticket::hubVerify(req.ticket(), req.steam_id(), hub_key_.public_key, now);
  if (!claims || !steamid::isIndividual(claims->steam_id)) return false;
  if (store_.ticketFirstServer(claims->ticket_id) != std::optional<uint64_t>(server_steam_id)) return false;
  auto& sessions = auth_[server_connection];
  if (sessions.count(claims->steam_id)) return true;  // still known (this hub did not restart)
  sessions[claims->steam_id] = {claims->ticket_id, claims->app_id, claims->owner_steam_id, server_steam_id, now};
  uint32_t account = steamid::accountId(claims->steam_id);
  if (auto ban = store_.activeBan(claims->app_id, account)) banned(claims->app_id, account, ban->kind);
  return true;
}

void Players::endAuthSession(uint32_t server_connection, uint64_t user_steam_id) {
  auto it = auth_.find(server_connection);
  if (it == auth_.end()) return;
  auto s = it->second.find(user_steam_id);
  if (s == it->second.end()) return;
  sessionEnded(s->second, static_cast<int64_t>(std::time(nullptr)));
  it->second.erase(s);
}

void Players::sessionEnded(const AuthSession& s, int64_t now) {
  PendingStats& st = stats_[s.server_steam_id];
  st.app_id = s.app_id;
  st.seconds += std::max<int64_t>(0, now - s.started_at);
}

void Players::flushStats(int64_t now) {
  (void)now;
  for (const auto& [server, st] : stats_)
    if (st.connects || st.seconds) store_.addServerStats(server, st.app_id, st.connects, st.seconds);
  stats_.clear();
}

std::vector<uint64_t> Players::authenticatedUsers(uint32_t server_connection) const {
  std::vector<uint64_t> out;
  auto it = auth_.find(server_connection);
  if (it != auth_.end())
    for (const auto& [user, s] : it->second) out.push_back(user);
  return out;
}

void Players::banned(uint32_t app_id, uint32_t account, store::BanKind kind) {
  for (auto& [server, sessions] : auth_) {
    auto s = sessions.find(steamid::individual(account));
    if (s == sessions.end() || s->second.app_id != app_id) continue;
    hubrpc::Envelope e;
    auto* u = e.mutable_auth_session_update();
    u->set_steam_id(s->first);
    u->set_owner_steam_id(s->second.owner_steam_id);
    u->set_response(kind == store::BanKind::kVac ? AUTH_SESSION_RESPONSE_VAC_BANNED : AUTH_SESSION_RESPONSE_PUBLISHER_ISSUED_BAN);
    u->set_kick(true);
    u->set_deny_reason(DENY_CHEATER);
    sessionEnded(s->second, static_cast<int64_t>(std::time(nullptr)));
    sessions.erase(s);
    send_(server, e);
  }
}

void Players::disconnected(uint32_t connection) {
  auto server = auth_.find(connection);  // a server went away: its sessions end with it
  if (server != auth_.end()) {
    for (const auto& [user, s] : server->second) sessionEnded(s, static_cast<int64_t>(std::time(nullptr)));
    auth_.erase(server);
  }
  auto s = sessions_.find(connection);
  if (s == sessions_.end()) return;
  uint32_t account = s->second.account;
  sessions_.erase(s);
  auto c = connection_of_.find(account);
  if (c != connection_of_.end() && c->second == connection) {
    connection_of_.erase(c);
    pushToServers(account, AUTH_SESSION_RESPONSE_USER_NOT_CONNECTED_TO_STEAM, false, DENY_NOT_LOGGED_ON);  // the user logged off
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
    sessionEnded(s->second, static_cast<int64_t>(std::time(nullptr)));
    sessions.erase(s);  // a non-OK verdict ends the session
    send_(server, e);
  }
}

void Players::pruneTickets(int64_t now) {
  if (tickets_.size() < kMaxTrackedTickets) return;
  for (auto it = tickets_.begin(); it != tickets_.end();)
    it = it->second.expires_at <= now ? tickets_.erase(it) : std::next(it);
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
