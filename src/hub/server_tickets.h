// ServerTickets: the tickets game servers ask the hub for to prove who they are to players
// (GameServer::getAuthSessionTicket), their cancellation, and their validation when a player
// checks one (User::beginAuthSession). docs/spec/ticket.md §13 gives the order of the checks,
// which the code follows step for step. Hub thread only.
#pragma once

#include <cstdint>
#include <functional>
#include <unordered_map>

#include "crypto/crypto.h"
#include "hubrpc.pb.h"
#include "store/store.h"

namespace outpost::hub {

class ServerTickets {
 public:
  // Whether `connection` is still a logged-on server with this Steam ID.
  using ServerLive = std::function<bool(uint32_t connection, uint64_t server_steam_id)>;
  ServerTickets(store::Store& store, const crypto::IdentityKeyPair& hub_key, ServerLive live);

  hubrpc::TicketResult issue(uint32_t server_connection, uint64_t server_steam_id, uint32_t app_id,
                             const hubrpc::TicketRequest& req, int64_t now_unix);
  // Only the server a ticket was issued to can cancel it.
  void cancel(uint32_t server_connection, uint64_t ticket_id);
  // A player (user_steam_id, playing app_id) checks a server's ticket; req.steam_id is the server.
  hubrpc::AuthSessionUpdate validate(uint64_t user_steam_id, uint32_t app_id, const hubrpc::ValidateTicket& req,
                                     int64_t now_unix);
  // A connection closed: its tickets stay known (a check answers "not logged on" from then on).
  size_t tracked() const { return tickets_.size(); }

 private:
  struct Issued {
    uint32_t connection = 0;
    bool cancelled = false;
    int64_t expires_at = 0;
  };
  void prune(int64_t now_unix);

  store::Store& store_;
  const crypto::IdentityKeyPair& hub_key_;
  ServerLive live_;
  std::unordered_map<uint64_t, Issued> tickets_;  // by ticket id
};

}  // namespace outpost::hub
