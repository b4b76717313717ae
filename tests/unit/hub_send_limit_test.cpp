// The hub and the transport's send limits (src/hub/hub.cpp, Hub::transmit): an answer the
// transport refuses with RESULT_LIMIT_EXCEEDED (an untrusted peer that does not read what it is
// sent, docs/decisions/010-memory-before-trust.md) is dropped, counted in rpc.send_limit_exceeded,
// and its connection is closed (rpc.send_limit_closed) and forgotten by the hub; other
// connections are untouched. Also: the counters the hub reports before any traffic, by name.
#include "hub_detached.h"

namespace outpost::test {
namespace {

using HubSendLimit = DetachedHub;

hubrpc::Envelope statsRequest() {
  hubrpc::Envelope e;
  e.mutable_gameplay_stats_request();
  return e;
}

TEST_F(HubSendLimit, AnswerRefusedByTheTransportIsCountedAndTheConnectionClosed) {
  open();
  provision();
  ASSERT_EQ(serverLogOn(1).result(), RESULT_OK);  // anonymous: untrusted
  ASSERT_EQ(serverLogOn(2).result(), RESULT_OK);
  ASSERT_EQ(counter("game_servers.sessions"), 2u);
  link.send_result[1] = RESULT_LIMIT_EXCEEDED;
  EXPECT_FALSE(call(1, statsRequest()));
  EXPECT_TRUE(link.closed.count(1));
  EXPECT_EQ(counter("rpc.send_limit_exceeded"), 1u);
  EXPECT_EQ(counter("rpc.send_limit_closed"), 1u);
  EXPECT_EQ(counter("game_servers.sessions"), 1u) << "the closed server's session ended";
  // Positive control: the other server is answered and stays.
  auto answer = call(2, statsRequest());
  ASSERT_TRUE(answer);
  EXPECT_EQ(answer->gameplay_stats_result().result(), RESULT_OK);
  EXPECT_FALSE(link.closed.count(2));
  EXPECT_EQ(counter("rpc.send_limit_exceeded"), 1u);
}

TEST_F(HubSendLimit, EveryAnswerOfThePollToTheRefusingConnectionIsDropped) {
  open();
  link.send_result[3] = RESULT_LIMIT_EXCEEDED;
  hub->deliver(3, hubrpc::encode(statsRequest()));
  hub->deliver(3, hubrpc::encode(statsRequest()));
  hub->poll(0);
  EXPECT_TRUE(link.closed.count(3));
  EXPECT_EQ(counter("rpc.send_limit_exceeded"), 2u);
  EXPECT_EQ(counter("rpc.send_limit_closed"), 1u);
  EXPECT_EQ(counter("connections_closed"), 1u);
}

// Closing a user's connection pushes to the servers holding its auth sessions; a server whose
// sends are refused too is closed in turn.
TEST_F(HubSendLimit, APushWhileClosingThatIsRefusedClosesThatConnectionToo) {
  open();
  provision();
  auto user = userLogOn(10, "alice", "alice-password");
  ASSERT_EQ(user.result(), RESULT_OK) << user.error();
  ASSERT_EQ(serverLogOn(1).result(), RESULT_OK);
  ASSERT_EQ(validate(1, user.steam_id(), ticket(10).ticket()), AUTH_SESSION_RESPONSE_OK);
  link.send_result[10] = RESULT_LIMIT_EXCEEDED;
  link.send_result[1] = RESULT_LIMIT_EXCEEDED;
  EXPECT_FALSE(call(10, statsRequest()));
  EXPECT_TRUE(link.closed.count(10));
  EXPECT_TRUE(link.closed.count(1)) << "the user's logoff push to the server was refused";
  EXPECT_EQ(counter("rpc.send_limit_closed"), 2u);
  EXPECT_EQ(counter("game_servers.sessions"), 0u);
  EXPECT_EQ(counter("players.sessions"), 0u);
}

TEST_F(HubSendLimit, CountersBeforeAnyTrafficKeepTheirNames) {
  open();
  auto c = hub->counters();
  // Reported from the start, as before the counters became an enum.
  for (const char* name : {"store.prune_passes", "store.ticket_uses_pruned", "store.server_stats_pruned",
                           "game_servers.sessions", "players.sessions", "certificates.holders"})
    EXPECT_TRUE(c.count(name)) << name;
  // Reported once counted.
  for (const char* name : {"rpc.refused", "rpc.messages", "rpc.send_limit_exceeded", "connections_closed"})
    EXPECT_FALSE(c.count(name)) << name;
  hub->deliver(4, std::vector<uint8_t>{0xFF, 0xFF});
  hub->poll(0);
  c = hub->counters();
  EXPECT_EQ(c["rpc.messages"], 1u);
  EXPECT_EQ(c["rpc.malformed"], 1u);
  EXPECT_EQ(c["rpc.refused"], 1u);
}

TEST(HubCounterNames, AreUniqueAndNamed) {
  std::set<std::string> names;
  for (size_t i = 0; i < hub::kHubCounterNames.size(); ++i) {
    std::string name = hub::hubCounterName(static_cast<hub::HubCounter>(i));
    EXPECT_FALSE(name.empty());
    EXPECT_TRUE(names.insert(name).second) << name;
  }
}

}  // namespace
}  // namespace outpost::test
