// Tests for SendStream (src/transport/send_stream.h): message framing, new data cut into chunks
// under a flow-control limit, lost data resent before new data with the original bytes, acks
// arriving out of order advancing the acknowledged base, and acknowledged bytes never resent.
#include "transport/send_stream.h"

#include <gtest/gtest.h>

#include <random>
#include <vector>

#include "base/bytes.h"

namespace outpost::transport {
namespace {

std::vector<uint8_t> payload(size_t n, uint8_t seed) {
  std::vector<uint8_t> v(n);
  for (size_t i = 0; i < n; ++i) v[i] = static_cast<uint8_t>(seed * 31 + i);
  return v;
}

// The stream bytes a sequence of appendMessage calls must produce.
void appendExpected(std::vector<uint8_t>& stream, uint64_t delta, const std::vector<uint8_t>& p) {
  uint8_t header[16];
  base::ByteWriter w(header, sizeof header);
  w.varint(delta);
  w.varint(p.size());
  stream.insert(stream.end(), header, header + w.size());
  stream.insert(stream.end(), p.begin(), p.end());
}

std::vector<uint8_t> bytesOf(const SendStream::Chunk& c) { return {c.data.begin(), c.data.end()}; }
std::vector<uint8_t> slice(const std::vector<uint8_t>& v, uint64_t off, size_t n) {
  return {v.begin() + static_cast<long>(off), v.begin() + static_cast<long>(off + n)};
}

TEST(SendStream, AppendFramesMessages) {
  SendStream s;
  std::vector<uint8_t> expected;
  auto p1 = payload(10, 1), p2 = payload(100, 2);
  s.appendMessage(1, p1);
  appendExpected(expected, 1, p1);
  EXPECT_EQ(s.writeOffset(), 12u);  // 1-byte delta, 1-byte size, 10 bytes
  s.appendMessage(70, p2);
  appendExpected(expected, 70, p2);
  EXPECT_EQ(s.writeOffset(), 12u + 2 + 2 + 100);
  EXPECT_EQ(s.unsentBytes(), expected.size());
  EXPECT_FALSE(s.allAcked());

  SendStream::Chunk c;
  ASSERT_TRUE(s.nextChunk(1000, UINT64_MAX, c));
  EXPECT_EQ(c.offset, 0u);
  EXPECT_FALSE(c.retransmission);
  EXPECT_EQ(bytesOf(c), expected);
}

TEST(SendStream, EmptyMessageStillTakesAHeader) {
  SendStream s;
  s.appendMessage(1, {});
  EXPECT_EQ(s.writeOffset(), 2u);
}

TEST(SendStream, NewDataIsCutByLengthAndLimit) {
  SendStream s;
  std::vector<uint8_t> expected;
  auto p = payload(50, 3);
  s.appendMessage(1, p);
  appendExpected(expected, 1, p);

  SendStream::Chunk c;
  ASSERT_TRUE(s.nextChunk(20, UINT64_MAX, c));
  EXPECT_EQ(c.offset, 0u);
  EXPECT_EQ(bytesOf(c), slice(expected, 0, 20));
  // nextChunk does not consume: the same chunk comes back until it is marked sent.
  SendStream::Chunk again;
  ASSERT_TRUE(s.nextChunk(20, UINT64_MAX, again));
  EXPECT_EQ(again.offset, 0u);
  s.markSent(c);
  EXPECT_EQ(s.nextNewOffset(), 20u);

  // Flow control: nothing at or beyond new_limit goes out.
  ASSERT_TRUE(s.nextChunk(100, 30, c));
  EXPECT_EQ(c.offset, 20u);
  EXPECT_EQ(c.data.size(), 10u);
  s.markSent(c);
  EXPECT_FALSE(s.nextChunk(100, 30, c));
  ASSERT_TRUE(s.nextChunk(100, UINT64_MAX, c));
  EXPECT_EQ(c.offset, 30u);
  EXPECT_EQ(bytesOf(c), slice(expected, 30, expected.size() - 30));
  s.markSent(c);
  EXPECT_EQ(s.unsentBytes(), 0u);
  EXPECT_FALSE(s.nextChunk(100, UINT64_MAX, c));
}

TEST(SendStream, LostDataGoesOutBeforeNewData) {
  SendStream s;
  std::vector<uint8_t> expected;
  auto p = payload(60, 4);
  s.appendMessage(1, p);
  appendExpected(expected, 1, p);
  SendStream::Chunk c;
  ASSERT_TRUE(s.nextChunk(30, UINT64_MAX, c));
  s.markSent(c);  // [0, 30) sent, [30, 62) new

  s.onLost(10, 10);
  EXPECT_TRUE(s.hasRetransmit());
  ASSERT_TRUE(s.nextChunk(100, UINT64_MAX, c));
  EXPECT_TRUE(c.retransmission);
  EXPECT_EQ(c.offset, 10u);
  EXPECT_EQ(bytesOf(c), slice(expected, 10, 10));  // the original bytes
  // A retransmission can be cut smaller than the lost range.
  ASSERT_TRUE(s.nextChunk(4, UINT64_MAX, c));
  EXPECT_EQ(c.data.size(), 4u);
  s.markSent(c);
  ASSERT_TRUE(s.nextChunk(100, UINT64_MAX, c));
  EXPECT_TRUE(c.retransmission);
  EXPECT_EQ(c.offset, 14u);
  EXPECT_EQ(c.data.size(), 6u);
  s.markSent(c);
  EXPECT_FALSE(s.hasRetransmit());
  // Then new data again.
  ASSERT_TRUE(s.nextChunk(100, UINT64_MAX, c));
  EXPECT_FALSE(c.retransmission);
  EXPECT_EQ(c.offset, 30u);
}

TEST(SendStream, LostDataIgnoresTheFlowControlLimit) {
  // Resending bytes the peer already granted credit for must not wait for new credit.
  SendStream s;
  s.appendMessage(1, payload(40, 5));
  SendStream::Chunk c;
  ASSERT_TRUE(s.nextChunk(100, 42, c));
  s.markSent(c);
  s.onLost(0, 42);
  ASSERT_TRUE(s.nextChunk(100, 0, c));
  EXPECT_TRUE(c.retransmission);
  EXPECT_EQ(c.data.size(), 42u);
}

TEST(SendStream, AcksOutOfOrderAdvanceTheBase) {
  SendStream s;
  std::vector<uint8_t> expected;
  auto p = payload(97, 6);
  s.appendMessage(1, p);
  appendExpected(expected, 1, p);  // 1 + 2 + 97 = 100 bytes
  SendStream::Chunk c;
  ASSERT_TRUE(s.nextChunk(100, UINT64_MAX, c));
  s.markSent(c);
  EXPECT_EQ(s.unackedBytes(), 100u);

  s.onAcked(50, 25);
  EXPECT_EQ(s.ackedBase(), 0u);  // a hole at the front holds the base
  EXPECT_EQ(s.unackedBytes(), 75u);
  s.onAcked(25, 25);
  EXPECT_EQ(s.ackedBase(), 0u);
  s.onAcked(0, 25);
  EXPECT_EQ(s.ackedBase(), 75u);  // [0, 75) now contiguous
  EXPECT_EQ(s.unackedBytes(), 25u);
  s.onAcked(0, 75);  // a duplicate ack is harmless
  EXPECT_EQ(s.ackedBase(), 75u);
  s.onAcked(75, 25);
  EXPECT_EQ(s.ackedBase(), 100u);
  EXPECT_TRUE(s.allAcked());
  EXPECT_EQ(s.unackedBytes(), 0u);
}

TEST(SendStream, LossNeverRequeuesAcknowledgedBytes) {
  SendStream s;
  std::vector<uint8_t> expected;
  auto p = payload(97, 7);
  s.appendMessage(1, p);
  appendExpected(expected, 1, p);
  SendStream::Chunk c;
  ASSERT_TRUE(s.nextChunk(100, UINT64_MAX, c));
  s.markSent(c);

  s.onAcked(10, 10);  // [10, 20)
  s.onAcked(40, 20);  // [40, 60)
  s.onLost(0, 100);   // everything declared lost afterwards

  std::vector<std::pair<uint64_t, size_t>> resent;
  while (s.nextChunk(1000, UINT64_MAX, c)) {
    ASSERT_TRUE(c.retransmission);
    EXPECT_EQ(bytesOf(c), slice(expected, c.offset, c.data.size()));
    resent.emplace_back(c.offset, c.data.size());
    s.markSent(c);
  }
  std::vector<std::pair<uint64_t, size_t>> want = {{0, 10}, {20, 20}, {60, 40}};
  EXPECT_EQ(resent, want);
}

TEST(SendStream, AckRemovesPendingRetransmission) {
  SendStream s;
  s.appendMessage(1, payload(97, 8));
  SendStream::Chunk c;
  ASSERT_TRUE(s.nextChunk(100, UINT64_MAX, c));
  s.markSent(c);
  s.onLost(0, 100);
  s.onAcked(0, 60);  // a late ack for data we thought lost
  ASSERT_TRUE(s.nextChunk(1000, UINT64_MAX, c));
  EXPECT_EQ(c.offset, 60u);
  EXPECT_EQ(c.data.size(), 40u);
  s.onAcked(60, 40);
  EXPECT_FALSE(s.hasRetransmit());
  EXPECT_FALSE(s.nextChunk(1000, UINT64_MAX, c));
  EXPECT_TRUE(s.allAcked());
}

TEST(SendStream, LossBelowTheBaseIsIgnored) {
  SendStream s;
  s.appendMessage(1, payload(97, 9));
  SendStream::Chunk c;
  ASSERT_TRUE(s.nextChunk(100, UINT64_MAX, c));
  s.markSent(c);
  s.onAcked(0, 50);
  s.onLost(0, 50);
  EXPECT_FALSE(s.hasRetransmit());
  s.onLost(40, 20);  // straddles the base: only [50, 60) is lost
  ASSERT_TRUE(s.nextChunk(1000, UINT64_MAX, c));
  EXPECT_EQ(c.offset, 50u);
  EXPECT_EQ(c.data.size(), 10u);
}

TEST(SendStream, RandomLossAndAckDeliverEveryByteOnce) {
  // A lossy link simulated at the chunk level: every byte is eventually acknowledged, every
  // (re)sent chunk carries the right bytes, and the buffer survives compaction.
  std::mt19937_64 rng(99);
  SendStream s;
  std::vector<uint8_t> expected;
  int appended = 0;
  auto appendOne = [&] {
    auto p = payload(static_cast<size_t>(rng() % 3000), static_cast<uint8_t>(appended));
    uint64_t delta = 1 + rng() % 3;
    s.appendMessage(delta, p);
    appendExpected(expected, delta, p);
    ++appended;
  };
  struct InFlight {
    uint64_t offset;
    uint64_t len;
  };
  std::vector<InFlight> flight;
  int rounds = 0;
  appendOne();
  while (!s.allAcked() || appended < 300) {
    ASSERT_LT(++rounds, 100000);
    // Keep appending while acks arrive, so the buffer is compacted under live data.
    if (appended < 300 && rng() % 2 == 0) appendOne();
    SendStream::Chunk c;
    for (int k = 0; k < 4 && s.nextChunk(1 + rng() % 1400, UINT64_MAX, c); ++k) {
      ASSERT_EQ(bytesOf(c), slice(expected, c.offset, c.data.size()));
      flight.push_back({c.offset, c.data.size()});
      s.markSent(c);
    }
    // Resolve a random packet in flight: 30% lost, otherwise acknowledged.
    if (!flight.empty()) {
      size_t i = rng() % flight.size();
      InFlight f = flight[i];
      flight.erase(flight.begin() + static_cast<long>(i));
      if (rng() % 10 < 3) s.onLost(f.offset, f.len);
      else s.onAcked(f.offset, f.len);
    }
  }
  EXPECT_EQ(s.ackedBase(), expected.size());
  EXPECT_EQ(s.unackedBytes(), 0u);
}

}  // namespace
}  // namespace outpost::transport
