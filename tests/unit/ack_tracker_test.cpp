// Tests for AckTracker (src/transport/ack_tracker.h): new/duplicate/too-old verdicts, the ACK
// ranges and delay it reports, ack-pending bookkeeping, and replay protection that survives the
// kMaxTrackedRanges cap (a packet from a forgotten range is still refused).
#include "transport/ack_tracker.h"

#include <gtest/gtest.h>

#include <vector>

namespace outpost::transport {
namespace {

using Verdict = AckTracker::Verdict;

TEST(AckTracker, FreshTrackerVerdicts) {
  AckTracker t;
  EXPECT_EQ(t.check(0), Verdict::kTooOld);  // packet numbers start at 1
  EXPECT_EQ(t.check(1), Verdict::kNew);
  EXPECT_EQ(t.check(1000000), Verdict::kNew);
  EXPECT_EQ(t.expectedNext(), 1u);
  EXPECT_FALSE(t.ackPending());
}

TEST(AckTracker, RecordedPacketsAreDuplicates) {
  AckTracker t;
  t.record(1, 100, true);
  t.record(2, 110, true);
  t.record(5, 120, false);
  EXPECT_EQ(t.check(1), Verdict::kDuplicate);
  EXPECT_EQ(t.check(2), Verdict::kDuplicate);
  EXPECT_EQ(t.check(5), Verdict::kDuplicate);
  EXPECT_EQ(t.check(3), Verdict::kNew);  // a gap is still acceptable (reordering)
  EXPECT_EQ(t.check(4), Verdict::kNew);
  EXPECT_EQ(t.check(6), Verdict::kNew);
  EXPECT_EQ(t.largest(), 5u);
  EXPECT_EQ(t.expectedNext(), 6u);
}

TEST(AckTracker, BuildAckListsRangesLargestFirstWithDelay) {
  AckTracker t;
  for (uint64_t pn : {1, 2, 3, 7, 8, 10}) t.record(pn, 1000, true);
  t.record(4, 5000, true);  // late arrival, not the largest: the delay is from packet 10
  std::vector<frames::AckRange> ranges;
  uint64_t delay = 0;
  t.buildAck(ranges, 1600, &delay);
  ASSERT_EQ(ranges.size(), 3u);
  EXPECT_EQ(ranges[0].smallest, 10u);
  EXPECT_EQ(ranges[0].largest, 10u);
  EXPECT_EQ(ranges[1].smallest, 7u);
  EXPECT_EQ(ranges[1].largest, 8u);
  EXPECT_EQ(ranges[2].smallest, 1u);
  EXPECT_EQ(ranges[2].largest, 4u);
  EXPECT_EQ(delay, 600u);
  // A clock behind the arrival time gives no negative delay.
  t.buildAck(ranges, 500, &delay);
  EXPECT_EQ(delay, 0u);
}

TEST(AckTracker, AckPendingOnlyForAckElicitingPackets) {
  AckTracker t;
  t.record(1, 100, false);  // an ACK-only packet
  EXPECT_FALSE(t.ackPending());
  EXPECT_EQ(t.unackedElicitingCount(), 0);
  t.record(2, 200, true);
  t.record(3, 300, true);
  EXPECT_TRUE(t.ackPending());
  EXPECT_EQ(t.unackedElicitingCount(), 2);
  EXPECT_EQ(t.firstUnackedTime(), 200);
  t.onAckSent();
  EXPECT_FALSE(t.ackPending());
  EXPECT_EQ(t.unackedElicitingCount(), 0);
  t.record(4, 400, true);
  EXPECT_EQ(t.firstUnackedTime(), 400);
}

TEST(AckTracker, RangeCapKeepsReplayProtection) {
  AckTracker t;
  // Every other packet: each one is its own range.
  constexpr uint64_t kPackets = AckTracker::kMaxTrackedRanges + 20;
  for (uint64_t i = 0; i < kPackets; ++i) t.record(1 + 2 * i, static_cast<base::TimeUs>(i), true);

  std::vector<frames::AckRange> ranges;
  uint64_t delay = 0;
  t.buildAck(ranges, 0, &delay);
  EXPECT_EQ(ranges.size(), AckTracker::kMaxTrackedRanges);  // bounded memory
  EXPECT_EQ(ranges[0].largest, 1 + 2 * (kPackets - 1));
  uint64_t lowest_kept = ranges.back().smallest;
  EXPECT_EQ(lowest_kept, 1 + 2 * (kPackets - AckTracker::kMaxTrackedRanges));

  // Packets from forgotten ranges are replays: refused, never "new".
  for (uint64_t i = 0; i < kPackets - AckTracker::kMaxTrackedRanges; ++i) {
    EXPECT_EQ(t.check(1 + 2 * i), Verdict::kTooOld) << i;
    EXPECT_EQ(t.check(2 + 2 * i), Verdict::kTooOld) << i;  // gaps below the floor too
  }
  // Kept ranges still answer duplicate and their gaps are still acceptable.
  EXPECT_EQ(t.check(lowest_kept), Verdict::kDuplicate);
  EXPECT_EQ(t.check(lowest_kept + 1), Verdict::kNew);
  EXPECT_EQ(t.check(ranges[0].largest + 1), Verdict::kNew);
}

TEST(AckTracker, FillingAGapMergesRanges) {
  AckTracker t;
  t.record(1, 0, false);
  t.record(3, 0, false);
  t.record(2, 0, false);
  std::vector<frames::AckRange> ranges;
  uint64_t delay = 0;
  t.buildAck(ranges, 0, &delay);
  ASSERT_EQ(ranges.size(), 1u);
  EXPECT_EQ(ranges[0].smallest, 1u);
  EXPECT_EQ(ranges[0].largest, 3u);
}

TEST(AckTracker, ManyPacketsInOrderStayOneRange) {
  AckTracker t;
  for (uint64_t pn = 1; pn <= 100000; ++pn) {
    ASSERT_EQ(t.check(pn), Verdict::kNew);
    t.record(pn, static_cast<base::TimeUs>(pn), false);
  }
  std::vector<frames::AckRange> ranges;
  uint64_t delay = 0;
  t.buildAck(ranges, 100000, &delay);
  ASSERT_EQ(ranges.size(), 1u);
  EXPECT_EQ(t.check(1), Verdict::kDuplicate);  // nothing forgotten: still an exact duplicate
}

}  // namespace
}  // namespace outpost::transport
