// Tests for RangeSet (src/transport/range_set.h): adding merges overlapping and adjacent ranges
// in any order, removing splits and trims, contains/containsAll, trimBelow and keepHighest; and a
// randomized comparison against a plain bitmap with a fixed seed.
#include "transport/range_set.h"

#include <gtest/gtest.h>

#include <random>
#include <utility>
#include <vector>

namespace outpost::transport {
namespace {

using Pairs = std::vector<std::pair<uint64_t, uint64_t>>;

Pairs dump(const RangeSet& s) {
  Pairs out;
  for (size_t i = 0; i < s.count(); ++i) out.emplace_back(s[i].start, s[i].end);
  return out;
}

TEST(RangeSet, EmptyRangesAreIgnored) {
  RangeSet s;
  s.add(5, 5);
  s.add(7, 3);
  EXPECT_TRUE(s.empty());
  EXPECT_FALSE(s.contains(5));
}

TEST(RangeSet, AppendMergesAdjacentAndOverlapping) {
  RangeSet s;
  s.add(0, 10);
  s.add(10, 20);  // adjacent: one range
  EXPECT_EQ(dump(s), (Pairs{{0, 20}}));
  s.add(15, 25);  // overlaps the end
  EXPECT_EQ(dump(s), (Pairs{{0, 25}}));
  s.add(30, 40);  // a gap: a new range
  EXPECT_EQ(dump(s), (Pairs{{0, 25}, {30, 40}}));
  s.add(35, 38);  // inside the last
  EXPECT_EQ(dump(s), (Pairs{{0, 25}, {30, 40}}));
}

TEST(RangeSet, InsertInTheMiddleMergesBothNeighbours) {
  RangeSet s;
  s.add(0, 5);
  s.add(10, 15);
  s.add(20, 25);
  s.add(30, 35);
  s.add(5, 10);  // fills the first gap exactly
  EXPECT_EQ(dump(s), (Pairs{{0, 15}, {20, 25}, {30, 35}}));
  s.add(17, 18);  // a new range between two
  EXPECT_EQ(dump(s), (Pairs{{0, 15}, {17, 18}, {20, 25}, {30, 35}}));
  s.add(12, 32);  // swallows several
  EXPECT_EQ(dump(s), (Pairs{{0, 35}}));
}

TEST(RangeSet, AddBeforeTheFirstRange) {
  RangeSet s;
  s.add(100, 200);
  s.add(10, 20);
  EXPECT_EQ(dump(s), (Pairs{{10, 20}, {100, 200}}));
  s.add(0, 10);
  EXPECT_EQ(dump(s), (Pairs{{0, 20}, {100, 200}}));
  s.add(50, 100);
  EXPECT_EQ(dump(s), (Pairs{{0, 20}, {50, 200}}));
}

TEST(RangeSet, ContainsAndContainsAll) {
  RangeSet s;
  s.add(10, 20);
  s.add(30, 40);
  EXPECT_FALSE(s.contains(9));
  EXPECT_TRUE(s.contains(10));
  EXPECT_TRUE(s.contains(19));
  EXPECT_FALSE(s.contains(20));  // ends are exclusive
  EXPECT_FALSE(s.contains(25));
  EXPECT_TRUE(s.contains(30));
  EXPECT_FALSE(s.contains(40));

  EXPECT_TRUE(s.containsAll(10, 20));
  EXPECT_TRUE(s.containsAll(12, 15));
  EXPECT_FALSE(s.containsAll(10, 21));
  EXPECT_FALSE(s.containsAll(15, 35));  // spans a gap
  EXPECT_FALSE(s.containsAll(5, 15));
  EXPECT_TRUE(s.containsAll(7, 7));  // the empty range is always contained
  EXPECT_FALSE(RangeSet().containsAll(0, 1));
}

TEST(RangeSet, RemoveSplitsTrimsAndErases) {
  RangeSet s;
  s.add(0, 100);
  s.remove(40, 60);  // split
  EXPECT_EQ(dump(s), (Pairs{{0, 40}, {60, 100}}));
  s.remove(0, 10);  // trim the front of a range
  EXPECT_EQ(dump(s), (Pairs{{10, 40}, {60, 100}}));
  s.remove(90, 200);  // trim the back
  EXPECT_EQ(dump(s), (Pairs{{10, 40}, {60, 90}}));
  s.remove(30, 70);  // the end of one and the start of the next
  EXPECT_EQ(dump(s), (Pairs{{10, 30}, {70, 90}}));
  s.remove(70, 90);  // exactly one range
  EXPECT_EQ(dump(s), (Pairs{{10, 30}}));
  s.remove(40, 50);  // nothing there
  EXPECT_EQ(dump(s), (Pairs{{10, 30}}));
  s.remove(0, 1000);
  EXPECT_TRUE(s.empty());
}

TEST(RangeSet, RemoveSpanningManyRanges) {
  RangeSet s;
  for (uint64_t i = 0; i < 10; ++i) s.add(i * 10, i * 10 + 5);
  s.remove(12, 73);
  EXPECT_EQ(dump(s), (Pairs{{0, 5}, {10, 12}, {73, 75}, {80, 85}, {90, 95}}));
}

TEST(RangeSet, TrimBelow) {
  RangeSet s;
  s.add(0, 10);
  s.add(20, 30);
  s.add(40, 50);
  s.trimBelow(5);
  EXPECT_EQ(dump(s), (Pairs{{5, 10}, {20, 30}, {40, 50}}));
  s.trimBelow(15);  // inside a gap: drops a whole range
  EXPECT_EQ(dump(s), (Pairs{{20, 30}, {40, 50}}));
  s.trimBelow(30);  // exactly an end
  EXPECT_EQ(dump(s), (Pairs{{40, 50}}));
  s.trimBelow(0);
  EXPECT_EQ(dump(s), (Pairs{{40, 50}}));
  s.trimBelow(1000);
  EXPECT_TRUE(s.empty());
}

TEST(RangeSet, KeepHighestDropsTheLowestRanges) {
  RangeSet s;
  for (uint64_t i = 0; i < 6; ++i) s.add(i * 10, i * 10 + 1);
  s.keepHighest(10);
  EXPECT_EQ(s.count(), 6u);
  s.keepHighest(2);
  EXPECT_EQ(dump(s), (Pairs{{40, 41}, {50, 51}}));
  s.keepHighest(0);
  EXPECT_TRUE(s.empty());
}

TEST(RangeSet, MatchesABitmapUnderRandomOperations) {
  constexpr uint64_t kUniverse = 300;
  std::mt19937_64 rng(12345);
  RangeSet s;
  std::vector<bool> model(kUniverse, false);
  for (int step = 0; step < 5000; ++step) {
    uint64_t a = rng() % kUniverse, b = rng() % kUniverse;
    if (a > b) std::swap(a, b);
    int op = static_cast<int>(rng() % 10);
    if (op < 6) {
      s.add(a, b);
      for (uint64_t i = a; i < b; ++i) model[i] = true;
    } else if (op < 9) {
      s.remove(a, b);
      for (uint64_t i = a; i < b; ++i) model[i] = false;
    } else {
      s.trimBelow(a);
      for (uint64_t i = 0; i < a; ++i) model[i] = false;
    }
    // Canonical form: sorted, disjoint, non-adjacent, non-empty.
    for (size_t i = 0; i < s.count(); ++i) {
      ASSERT_LT(s[i].start, s[i].end);
      if (i > 0) {
        ASSERT_LT(s[i - 1].end, s[i].start) << "step " << step;
      }
    }
    for (uint64_t i = 0; i < kUniverse; ++i) ASSERT_EQ(s.contains(i), model[i]) << i;
    uint64_t x = rng() % kUniverse, y = x + rng() % 20;
    bool all = true;
    for (uint64_t i = x; i < y; ++i) all = all && i < kUniverse && model[i];
    ASSERT_EQ(s.containsAll(x, y), all);
  }
}

}  // namespace
}  // namespace outpost::transport
