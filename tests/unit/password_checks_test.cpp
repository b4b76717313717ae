// PasswordChecks: Argon2id logon checks on worker threads — the right password passes, a wrong
// one and an unknown user (checked against the dummy hash) fail, every submitted job comes back
// once with its connection and request id, at most max_pending checks wait in all and at most
// max_pending_per_source from one source, and sources are served in turn (a long backlog from one
// source does not delay another's check).
#include <gtest/gtest.h>

#include <chrono>
#include <algorithm>
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

TEST(PasswordChecks, OneSourceCannotFillTheQueue) {
  std::string hash = crypto::hashPassword("pw-pw-pw-pw");
  PasswordChecks checks(1, 16, 3);
  using S = PasswordChecks::Submitted;
  for (uint32_t i = 1; i <= 3; ++i) EXPECT_EQ(checks.submit(job(i, "guess", hash, "203.0.113.9")), S::kQueued);
  EXPECT_EQ(checks.submit(job(4, "guess", hash, "203.0.113.9")), S::kSourceFull);  // its share is taken
  EXPECT_EQ(checks.submit(job(5, "pw-pw-pw-pw", hash, "198.51.100.7")), S::kQueued);  // another source is not
  EXPECT_EQ(waitFor(checks, 4).size(), 4u);
  EXPECT_EQ(checks.submit(job(6, "guess", hash, "203.0.113.9")), S::kQueued);  // its share is free again
  EXPECT_EQ(waitFor(checks, 1).size(), 1u);
}

TEST(PasswordChecks, SourcesAreServedInTurn) {
  std::string hash = crypto::hashPassword("pw-pw-pw-pw");
  PasswordChecks checks(1, 64, 64);
  using S = PasswordChecks::Submitted;
  const uint32_t kFlood = 8;
  for (uint32_t i = 1; i <= kFlood; ++i) ASSERT_EQ(checks.submit(job(i, "guess", hash, "203.0.113.9")), S::kQueued);
  ASSERT_EQ(checks.submit(job(100, "pw-pw-pw-pw", hash, "198.51.100.7")), S::kQueued);
  // One worker: at most the flood's job in progress and the one whose turn came first run before
  // the other source's (first in, first out would run all eight first).
  auto verdicts = waitFor(checks, kFlood + 1);
  ASSERT_EQ(verdicts.size(), kFlood + 1);
  size_t position = 0;
  while (position < verdicts.size() && verdicts[position].job.connection != 100) ++position;
  EXPECT_LE(position, 2u);
  EXPECT_TRUE(verdicts[position].password_ok);
}

}  // namespace
}  // namespace outpost::hub

namespace outpost::hub {
namespace {

TEST(PasswordChecks, ASourceWhoseLastCheckFailedWaitsBehindOthers) {
  std::string hash = crypto::hashPassword("pw-pw-pw-pw");
  PasswordChecks checks(1, 64, 64);
  using S = PasswordChecks::Submitted;
  for (uint32_t i = 1; i <= 6; ++i) ASSERT_EQ(checks.submit(job(i, "wrong", hash, "203.0.113.9")), S::kQueued);
  auto verdicts = waitFor(checks, 1);  // the guesser's first check failed; its second is running
  ASSERT_EQ(verdicts.size(), 1u);
  ASSERT_EQ(checks.submit(job(100, "pw-pw-pw-pw", hash, "198.51.100.7")), S::kQueued);
  for (auto& v : waitFor(checks, 6)) verdicts.push_back(std::move(v));
  ASSERT_EQ(verdicts.size(), 7u);
  std::vector<uint32_t> order;
  for (const auto& v : verdicts) order.push_back(v.job.connection);
  // The player's check runs right after the guesser's check in progress (position 2). Taking
  // turns alone would put the guesser's third check first (position 3).
  EXPECT_EQ(std::find(order.begin(), order.end(), 100u) - order.begin(), 2);
}

TEST(PasswordChecks, CancelWaitingDropsOnlyChecksNotStarted) {
  std::string hash = crypto::hashPassword("pw-pw-pw-pw");
  PasswordChecks checks(1, 64, 64);
  for (uint32_t i = 1; i <= 5; ++i) ASSERT_EQ(checks.submit(job(i, "wrong", hash, "203.0.113.9")), PasswordChecks::Submitted::kQueued);
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
  using S = PasswordChecks::Submitted;
  for (uint32_t i = 1; i <= 5; ++i) ASSERT_EQ(checks.submit(job(i, "pw-pw-pw-pw", hash, "192.0.2.1")), S::kQueued);
  auto verdicts = waitFor(checks, 1);  // the first source's backlog is being worked through
  ASSERT_EQ(verdicts.size(), 1u);
  ASSERT_EQ(checks.submit(job(100, "pw-pw-pw-pw", hash, "198.51.100.7")), S::kQueued);
  for (auto& v : waitFor(checks, 5)) verdicts.push_back(std::move(v));
  ASSERT_EQ(verdicts.size(), 6u);
  std::vector<uint32_t> order;
  for (const auto& v : verdicts) order.push_back(v.job.connection);
  // The first source runs on one worker only, so the second source's check starts at once beside
  // it (position 1 or 2). With both workers on the backlog it would wait for one of them (3).
  EXPECT_LE(std::find(order.begin(), order.end(), 100u) - order.begin(), 2);
}

}  // namespace
}  // namespace outpost::hub
