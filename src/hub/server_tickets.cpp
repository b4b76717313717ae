// ServerTickets (see server_tickets.h): issue, cancel and validate a game server's own tickets.
#include "hub/server_tickets.h"

#include "hub/ticket_signing.h"
#include "outpost/steam_id.h"
#include "outpost/types.h"
#include "ticket/ticket.h"

namespace outpost::hub {

ServerTickets::ServerTickets(store::Store& store, const crypto::IdentityKeyPair& hub_key, const base::UnixClock& clock,
                             const TicketLimits& limits)
    : store_(store),
      hub_key_(hub_key),
      clock_(clock),
      limits_(limits),
      tickets_(limits.per_server, limits.servers_total) {}

hubrpc::TicketResult ServerTickets::issue(uint32_t connection, uint64_t server_steam_id, uint32_t app_id,
                                          const hubrpc::TicketRequest& req) {
  hubrpc::TicketResult r;
  auto refuse = [&](int32_t result, std::string why) {
    r.set_result(result);
    r.set_error(std::move(why));
    return r;
  };
  const int64_t now = clock_.nowUnixS();
  if (!rate_[connection].take(now, limits_.requests_per_sec, limits_.request_burst))
    return refuse(RESULT_RATE_LIMIT_EXCEEDED,
                  "too many ticket requests; at most " + std::to_string(limits_.requests_per_sec) + " per second");
  ticket::Claims claims;
  claims.steam_id = server_steam_id;
  claims.owner_steam_id = server_steam_id;
  claims.app_id = app_id;
  claims.issued_at = now;
  claims.expires_at = now + ticket::kDefaultLifetimeSeconds;
  const std::string& who = req.recipient();
  if (who.rfind("steamid:", 0) == 0) {
    uint64_t player = std::strtoull(who.c_str() + 8, nullptr, 10);
    if (!steamid::isValid(player) || !steamid::isIndividual(player))
      return refuse(RESULT_INVALID_PARAM, "recipient \"" + who + "\" is not a player's Steam ID");
    claims.recipient = ticket::Recipient::steamId(player);
  } else if (!who.empty()) {
    return refuse(RESULT_INVALID_PARAM,
                  "a server's ticket is bound to a player (steamid:<id>) or to no one, not to \"" + who + "\"");
  }
  switch (tickets_.admit(connection, now)) {
    case TicketBook::Admit::kOk: break;
    case TicketBook::Admit::kHolderFull:
      return refuse(RESULT_LIMIT_EXCEEDED, "this server holds " + std::to_string(limits_.per_server) +
                                               " unexpired tickets; cancel the ones no longer needed");
    case TicketBook::Admit::kBookFull:
      return refuse(RESULT_BUSY, "the hub tracks as many server tickets as it may; try again later");
  }
  r = signTicket(claims, hub_key_);
  if (r.result() != RESULT_OK) return r;
  tickets_.add(r.ticket_id(), {connection, server_steam_id, claims.expires_at, false});
  return r;
}

int32_t ServerTickets::cancel(uint32_t connection, uint64_t ticket_id) {
  TicketBook::Entry* t = tickets_.find(ticket_id);
  if (!t || t->holder != connection) return RESULT_INVALID_PARAM;
  t->cancelled = true;
  return RESULT_OK;
}

hubrpc::AuthSessionUpdate ServerTickets::validate(uint64_t user, uint32_t app_id, const hubrpc::ValidateTicket& req) {
  const int64_t now = clock_.nowUnixS();
  hubrpc::AuthSessionUpdate u;
  u.set_steam_id(req.steam_id());
  auto respond = [&](int32_t response) {
    u.set_response(response);
    return u;
  };
  auto claims = ticket::hubVerify(req.ticket(), req.steam_id(), hub_key_.public_key, now);
  if (!claims || !steamid::isAnyGameServer(claims->steam_id)) return respond(AUTH_SESSION_RESPONSE_AUTH_TICKET_INVALID);
  if (claims->app_id != app_id) {
    u.set_begin_auth_session_result(BEGIN_AUTH_SESSION_RESULT_GAME_MISMATCH);
    return respond(AUTH_SESSION_RESPONSE_AUTH_TICKET_INVALID);
  }
  const ticket::Claims& c = *claims;
  u.set_owner_steam_id(c.owner_steam_id);
  if (auto first = store_.ticketFirstServer(c.ticket_id); first && *first != user)
    return respond(AUTH_SESSION_RESPONSE_AUTH_TICKET_INVALID_ALREADY_USED);
  const TicketBook::Entry* t = tickets_.find(c.ticket_id);
  // Issued before this hub started, or its server's session ended (its tickets went with it).
  if (!t || t->tag != c.steam_id) return respond(AUTH_SESSION_RESPONSE_USER_NOT_CONNECTED_TO_STEAM);
  if (t->cancelled) return respond(AUTH_SESSION_RESPONSE_AUTH_TICKET_CANCELED);
  if (!ticket::recipientMatches(c, user, ""))
    return respond(AUTH_SESSION_RESPONSE_AUTH_TICKET_NETWORK_IDENTITY_FAILURE);
  uint64_t first = 0;
  if (!store_.recordTicketUse(c.ticket_id, user, now, c.expires_at, &first))
    return respond(AUTH_SESSION_RESPONSE_AUTH_TICKET_INVALID_ALREADY_USED);
  return respond(AUTH_SESSION_RESPONSE_OK);
}

void ServerTickets::serverEnded(uint32_t connection) {
  tickets_.dropHolder(connection);
  rate_.erase(connection);
}

}  // namespace outpost::hub
