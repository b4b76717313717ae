// Tests for SparseBytes (src/transport/sparse_bytes.h): only bytes that arrived are held (a byte
// at the far edge costs a byte, not the gap), out-of-order segments merge and move into the run
// as the gap fills, bytes already held keep their first value, and a tight buffer holds no more
// memory than its contents.
#include "transport/sparse_bytes.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <random>
#include <vector>

namespace outpost::transport {
namespace {

std::vector<uint8_t> pattern(size_t n, uint8_t seed) {
  std::vector<uint8_t> v(n);
  for (size_t i = 0; i < n; ++i) v[i] = static_cast<uint8_t>(seed + i * 7);
  return v;
}

std::span<const uint8_t> part(const std::vector<uint8_t>& v, size_t off, size_t len) { return {v.data() + off, len}; }

TEST(SparseBytes, AByteAtTheFarEdgeCostsAByteNotTheGap) {
  SparseBytes b;
  uint8_t one = 0x42;
  EXPECT_EQ(b.insert(528383, {&one, 1}), 1u);
  EXPECT_EQ(b.heldBytes(), 1u);
  EXPECT_EQ(b.segmentCount(), 1u);
  EXPECT_EQ(b.highest(), 528384u);
  EXPECT_EQ(b.contiguousEnd(), 0u);
  // A segment record and its byte; nothing near the 528 KiB the offset would cost in a flat buffer.
  EXPECT_LT(b.allocatedBytes(), 256u);
}

TEST(SparseBytes, SegmentsMergeAndMoveIntoTheRunAsTheGapFills) {
  auto s = pattern(100, 3);
  SparseBytes b;
  EXPECT_EQ(b.insert(10, part(s, 10, 10)), 10u);
  EXPECT_EQ(b.insert(30, part(s, 30, 10)), 10u);
  EXPECT_EQ(b.segmentCount(), 2u);
  EXPECT_FALSE(b.wouldAddSegment(20, 10));  // touches both: extends, does not add
  EXPECT_TRUE(b.wouldAddSegment(50, 5));
  EXPECT_FALSE(b.wouldAddSegment(0, 5));  // at the run's end: in order
  EXPECT_EQ(b.insert(20, part(s, 20, 10)), 10u);
  EXPECT_EQ(b.segmentCount(), 1u);
  EXPECT_TRUE(b.containsAll(10, 40));
  EXPECT_FALSE(b.containsAll(5, 40));
  EXPECT_EQ(b.insert(0, part(s, 0, 12)), 10u);  // two of its bytes were already held
  EXPECT_EQ(b.segmentCount(), 0u);
  ASSERT_EQ(b.contiguousEnd(), 40u);
  auto run = b.contiguous();
  EXPECT_TRUE(std::equal(run.begin(), run.end(), s.begin()));
  b.consume(25);
  EXPECT_EQ(b.base(), 25u);
  EXPECT_EQ(b.heldBytes(), 15u);
  EXPECT_EQ(b.insert(0, part(s, 0, 40)), 0u);  // all below or already held
}

TEST(SparseBytes, BytesAlreadyHeldKeepTheirFirstValue) {
  SparseBytes b;
  std::vector<uint8_t> first(10, 0x11), second(20, 0x22);
  b.insert(20, first);
  EXPECT_EQ(b.insert(15, second), 10u);  // [15,20) and [30,35) are new
  b.insert(0, std::vector<uint8_t>(15, 0x00));
  ASSERT_EQ(b.contiguousEnd(), 35u);
  auto run = b.contiguous();
  EXPECT_EQ(run[16], 0x22);
  EXPECT_EQ(run[25], 0x11);
  EXPECT_EQ(run[32], 0x22);
}

TEST(SparseBytes, RandomArrivalOrderRebuildsTheStream) {
  std::mt19937 rng(7);
  auto s = pattern(20000, 9);
  for (int round = 0; round < 20; ++round) {
    SparseBytes b;
    if (round % 2) b.setTight(true);
    std::vector<std::pair<size_t, size_t>> pieces;
    for (size_t off = 0; off < s.size();) {
      size_t len = 1 + rng() % 700;
      len = std::min(len, s.size() - off);
      pieces.emplace_back(off, len);
      off += len;
    }
    // Every piece twice (retransmissions), some overlapping their neighbours, in random order.
    auto all = pieces;
    for (auto [off, len] : pieces) all.emplace_back(off, std::min(len + 50, s.size() - off));
    std::shuffle(all.begin(), all.end(), rng);
    std::vector<uint8_t> out;
    for (auto [off, len] : all) {
      b.insert(off, part(s, off, len));
      auto run = b.contiguous();
      out.insert(out.end(), run.begin(), run.end());
      b.consume(run.size());
      ASSERT_LE(b.heldBytes(), s.size());
    }
    ASSERT_EQ(out, s) << "round " << round;
    EXPECT_EQ(b.heldBytes(), 0u);
    EXPECT_EQ(b.segmentCount(), 0u);
  }
}

TEST(SparseBytes, TightBuffersHoldNoMoreThanTheirContents) {
  auto s = pattern(8000, 1);
  SparseBytes loose, tight;
  tight.setTight(true);
  for (size_t off = 0; off + 100 <= 6000; off += 100) {
    loose.insert(off, part(s, off, 100));
    tight.insert(off, part(s, off, 100));
  }
  tight.insert(7000, part(s, 7000, 500));
  EXPECT_EQ(tight.allocatedBytes(), tight.heldBytes() + SparseBytes::kSegmentOverheadBytes + 32 /* one record */);
  // Cutting messages from the front gives their space back at once.
  tight.consume(5000);
  EXPECT_EQ(tight.heldBytes(), 1500u);
  EXPECT_EQ(tight.allocatedBytes(), 1500u + SparseBytes::kSegmentOverheadBytes + 32);
  EXPECT_GT(loose.allocatedBytes(), loose.heldBytes());  // doubling growth keeps slack
}

}  // namespace
}  // namespace outpost::transport
