// ServerTickets (see server_tickets.h): issue, cancel and validate a game server's own tickets.
#include "hub/server_tickets.h"

#include "hub/ticket_signing.h"
#include "outpost/steam_id.h"
#include "outpost/types.h"
#include "ticket/ticket.h"

namespace outpost::hub {

namespace {
constexpr size_t kMaxTracked = 100000;
}  // namespace

ServerTickets::ServerTickets(store::Store& store, const crypto::IdentityKeyPair& hub_key, ServerLive live)
    : store_(store), hub_key_(hub_key), live_(std::move(live)) {}

hubrpc::TicketResult ServerTickets::issue(uint32_t connection, uint64_t server_steam_id, uint32_t app_id,
                                          const hubrpc::TicketRequest& req, int64_t now) {
  hubrpc::TicketResult r;
  ticket::Claims claims;
  claims.steam_id = server_steam_id;
  claims.owner_steam_id = server_steam_id;
  claims.app_id = app_id;
  claims.issued_at = now;
  claims.expires_at = now + ticket::kDefaultLifetimeSeconds;
  const std::string& who = req.recipient();
  if (who.rfind("steamid:", 0) == 0) {
    uint64_t player = std::strtoull(who.c_str() + 8, nullptr, 10);
    if (!steamid::isValid(player) || !steamid::isIndividual(player)) {
      r.set_result(RESULT_INVALID_PARAM);
      r.set_error("recipient \"" + who + "\" is not a player's Steam ID");
      return r;
    }
    claims.recipient = ticket::Recipient::steamId(player);
  } else if (!who.empty()) {
    r.set_result(RESULT_INVALID_PARAM);
    r.set_error("a server's ticket is bound to a player (steamid:<id>) or to no one, not to \"" + who + "\"");
    return r;
  }
  r = signTicket(claims, hub_key_);
  if (r.result() != RESULT_OK) return r;
  prune(now);
  tickets_[r.ticket_id()] = {connection, false, claims.expires_at};
  return r;
}

void ServerTickets::cancel(uint32_t connection, uint64_t ticket_id) {
  auto t = tickets_.find(ticket_id);
  if (t != tickets_.end() && t->second.connection == connection) t->second.cancelled = true;
}

hubrpc::AuthSessionUpdate ServerTickets::validate(uint64_t user, uint32_t app_id, const hubrpc::ValidateTicket& req,
                                                  int64_t now) {
  hubrpc::AuthSessionUpdate u;
  u.set_steam_id(req.steam_id());
  auto respond = [&](int32_t response) {
    u.set_response(response);
    return u;
  };
  auto claims = ticket::hubVerify(req.ticket(), req.steam_id(), hub_key_.public_key, now);
  if (!claims || !steamid::isAnyGameServer(claims->steam_id) || claims->app_id != app_id) return respond(AUTH_SESSION_RESPONSE_AUTH_TICKET_INVALID);
  const ticket::Claims& c = *claims;
  u.set_owner_steam_id(c.owner_steam_id);
  if (auto first = store_.ticketFirstServer(c.ticket_id); first && *first != user) return respond(AUTH_SESSION_RESPONSE_AUTH_TICKET_INVALID_ALREADY_USED);
  auto t = tickets_.find(c.ticket_id);
  if (t == tickets_.end()) return respond(AUTH_SESSION_RESPONSE_USER_NOT_CONNECTED_TO_STEAM);  // issued before this hub started
  if (t->second.cancelled) return respond(AUTH_SESSION_RESPONSE_AUTH_TICKET_CANCELED);
  if (!live_(t->second.connection, c.steam_id)) return respond(AUTH_SESSION_RESPONSE_USER_NOT_CONNECTED_TO_STEAM);
  if (!ticket::recipientMatches(c, user, "")) return respond(AUTH_SESSION_RESPONSE_AUTH_TICKET_NETWORK_IDENTITY_FAILURE);
  uint64_t first = 0;
  if (!store_.recordTicketUse(c.ticket_id, user, now, &first)) return respond(AUTH_SESSION_RESPONSE_AUTH_TICKET_INVALID_ALREADY_USED);
  return respond(AUTH_SESSION_RESPONSE_OK);
}

void ServerTickets::prune(int64_t now) {
  if (tickets_.size() < kMaxTracked) return;
  for (auto it = tickets_.begin(); it != tickets_.end();)
    it = it->second.expires_at <= now ? tickets_.erase(it) : std::next(it);
}

}  // namespace outpost::hub
