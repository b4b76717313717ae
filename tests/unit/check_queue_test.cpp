// CheckQueue (src/hub/check_queue.h), step by step with no threads: the bounds (in all and per
// source), sources taking turns, a source never on every worker, a source whose last check failed
// served after the others, and cancelling a source's checks not yet started.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "hub/check_queue.h"

namespace outpost::hub {
namespace {

PasswordCheckJob job(uint32_t id, const std::string& source) {
  PasswordCheckJob j;
  j.connection = id;
  j.source = source;
  return j;
}

using S = CheckQueue::Submitted;
const std::string kGuesser = "203.0.113.9", kPlayer = "198.51.100.7", kOther = "192.0.2.1";

uint32_t nextId(CheckQueue& q) {
  auto j = q.next();
  return j ? j->connection : 0;
}

TEST(CheckQueue, BoundedInAllAndPerSource) {
  CheckQueue q(2, 4, 3);
  for (uint32_t i = 1; i <= 3; ++i) EXPECT_EQ(q.submit(job(i, kGuesser)), S::kQueued);
  EXPECT_EQ(q.submit(job(4, kGuesser)), S::kSourceFull);  // one source cannot fill the queue
  EXPECT_EQ(q.submit(job(5, kPlayer)), S::kQueued);
  EXPECT_EQ(q.submit(job(6, kOther)), S::kFull);  // four outstanding in all
  EXPECT_EQ(q.outstanding(), 4u);
  EXPECT_EQ(nextId(q), 1u);
  q.finished(kGuesser, false);
  q.taken(kGuesser);
  EXPECT_EQ(q.outstanding(), 3u);
  EXPECT_EQ(q.submit(job(7, kGuesser)), S::kQueued);  // room again, in all and for that source
}

TEST(CheckQueue, SourcesTakeTurns) {
  CheckQueue q(1, 64, 64);
  for (uint32_t i = 1; i <= 3; ++i) q.submit(job(i, kOther));
  q.submit(job(100, kPlayer));
  std::vector<uint32_t> order;
  for (int i = 0; i < 4; ++i) {
    order.push_back(nextId(q));
    q.finished(i == 1 ? kPlayer : kOther, true);
  }
  // First in, first out would be 1, 2, 3, 100.
  EXPECT_EQ(order, (std::vector<uint32_t>{1, 100, 2, 3}));
}

TEST(CheckQueue, NoSourceRunsOnEveryWorker) {
  CheckQueue q(2, 64, 64);
  for (uint32_t i = 1; i <= 3; ++i) q.submit(job(i, kOther));
  EXPECT_EQ(nextId(q), 1u);
  EXPECT_EQ(nextId(q), 0u) << "the second worker is kept from the source already running";
  q.submit(job(100, kPlayer));
  EXPECT_EQ(nextId(q), 100u) << "another source's check starts on it at once";
  q.finished(kOther, true);
  EXPECT_EQ(nextId(q), 2u);
  EXPECT_EQ(q.peakRunningPerSource(), 1u);
  CheckQueue one(1, 64, 64);  // one worker: a source may use it
  one.submit(job(1, kOther));
  EXPECT_EQ(nextId(one), 1u);
}

TEST(CheckQueue, ASourceWhoseLastCheckFailedIsServedAfterTheOthers) {
  CheckQueue q(3, 64, 64);
  for (uint32_t i = 1; i <= 4; ++i) q.submit(job(i, kGuesser));
  EXPECT_EQ(nextId(q), 1u);
  q.finished(kGuesser, false);  // a wrong password: the guesser's turn comes after everyone else's
  q.submit(job(100, kPlayer));
  q.submit(job(200, kOther));
  EXPECT_EQ(nextId(q), 100u);  // taking turns alone would give the guesser's 2 first
  EXPECT_EQ(nextId(q), 200u);
  EXPECT_EQ(nextId(q), 2u);    // nobody else waits: the guesser's checks still run
  q.finished(kGuesser, true);  // a right password: back with the others
  q.submit(job(101, kPlayer));
  EXPECT_EQ(nextId(q), 3u);
}

TEST(CheckQueue, CancelWaitingDropsOnlyChecksNotStarted) {
  CheckQueue q(2, 64, 64);
  for (uint32_t i = 1; i <= 3; ++i) q.submit(job(i, kGuesser));
  q.submit(job(100, kPlayer));
  EXPECT_EQ(nextId(q), 1u);
  auto cancelled = q.cancelWaiting(kGuesser);
  ASSERT_EQ(cancelled.size(), 2u);
  EXPECT_EQ(cancelled[0].connection, 2u);
  EXPECT_EQ(cancelled[1].connection, 3u);
  EXPECT_EQ(q.outstanding(), 2u);  // the running one and the player's
  EXPECT_EQ(nextId(q), 100u);
  EXPECT_EQ(nextId(q), 0u);
  q.finished(kGuesser, false);
  q.taken(kGuesser);
  q.finished(kPlayer, true);
  q.taken(kPlayer);
  EXPECT_EQ(q.outstanding(), 0u);
  EXPECT_TRUE(q.cancelWaiting(kGuesser).empty());
}

}  // namespace
}  // namespace outpost::hub
