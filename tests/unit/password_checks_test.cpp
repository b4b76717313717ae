// PasswordChecks: Argon2id logon checks on worker threads — the right password passes, a wrong
// one and an unknown user (checked against the dummy hash) fail, every submitted job comes back
// once with its connection and request id, at most max_pending checks wait, a source's checks not
// yet started can be cancelled, and the workers follow CheckQueue's rule that one source never
// runs on all of them (the order rules themselves: check_queue_test.cpp).
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <map>
#include <thread>

#include "crypto/crypto.h"
#include "hub/password_checks.h"

namespace outpost::hub {
namespace {

std::vector<PasswordChecks::Verdict> waitFor(PasswordChecks& c, size_t n) {
  std::vector<PasswordChecks::Verdict> all;
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  while (all.size() < n && std::chrono::steady_clock::now() < deadline) {
    for (auto& v : c.takeVerdicts()) all.push_back(std::move(v));
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  return all;
}

PasswordChecks::Job job(uint32_t connection, const std::string& password, const std::string& hash,
                        const std::string& source = "127.0.0.1") {
  PasswordChecks::Job j;
  j.source = source;
  j.connection = connection;
  j.request_id = connection * 10;
  j.request.set_name("user" + std::to_string(connection));
  j.request.set_password(password);
  j.password_hash = hash;
  return j;
}

TEST(PasswordChecks, RightWrongAndUnknownEachComeBackOnce) {
  std::string hash = crypto::hashPassword("correct horse");
  PasswordChecks checks(2, 16, 16);
  using S = PasswordChecks::Submitted;
  ASSERT_EQ(checks.submit(job(1, "correct horse", hash)), S::kQueued);
  ASSERT_EQ(checks.submit(job(2, "wrong horse", hash)), S::kQueued);
  ASSERT_EQ(checks.submit(job(3, "correct horse", "")), S::kQueued);  // unknown user: never OK
  EXPECT_EQ(checks.outstanding(), 3u);
  auto verdicts = waitFor(checks, 3);
  ASSERT_EQ(verdicts.size(), 3u);
  std::map<uint32_t, bool> ok;
  for (const auto& v : verdicts) {
    EXPECT_EQ(v.job.request_id, v.job.connection * 10);
    ok[v.job.connection] = v.password_ok;
  }
  EXPECT_TRUE(ok.at(1));
  EXPECT_FALSE(ok.at(2));
  EXPECT_FALSE(ok.at(3));
  EXPECT_EQ(checks.outstanding(), 0u);
  EXPECT_TRUE(checks.takeVerdicts().empty());
}

TEST(PasswordChecks, AtMostMaxPendingWaitUntilTheirVerdictsAreTaken) {
  std::string hash = crypto::hashPassword("pw-pw-pw-pw");
  PasswordChecks checks(1, 2, 2);
  using S = PasswordChecks::Submitted;
  EXPECT_EQ(checks.submit(job(1, "pw-pw-pw-pw", hash, "10.0.0.1")), S::kQueued);
  EXPECT_EQ(checks.submit(job(2, "pw-pw-pw-pw", hash, "10.0.0.2")), S::kQueued);
  EXPECT_EQ(checks.submit(job(3, "pw-pw-pw-pw", hash, "10.0.0.3")), S::kFull);  // the hub answers Busy
  auto verdicts = waitFor(checks, 2);
  EXPECT_EQ(verdicts.size(), 2u);
  EXPECT_EQ(checks.submit(job(4, "pw-pw-pw-pw", hash, "10.0.0.3")), S::kQueued);  // room again once taken
  EXPECT_EQ(waitFor(checks, 1).size(), 1u);
}

}  // namespace
}  // namespace outpost::hub

namespace outpost::hub {
namespace {

TEST(PasswordChecks, CancelWaitingDropsOnlyChecksNotStarted) {
  std::string hash = crypto::hashPassword("pw-pw-pw-pw");
  PasswordChecks checks(1, 64, 64);
  for (uint32_t i = 1; i <= 5; ++i)
    ASSERT_EQ(checks.submit(job(i, "wrong", hash, "203.0.113.9")), PasswordChecks::Submitted::kQueued);
  ASSERT_EQ(checks.submit(job(100, "pw-pw-pw-pw", hash, "198.51.100.7")), PasswordChecks::Submitted::kQueued);
  auto cancelled = checks.cancelWaiting("203.0.113.9");
  EXPECT_GE(cancelled.size(), 4u);  // the first may already be running
  for (const auto& j : cancelled) EXPECT_EQ(j.source, "203.0.113.9");
  EXPECT_EQ(checks.outstanding(), 6u - cancelled.size());
  auto verdicts = waitFor(checks, 6 - cancelled.size());
  EXPECT_EQ(verdicts.size(), 6u - cancelled.size());
  EXPECT_EQ(checks.outstanding(), 0u);
  EXPECT_TRUE(checks.cancelWaiting("203.0.113.9").empty());
}

TEST(PasswordChecks, NoSourceTakesEveryWorker) {
  std::string hash = crypto::hashPassword("pw-pw-pw-pw");
  PasswordChecks checks(2, 64, 64);
  for (uint32_t i = 1; i <= 6; ++i)
    ASSERT_EQ(checks.submit(job(i, "pw-pw-pw-pw", hash, "192.0.2.1")), PasswordChecks::Submitted::kQueued);
  EXPECT_EQ(waitFor(checks, 6).size(), 6u);
  // One source's backlog ran on one worker at a time: the other stayed free for anyone else
  // (without the rule both workers take the backlog: a peak of 2).
  EXPECT_EQ(checks.peakRunningPerSource(), 1u);
  // A second source uses the free worker meanwhile.
  for (uint32_t i = 1; i <= 3; ++i) checks.submit(job(i, "pw-pw-pw-pw", hash, "192.0.2.1"));
  checks.submit(job(100, "pw-pw-pw-pw", hash, "198.51.100.7"));
  EXPECT_EQ(waitFor(checks, 4).size(), 4u);
  EXPECT_EQ(checks.peakRunningPerSource(), 1u);
}

}  // namespace
}  // namespace outpost::hub
