// Tests for RecvStream (src/transport/recv_stream.h): segments arriving out of order and more
// than once deliver each message exactly once and in order, with the right number and payload;
// data past the flow-control window is refused; a message over the size limit or a zero message
// number delta is reported as a protocol violation.
#include "transport/recv_stream.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <random>
#include <vector>

#include "base/bytes.h"

namespace outpost::transport {
namespace {

struct Delivered {
  int64_t number;
  std::vector<uint8_t> payload;
  uint64_t stream_bytes;
};

void appendMessage(std::vector<uint8_t>& stream, uint64_t delta, const std::vector<uint8_t>& p) {
  uint8_t header[16];
  base::ByteWriter w(header, sizeof header);
  w.varint(delta);
  w.varint(p.size());
  stream.insert(stream.end(), header, header + w.size());
  stream.insert(stream.end(), p.begin(), p.end());
}

std::vector<uint8_t> payload(size_t n, uint8_t seed) {
  std::vector<uint8_t> v(n);
  for (size_t i = 0; i < n; ++i) v[i] = static_cast<uint8_t>(seed + i * 3);
  return v;
}

std::span<const uint8_t> seg(const std::vector<uint8_t>& s, size_t off, size_t len) { return {s.data() + off, len}; }

class Collector {
 public:
  std::vector<Delivered> got;
  bool deliver(RecvStream& r, uint32_t max = 1 << 20) {
    return r.deliver(max, [&](int64_t n, std::span<const uint8_t> p, uint64_t sb) {
      got.push_back({n, {p.begin(), p.end()}, sb});
    });
  }
};

TEST(RecvStream, InOrderSegmentsDeliverMessages) {
  std::vector<uint8_t> stream;
  auto a = payload(5, 1), b = payload(100, 2);
  appendMessage(stream, 1, a);
  appendMessage(stream, 3, b);
  RecvStream r;
  Collector c;
  EXPECT_EQ(r.insert(0, seg(stream, 0, stream.size()), UINT64_MAX), RecvStream::Insert::kOk);
  ASSERT_TRUE(c.deliver(r));
  ASSERT_EQ(c.got.size(), 2u);
  EXPECT_EQ(c.got[0].number, 1);
  EXPECT_EQ(c.got[0].payload, a);
  EXPECT_EQ(c.got[0].stream_bytes, 7u);  // the header counts too
  EXPECT_EQ(c.got[1].number, 4);         // numbers accumulate the deltas
  EXPECT_EQ(c.got[1].payload, b);
  EXPECT_EQ(c.got[1].stream_bytes, 103u);  // 1-byte delta, 2-byte size
  EXPECT_EQ(r.deliveredOffset(), stream.size());
  EXPECT_EQ(r.highestReceived(), stream.size());
}

TEST(RecvStream, PartialMessageWaitsForTheRest) {
  std::vector<uint8_t> stream;
  appendMessage(stream, 1, payload(200, 3));
  RecvStream r;
  Collector c;
  // Only the first byte of the two-byte size: the header itself is incomplete.
  ASSERT_EQ(r.insert(0, seg(stream, 0, 2), UINT64_MAX), RecvStream::Insert::kOk);
  ASSERT_TRUE(c.deliver(r));
  EXPECT_TRUE(c.got.empty());
  ASSERT_EQ(r.insert(2, seg(stream, 2, 100), UINT64_MAX), RecvStream::Insert::kOk);
  ASSERT_TRUE(c.deliver(r));
  EXPECT_TRUE(c.got.empty());
  EXPECT_EQ(r.deliveredOffset(), 0u);
  ASSERT_EQ(r.insert(102, seg(stream, 102, stream.size() - 102), UINT64_MAX), RecvStream::Insert::kOk);
  ASSERT_TRUE(c.deliver(r));
  ASSERT_EQ(c.got.size(), 1u);
  EXPECT_EQ(c.got[0].payload, payload(200, 3));
}

TEST(RecvStream, OutOfOrderSegmentsDeliverInOrderExactlyOnce) {
  std::vector<uint8_t> stream;
  std::vector<std::vector<uint8_t>> sent;
  for (int i = 0; i < 20; ++i) {
    sent.push_back(payload(static_cast<size_t>(i * 37 % 90), static_cast<uint8_t>(i)));
    appendMessage(stream, 1, sent.back());
  }
  // Cut into 16-byte segments and deliver them in reverse: nothing is delivered until the
  // first segment arrives, then everything at once.
  std::vector<std::pair<size_t, size_t>> segs;
  for (size_t off = 0; off < stream.size(); off += 16)
    segs.emplace_back(off, std::min<size_t>(16, stream.size() - off));
  RecvStream r;
  Collector c;
  for (size_t i = segs.size(); i-- > 0;) {
    ASSERT_EQ(r.insert(segs[i].first, seg(stream, segs[i].first, segs[i].second), UINT64_MAX), RecvStream::Insert::kOk);
    ASSERT_TRUE(c.deliver(r));
    if (i > 0) {
      EXPECT_TRUE(c.got.empty());
    }
  }
  ASSERT_EQ(c.got.size(), sent.size());
  for (size_t i = 0; i < sent.size(); ++i) {
    EXPECT_EQ(c.got[i].number, static_cast<int64_t>(i + 1));
    EXPECT_EQ(c.got[i].payload, sent[i]);
  }
  // Everything again: all old, nothing new delivered.
  for (auto [off, len] : segs) EXPECT_EQ(r.insert(off, seg(stream, off, len), UINT64_MAX), RecvStream::Insert::kOld);
  ASSERT_TRUE(c.deliver(r));
  EXPECT_EQ(c.got.size(), sent.size());
}

TEST(RecvStream, DuplicatesAndOverlapsAreIgnored) {
  std::vector<uint8_t> stream;
  appendMessage(stream, 1, payload(60, 4));
  appendMessage(stream, 1, payload(60, 5));
  RecvStream r;
  Collector c;
  ASSERT_EQ(r.insert(30, seg(stream, 30, 40), UINT64_MAX), RecvStream::Insert::kOk);
  EXPECT_EQ(r.insert(30, seg(stream, 30, 40), UINT64_MAX), RecvStream::Insert::kOld);
  EXPECT_EQ(r.insert(40, seg(stream, 40, 10), UINT64_MAX), RecvStream::Insert::kOld);
  // Overlapping on both sides: the new bytes are taken.
  EXPECT_EQ(r.insert(20, seg(stream, 20, 60), UINT64_MAX), RecvStream::Insert::kOk);
  EXPECT_EQ(r.highestReceived(), 80u);
  ASSERT_TRUE(c.deliver(r));
  EXPECT_TRUE(c.got.empty());
  EXPECT_EQ(r.insert(0, seg(stream, 0, stream.size()), UINT64_MAX), RecvStream::Insert::kOk);
  ASSERT_TRUE(c.deliver(r));
  ASSERT_EQ(c.got.size(), 2u);
  EXPECT_EQ(c.got[0].payload, payload(60, 4));
  EXPECT_EQ(c.got[1].payload, payload(60, 5));
  // Below the delivered offset: old, and delivering again produces nothing.
  EXPECT_EQ(r.insert(0, seg(stream, 0, 10), UINT64_MAX), RecvStream::Insert::kOld);
  ASSERT_TRUE(c.deliver(r));
  EXPECT_EQ(c.got.size(), 2u);
}

TEST(RecvStream, SegmentStraddlingTheDeliveredOffsetKeepsOnlyTheNewPart) {
  std::vector<uint8_t> stream;
  appendMessage(stream, 1, payload(10, 6));
  appendMessage(stream, 2, payload(10, 7));
  RecvStream r;
  Collector c;
  ASSERT_EQ(r.insert(0, seg(stream, 0, 15), UINT64_MAX), RecvStream::Insert::kOk);
  ASSERT_TRUE(c.deliver(r));
  ASSERT_EQ(c.got.size(), 1u);
  EXPECT_EQ(r.deliveredOffset(), 12u);
  ASSERT_EQ(r.insert(5, seg(stream, 5, stream.size() - 5), UINT64_MAX), RecvStream::Insert::kOk);
  ASSERT_TRUE(c.deliver(r));
  ASSERT_EQ(c.got.size(), 2u);
  EXPECT_EQ(c.got[1].number, 3);
  EXPECT_EQ(c.got[1].payload, payload(10, 7));
}

TEST(RecvStream, DataBeyondTheWindowIsRefused) {
  std::vector<uint8_t> stream;
  appendMessage(stream, 1, payload(100, 8));
  const size_t n = stream.size();  // 103: 1-byte delta, 2-byte size, 100 bytes
  RecvStream r;
  Collector c;
  EXPECT_EQ(r.insert(0, seg(stream, 0, n), n - 1), RecvStream::Insert::kBeyondWindow);
  EXPECT_EQ(r.highestReceived(), 0u);  // nothing was stored
  EXPECT_EQ(r.insert(50, seg(stream, 50, n - 50), 60), RecvStream::Insert::kBeyondWindow);
  ASSERT_TRUE(c.deliver(r));
  EXPECT_TRUE(c.got.empty());
  // Exactly up to the window is fine.
  EXPECT_EQ(r.insert(0, seg(stream, 0, n), n), RecvStream::Insert::kOk);
  ASSERT_TRUE(c.deliver(r));
  EXPECT_EQ(c.got.size(), 1u);
}

TEST(RecvStream, OversizedMessageIsAViolation) {
  std::vector<uint8_t> stream;
  appendMessage(stream, 1, payload(101, 9));
  RecvStream r;
  Collector c;
  // The header alone is enough to judge: the payload need not have arrived.
  ASSERT_EQ(r.insert(0, seg(stream, 0, 3), UINT64_MAX), RecvStream::Insert::kOk);
  EXPECT_FALSE(c.deliver(r, 100));
  EXPECT_TRUE(c.got.empty());
  RecvStream ok;
  Collector c2;
  ASSERT_EQ(ok.insert(0, seg(stream, 0, stream.size()), UINT64_MAX), RecvStream::Insert::kOk);
  EXPECT_TRUE(c2.deliver(ok, 101));
  EXPECT_EQ(c2.got.size(), 1u);
}

TEST(RecvStream, ZeroMessageNumberDeltaIsAViolation) {
  std::vector<uint8_t> stream;
  appendMessage(stream, 0, payload(3, 1));
  RecvStream r;
  Collector c;
  ASSERT_EQ(r.insert(0, seg(stream, 0, stream.size()), UINT64_MAX), RecvStream::Insert::kOk);
  EXPECT_FALSE(c.deliver(r));
  EXPECT_TRUE(c.got.empty());
}

// Found by fuzz_recv_stream (corpus/fuzz_recv_stream/crash_message_number_overflow): message
// number deltas of up to 2^62 - 1 each let a peer push the accumulated number past INT64_MAX in
// three messages, so the application saw message numbers go negative and backwards.
TEST(RecvStream, FuzzRegressionMessageNumberOverflowIsAViolation) {
  std::vector<uint8_t> stream;
  appendMessage(stream, base::kVarintMax, payload(1, 1));  // 2^62 - 1
  appendMessage(stream, base::kVarintMax, payload(1, 2));  // 2^63 - 2: still a valid int64
  appendMessage(stream, 1, payload(1, 3));                 // INT64_MAX exactly
  appendMessage(stream, 1, payload(1, 4));                 // would wrap negative
  RecvStream r;
  Collector c;
  ASSERT_EQ(r.insert(0, seg(stream, 0, stream.size()), UINT64_MAX), RecvStream::Insert::kOk);
  EXPECT_FALSE(c.deliver(r));
  ASSERT_EQ(c.got.size(), 3u);
  EXPECT_EQ(c.got[0].number, static_cast<int64_t>(base::kVarintMax));
  EXPECT_EQ(c.got[1].number, static_cast<int64_t>(2 * base::kVarintMax));
  EXPECT_EQ(c.got[2].number, INT64_MAX);
  for (size_t i = 1; i < c.got.size(); ++i) EXPECT_GT(c.got[i].number, c.got[i - 1].number);
}

TEST(RecvStream, MessagesBeforeAViolationAreDelivered) {
  std::vector<uint8_t> stream;
  appendMessage(stream, 1, payload(3, 1));
  appendMessage(stream, 1, payload(50, 2));
  RecvStream r;
  Collector c;
  ASSERT_EQ(r.insert(0, seg(stream, 0, stream.size()), UINT64_MAX), RecvStream::Insert::kOk);
  EXPECT_FALSE(c.deliver(r, 10));
  ASSERT_EQ(c.got.size(), 1u);
  EXPECT_EQ(c.got[0].payload, payload(3, 1));
}

TEST(RecvStream, EmptyMessagesAreDelivered) {
  std::vector<uint8_t> stream;
  appendMessage(stream, 1, {});
  appendMessage(stream, 1, {});
  RecvStream r;
  Collector c;
  ASSERT_EQ(r.insert(0, seg(stream, 0, stream.size()), UINT64_MAX), RecvStream::Insert::kOk);
  ASSERT_TRUE(c.deliver(r));
  ASSERT_EQ(c.got.size(), 2u);
  EXPECT_TRUE(c.got[1].payload.empty());
  EXPECT_EQ(c.got[1].number, 2);
}

TEST(RecvStream, RandomReorderingAndDuplicationDeliverTheStreamExactly) {
  std::mt19937_64 rng(7);
  std::vector<uint8_t> stream;
  std::vector<std::vector<uint8_t>> sent;
  for (int i = 0; i < 400; ++i) {
    sent.push_back(payload(static_cast<size_t>(rng() % 2000), static_cast<uint8_t>(i)));
    appendMessage(stream, 1, sent.back());
  }
  // Segments of random size, each sent one to three times, in a shuffled order, fed through a
  // window that only ever grows past what was delivered.
  std::vector<std::pair<size_t, size_t>> segs;
  for (size_t off = 0; off < stream.size();) {
    size_t len = std::min<size_t>(1 + rng() % 1300, stream.size() - off);
    int copies = 1 + static_cast<int>(rng() % 3);
    for (int k = 0; k < copies; ++k) segs.emplace_back(off, len);
    off += len;
  }
  // Local shuffles only (a real network reorders within a window, not across the stream).
  for (size_t i = 0; i + 1 < segs.size(); ++i) {
    size_t j = i + rng() % std::min<size_t>(20, segs.size() - i);
    std::swap(segs[i], segs[j]);
  }
  RecvStream r;
  Collector c;
  uint64_t last_delivered = 0;
  for (auto [off, len] : segs) {
    auto result = r.insert(off, seg(stream, off, len), UINT64_MAX);
    ASSERT_NE(result, RecvStream::Insert::kBeyondWindow);
    ASSERT_TRUE(c.deliver(r, 2000));
    ASSERT_GE(r.deliveredOffset(), last_delivered);
    last_delivered = r.deliveredOffset();
  }
  ASSERT_EQ(c.got.size(), sent.size());
  uint64_t total = 0;
  for (size_t i = 0; i < sent.size(); ++i) {
    ASSERT_EQ(c.got[i].number, static_cast<int64_t>(i + 1));
    ASSERT_EQ(c.got[i].payload, sent[i]) << i;
    total += c.got[i].stream_bytes;
  }
  EXPECT_EQ(total, stream.size());
  EXPECT_EQ(r.deliveredOffset(), stream.size());
}

}  // namespace
}  // namespace outpost::transport
