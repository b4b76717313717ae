// LogonLimits (src/hub/logon_limits.h), with time passed in: an account's backoff after its
// failures (doubling, capped, cleared by a success, forgotten after a quiet spell), a source's
// backoff after its failures across many names, no more pending checks than failures left, the
// exemption of a source the account logged on from, unknown names treated like known ones, the
// LRU bound, and the source key (IPv4 address, IPv6 /64).
#include <gtest/gtest.h>

#include "hub/logon_limits.h"

namespace outpost::hub {
namespace {

LogonLimitsConfig config() {
  LogonLimitsConfig c;
  c.failures_per_account = 3;
  c.failures_per_source = 6;
  c.backoff_initial_ms = 1000;
  c.backoff_max_ms = 8000;
  c.forget_after_ms = 60000;
  c.max_tracked = 1000;
  return c;
}

// One attempt that is checked at once: true if it was admitted.
bool attempt(LogonLimits& l, const std::string& name, const std::string& source, bool ok, int64_t now_ms) {
  if (!l.admit(name, source, now_ms).allowed) return false;
  l.finished(name, source, ok, now_ms);
  return true;
}

TEST(LogonLimits, AnAccountBacksOffAfterItsFailuresDoublingUpToTheCap) {
  LogonLimits l(config());
  int64_t t = 1000000;
  for (int i = 0; i < 3; ++i) EXPECT_TRUE(attempt(l, "alice", "10.0.0." + std::to_string(i), false, t));
  auto d = l.admit("alice", "10.0.0.9", t);  // a fourth source: the account is what is limited
  EXPECT_FALSE(d.allowed);
  EXPECT_STREQ(d.limited_by, "account");
  EXPECT_EQ(d.retry_after_ms, 1000);
  EXPECT_FALSE(l.admit("alice", "10.0.0.9", t + 999).allowed);
  EXPECT_TRUE(attempt(l, "alice", "10.0.0.9", false, t + 1000));  // the wait is over: one more try
  // Failure 4: the wait doubles (2 s), then 4 s, then 8 s, and stays at the 8 s cap.
  t += 1000;
  for (int64_t expected : {2000, 4000, 8000, 8000}) {
    d = l.admit("alice", "10.0.0.9", t);
    EXPECT_FALSE(d.allowed);
    EXPECT_EQ(d.retry_after_ms, expected);
    t += expected;
    EXPECT_TRUE(attempt(l, "alice", "10.0.0.9", false, t));
  }
  EXPECT_TRUE(l.admit("bob", "10.0.0.9", t).allowed) << "another account is not limited by alice's failures";
}

TEST(LogonLimits, ASuccessClearsTheAccountAndQuietTimeForgetsIt) {
  LogonLimits l(config());
  int64_t t = 5000;
  for (int i = 0; i < 3; ++i) attempt(l, "alice", "10.0.0.1", false, t);
  EXPECT_FALSE(l.admit("alice", "10.0.0.2", t).allowed);
  EXPECT_TRUE(attempt(l, "alice", "10.0.0.2", true, t + 1000));  // the right password, after the wait
  for (int i = 0; i < 2; ++i) EXPECT_TRUE(attempt(l, "alice", "10.0.0.3", false, t + 1000));
  EXPECT_TRUE(l.admit("alice", "10.0.0.3", t + 1000).allowed) << "the success reset the count";
  l.abandoned("alice", "10.0.0.3");
  LogonLimits m(config());
  for (int i = 0; i < 3; ++i) attempt(m, "carol", "10.0.0.1", false, t);
  EXPECT_FALSE(m.admit("carol", "10.0.0.4", t + 500).allowed);
  EXPECT_TRUE(attempt(m, "carol", "10.0.0.4", false, t + 60000));  // forgotten after a quiet minute
  EXPECT_TRUE(m.admit("carol", "10.0.0.4", t + 60000).allowed) << "one failure since, not four";
}

TEST(LogonLimits, ASourceGuessingManyNamesBacksOff) {
  LogonLimits l(config());
  int64_t t = 0;
  for (int i = 0; i < 6; ++i) EXPECT_TRUE(attempt(l, "user" + std::to_string(i), "203.0.113.5", false, t));
  auto d = l.admit("user99", "203.0.113.5", t);
  EXPECT_FALSE(d.allowed);
  EXPECT_STREQ(d.limited_by, "source");
  EXPECT_TRUE(l.admit("user99", "198.51.100.1", t).allowed) << "another source is not limited";
  // A success from the guessing source (its own account, after the wait) does not clear the
  // source's record: its next failure doubles the wait instead of starting over.
  EXPECT_TRUE(attempt(l, "mine", "203.0.113.5", true, t + 1000));
  EXPECT_TRUE(attempt(l, "user7", "203.0.113.5", false, t + 1000));
  d = l.admit("user8", "203.0.113.5", t + 1000);
  EXPECT_FALSE(d.allowed);
  EXPECT_EQ(d.retry_after_ms, 2000);
}

TEST(LogonLimits, NoMorePendingChecksThanFailuresLeft) {
  LogonLimits l(config());
  for (int i = 0; i < 3; ++i) EXPECT_TRUE(l.admit("alice", "10.0.0." + std::to_string(i), 0).allowed);
  auto d = l.admit("alice", "10.0.0.9", 0);  // three guesses in flight = the three failures left
  EXPECT_FALSE(d.allowed);
  EXPECT_STREQ(d.limited_by, "account");
  l.abandoned("alice", "10.0.0.0");  // one never reached a check
  EXPECT_TRUE(l.admit("alice", "10.0.0.9", 0).allowed);
}

TEST(LogonLimits, TheUsualSourceOfAnAccountIsNotLockedOutByGuessers) {
  LogonLimits l(config());
  EXPECT_TRUE(attempt(l, "alice", "192.0.2.10", true, 0));  // alice logs on from home
  for (int i = 0; i < 3; ++i) attempt(l, "alice", "203.0.113.5", false, 10);
  EXPECT_FALSE(l.admit("alice", "203.0.113.5", 20).allowed);
  EXPECT_FALSE(l.admit("alice", "198.51.100.1", 20).allowed);
  EXPECT_TRUE(l.admit("alice", "192.0.2.10", 20).allowed) << "her own address still gets through";
}

TEST(LogonLimits, UnknownNamesAreLimitedLikeKnownOnesAndTablesAreBounded) {
  LogonLimitsConfig c = config();
  c.max_tracked = 8;
  LogonLimits l(c);
  for (int i = 0; i < 3; ++i) attempt(l, "no-such-user", "10.0.0.1", false, 0);
  EXPECT_FALSE(l.admit("no-such-user", "10.0.0.2", 0).allowed);
  for (int i = 0; i < 100; ++i) attempt(l, "name" + std::to_string(i), "10.1.0." + std::to_string(i), false, 0);
  EXPECT_LE(l.trackedAccounts(), 8u);
  EXPECT_LE(l.trackedSources(), 8u);
}

TEST(LogonLimits, SourceIsTheIpv4AddressOrTheIpv6Slash64) {
  EXPECT_EQ(logonSourceOf("203.0.113.5:40000"), "203.0.113.5");
  EXPECT_EQ(logonSourceOf("[::ffff:203.0.113.5]:40000"), "203.0.113.5");
  EXPECT_EQ(logonSourceOf("[2001:db8:1:2:3:4:5:6]:40000"), "2001:0db8:0001:0002::/64");
  EXPECT_EQ(logonSourceOf("[2001:db8:1:2:ffff::1]:1"), logonSourceOf("[2001:db8:1:2::9]:2"));
  EXPECT_NE(logonSourceOf("[2001:db8:1:3::1]:1"), logonSourceOf("[2001:db8:1:2::1]:1"));
  EXPECT_EQ(logonSourceOf("nonsense"), "");
}

}  // namespace
}  // namespace outpost::hub
