// Hub: the ticket and auth-session family (see hub.h) — TicketRequest, CancelTicket,
// ValidateTicket, ResumeAuthSession, EndAuthSession — routed by what the connection is: a
// logged-on game server (its own tickets, its players' validations) or a logged-on user (tickets,
// checking a server's ticket). Hub thread. The decisions are Players' and ServerTickets';
// docs/spec/hub-rpc.md §5, §6.
#include "hub/hub.h"

namespace outpost::hub {

void Hub::onTicketRequest(uint32_t connection, const hubrpc::Envelope& request) {
  counters_.add(HubCounter::kRpcTicketRequest);
  hubrpc::Envelope response;
  response.set_request_id(request.request_id());
  if (auto server = servers_->serverOf(connection))  // a server's own ticket
    *response.mutable_ticket_result() =
        server_tickets_->issue(connection, server->steam_id, server->app_id, request.ticket_request());
  else *response.mutable_ticket_result() = players_->issueTicket(connection, request.ticket_request());
  if (response.ticket_result().result() != RESULT_OK) counters_.add(HubCounter::kRpcTicketRefused);
  send(connection, response);
}

void Hub::onCancelTicket(uint32_t connection, const hubrpc::Envelope& request) {
  uint64_t id = request.cancel_ticket().ticket_id();
  uint64_t user = 0;
  uint32_t app = 0;
  int32_t result = RESULT_NOT_LOGGED_ON;
  if (players_->userOf(connection, &user, &app)) result = players_->cancelTicket(connection, id);
  if (result != RESULT_OK && servers_->serverOf(connection)) result = server_tickets_->cancel(connection, id);
  if (result == RESULT_OK) return;  // no answer when it is done
  refuse(connection, request, result,
         result == RESULT_NOT_LOGGED_ON ? "log on first" : "not a ticket this connection holds");
}

void Hub::onValidateTicket(uint32_t connection, const hubrpc::Envelope& request) {
  counters_.add(HubCounter::kRpcValidateTicket);
  hubrpc::Envelope response;
  response.set_request_id(request.request_id());
  uint64_t user_id = 0;
  uint32_t app_id = 0;
  if (auto server = servers_->serverOf(connection)) {
    *response.mutable_auth_session_update() =
        players_->validate(connection, server->steam_id, server->app_id, server->address, request.validate_ticket());
  } else if (players_->userOf(connection, &user_id, &app_id)) {
    // A player checks a game server's own ticket (docs/spec/ticket.md §13).
    *response.mutable_auth_session_update() = server_tickets_->validate(user_id, app_id, request.validate_ticket());
  } else {
    // Only logged-on game servers and players validate tickets.
    counters_.add(HubCounter::kRpcRefusedNotLoggedOn);
    auto* u = response.mutable_auth_session_update();
    u->set_steam_id(request.validate_ticket().steam_id());
    u->set_response(AUTH_SESSION_RESPONSE_AUTH_TICKET_INVALID);
  }
  send(connection, response);
}

void Hub::onResumeAuthSession(uint32_t connection, const hubrpc::Envelope& request) {
  auto server = servers_->serverOf(connection);
  int32_t result = server
                       ? players_->resume(connection, server->steam_id, server->app_id, request.resume_auth_session())
                       : RESULT_NOT_LOGGED_ON;
  if (result == RESULT_OK) return;  // no answer when it is taken (later pushes as for any session)
  counters_.add(HubCounter::kRpcResumeRefused);
  refuse(connection, request, result,
         result == RESULT_NOT_LOGGED_ON   ? "only a logged-on game server resumes auth sessions"
         : result == RESULT_ACCESS_DENIED ? "this server did not redeem that ticket"
                                          : "not an authentic, unexpired player ticket of this server's app");
}

void Hub::onEndAuthSession(uint32_t connection, const hubrpc::Envelope& request) {
  if (!servers_->serverOf(connection)) {
    counters_.add(HubCounter::kRpcRefusedNotAServer);
    return refuse(connection, request, RESULT_NOT_LOGGED_ON, "only a logged-on game server ends auth sessions");
  }
  // Ending a session the hub does not hold (refused, or never validated) is not an error: the
  // server may end a session before the hub's verdict arrives.
  players_->endAuthSession(connection, request.end_auth_session().steam_id());
}

}  // namespace outpost::hub
