// The hub's user logon family (src/hub/hub_rpc_users.cpp) on a detached hub with a real SQLite
// store and a ManualHubClock: after the allowed failures an account's next attempt waits the
// backoff on the hub's monotonic clock — refused at once (RateLimitExceeded) one millisecond
// before it ends, checked again once it has — and a good logon trusts the connection.
#include "hub_detached.h"

namespace outpost::test {
namespace {

using HubUsers = DetachedHub;

TEST_F(HubUsers, LogonBackoffRunsOnTheHubClock) {
  config.user_logons.limits.failures_per_account = 2;
  config.user_logons.limits.backoff_initial_ms = 1000;
  open();
  provision();
  EXPECT_EQ(userLogOn(10, "alice", "wrong").result(), RESULT_INVALID_PASSWORD);
  EXPECT_EQ(userLogOn(11, "alice", "wrong").result(), RESULT_INVALID_PASSWORD);
  // The backoff has started: even the right password is refused without a check.
  EXPECT_EQ(userLogOn(12, "alice", "alice-password").result(), RESULT_RATE_LIMIT_EXCEEDED);
  clock.advanceMs(999);
  EXPECT_EQ(userLogOn(13, "alice", "alice-password").result(), RESULT_RATE_LIMIT_EXCEEDED);
  EXPECT_FALSE(link.trusted.count(13));
  clock.advanceMs(1);
  auto ok = userLogOn(14, "alice", "alice-password");
  EXPECT_EQ(ok.result(), RESULT_OK) << ok.error();
  EXPECT_TRUE(link.trusted.count(14)) << "a good password trusts the connection";
  EXPECT_EQ(counter("rpc.user_log_on"), 5u);
  EXPECT_EQ(counter("players.sessions"), 1u);
}

}  // namespace
}  // namespace outpost::test
