// The hub's community family (src/hub/hub_rpc_community.cpp) on a detached hub with a real SQLite
// store and a ManualHubClock: gameplay statistics count a server's connects and the whole minutes
// its players were in an auth session, on the hub's clock; only a logged-on server asks.
#include "hub_detached.h"

namespace outpost::test {
namespace {

class HubCommunityStats : public DetachedHub {
 protected:
  hubrpc::GameplayStatsResult stats(uint32_t connection) {
    hubrpc::Envelope e;
    e.mutable_gameplay_stats_request();
    auto answer = call(connection, e);
    EXPECT_TRUE(answer && answer->has_gameplay_stats_result());
    return answer ? answer->gameplay_stats_result() : hubrpc::GameplayStatsResult();
  }
  void endAuthSession(uint32_t connection, uint64_t user) {
    hubrpc::Envelope e;
    e.mutable_end_auth_session()->set_steam_id(user);
    EXPECT_FALSE(call(connection, e)) << "EndAuthSession is answered only when refused";
  }
};

TEST_F(HubCommunityStats, GameplayStatsCountMinutesInSessionOnTheHubClock) {
  open();
  provision();
  auto user = userLogOn(10, "alice", "alice-password");
  ASSERT_EQ(user.result(), RESULT_OK) << user.error();
  ASSERT_EQ(serverLogOn(1).result(), RESULT_OK);
  auto t = ticket(10);
  ASSERT_EQ(validate(1, user.steam_id(), t.ticket()), AUTH_SESSION_RESPONSE_OK);
  auto before = stats(1);
  EXPECT_EQ(before.result(), RESULT_OK);
  EXPECT_EQ(before.total_minutes_played(), 0u);
  clock.advance(3 * 60 + 59);  // three whole minutes and some
  endAuthSession(1, user.steam_id());
  auto after = stats(1);
  EXPECT_EQ(after.result(), RESULT_OK);
  EXPECT_EQ(after.total_connects(), 1u);
  EXPECT_EQ(after.total_minutes_played(), 3u);
  EXPECT_EQ(after.rank(), 0);
}

TEST_F(HubCommunityStats, OnlyALoggedOnServerAsksForStats) {
  open();
  EXPECT_EQ(stats(7).result(), RESULT_NOT_LOGGED_ON);
  EXPECT_EQ(counter("rpc.refused_not_a_server"), 1u);
}

}  // namespace
}  // namespace outpost::test
