// The hub's ticket and auth-session family (src/hub/hub_rpc_tickets.cpp) on a detached hub with a
// real SQLite store and a ManualHubClock: a player's ticket validates until it expires
// (ticket::kDefaultLifetimeSeconds after issue, on the hub's clock) and is refused from then on;
// only logged-on servers and users validate.
#include "hub_detached.h"
#include "ticket/ticket.h"

namespace outpost::test {
namespace {

using HubTickets = DetachedHub;

TEST_F(HubTickets, PlayerTicketExpiresOnTheHubClock) {
  open();
  provision();
  auto user = userLogOn(10, "alice", "alice-password");
  ASSERT_EQ(user.result(), RESULT_OK) << user.error();
  ASSERT_EQ(serverLogOn(1).result(), RESULT_OK);
  ASSERT_EQ(serverLogOn(2).result(), RESULT_OK);
  auto early = ticket(10);
  auto late = ticket(10);
  ASSERT_EQ(early.result(), RESULT_OK);
  ASSERT_EQ(late.result(), RESULT_OK);
  clock.advance(ticket::kDefaultLifetimeSeconds - 1);  // the last second it is good
  EXPECT_EQ(validate(1, user.steam_id(), early.ticket()), AUTH_SESSION_RESPONSE_OK);
  clock.advance(1);  // expires_at: refused from this second on
  EXPECT_EQ(validate(2, user.steam_id(), late.ticket()), AUTH_SESSION_RESPONSE_AUTH_TICKET_INVALID);
  EXPECT_EQ(counter("rpc.validate_ticket"), 2u);
}

TEST_F(HubTickets, ValidateFromAConnectionNotLoggedOnIsInvalid) {
  open();
  EXPECT_EQ(validate(5, 76561197960265729ull, "not a ticket"), AUTH_SESSION_RESPONSE_AUTH_TICKET_INVALID);
  EXPECT_EQ(counter("rpc.refused_not_logged_on"), 1u);
}

}  // namespace
}  // namespace outpost::test
