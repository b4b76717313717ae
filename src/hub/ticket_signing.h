// The hub's answer to a TicketRequest once the claims are decided, for players (Players) and game
// servers (ServerTickets) alike: the signed ticket and its id, or InvalidParam with the reason.
#pragma once

#include "crypto/crypto.h"
#include "hubrpc.pb.h"
#include "outpost/types.h"
#include "ticket/ticket.h"

namespace outpost::hub {

inline hubrpc::TicketResult signTicket(const ticket::Claims& claims, const crypto::IdentityKeyPair& hub_key) {
  hubrpc::TicketResult r;
  auto issued = ticket::issueTicket(claims, hub_key);
  if (!issued) {
    r.set_result(RESULT_INVALID_PARAM);
    r.set_error(ticket::toString(issued.error()));
    return r;
  }
  r.set_result(RESULT_OK);
  r.set_ticket(issued.value().bytes.data(), issued.value().bytes.size());
  r.set_ticket_id(issued.value().ticket_id);
  return r;
}

}  // namespace outpost::hub
