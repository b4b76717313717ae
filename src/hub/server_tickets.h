// ServerTickets: the tickets game servers ask the hub for to prove who they are to players
// (GameServer::getAuthSessionTicket), their cancellation, and their validation when a player
// checks one (User::beginAuthSession). docs/spec/ticket.md §13 gives the order of the checks,
// which the code follows step for step. Bounded like the players' tickets (TicketLimits: a rate
// per session, a cap per session and in all; TicketBook), and a server's tickets are dropped when
// its session ends. Time comes from the hub's UnixClock. Hub thread only.
#pragma once

#include <cstdint>
#include <functional>
#include <unordered_map>

#include "base/clock.h"
#include "crypto/crypto.h"
#include "hub/ticket_book.h"
#include "hub/ticket_limits.h"
#include "hubrpc.pb.h"
#include "store/store.h"

namespace outpost::hub {

class ServerTickets {
 public:
  ServerTickets(store::Store& store, const crypto::IdentityKeyPair& hub_key, const base::UnixClock& clock,
                const TicketLimits& limits);

  // Refusals: RateLimitExceeded (84), InvalidParam (8, a bad recipient), LimitExceeded (25, the
  // session holds TicketLimits::per_server tickets), Busy (10, TicketLimits::servers_total).
  hubrpc::TicketResult issue(uint32_t server_connection, uint64_t server_steam_id, uint32_t app_id,
                             const hubrpc::TicketRequest& req);
  // Only the server a ticket was issued to can cancel it. RESULT_OK or InvalidParam (8).
  int32_t cancel(uint32_t server_connection, uint64_t ticket_id);
  // A player (user_steam_id, playing app_id) checks a server's ticket; req.steam_id is the server.
  hubrpc::AuthSessionUpdate validate(uint64_t user_steam_id, uint32_t app_id, const hubrpc::ValidateTicket& req);
  // The server's session ended: its tickets are dropped (a check answers "not logged on").
  void serverEnded(uint32_t server_connection);
  size_t tracked() const { return tickets_.size(); }
  uint64_t expiredTickets() const { return tickets_.expiredDropped(); }

 private:
  store::Store& store_;
  const crypto::IdentityKeyPair& hub_key_;
  const base::UnixClock& clock_;
  const TicketLimits& limits_;
  TicketBook tickets_;                             // holder = the server's connection, tag = its Steam ID
  std::unordered_map<uint32_t, RateBucket> rate_;  // by server connection (erased with the session)
};

}  // namespace outpost::hub
