// Tests for MessageQueue (src/transport/message_queue.h): FIFO order with metadata preserved,
// byte accounting, pop returning the message's stream bytes for flow control, and payloads that
// stay intact while the arena is compacted under a long-lived non-empty queue.
#include "transport/message_queue.h"

#include <gtest/gtest.h>

#include <deque>
#include <random>
#include <vector>

namespace outpost::transport {
namespace {

std::vector<uint8_t> payload(size_t n, uint8_t seed) {
  std::vector<uint8_t> v(n);
  for (size_t i = 0; i < n; ++i) v[i] = static_cast<uint8_t>(seed ^ (i * 5));
  return v;
}

QueuedMessage meta(int64_t number, uint16_t lane, uint64_t stream_bytes) {
  QueuedMessage m;
  m.message_number = number;
  m.lane = lane;
  m.flags = 8;
  m.time_received = 1000 + number;
  m.sequence = static_cast<uint64_t>(number) * 10;
  m.stream_bytes = stream_bytes;
  return m;
}

std::vector<uint8_t> front(const MessageQueue& q) {
  auto p = q.frontPayload();
  return {p.begin(), p.end()};
}

TEST(MessageQueue, FifoWithMetadata) {
  MessageQueue q;
  EXPECT_TRUE(q.empty());
  q.push(payload(10, 1), meta(1, 0, 12));
  q.push(payload(0, 2), meta(2, 3, 2));
  q.push(payload(300, 3), meta(3, 1, 0));
  EXPECT_EQ(q.count(), 3u);
  EXPECT_EQ(q.queuedBytes(), 310u);
  EXPECT_EQ(q.at(1).lane, 3);
  EXPECT_EQ(q.at(2).size, 300u);

  EXPECT_EQ(q.front().message_number, 1);
  EXPECT_EQ(q.front().size, 10u);
  EXPECT_EQ(q.front().time_received, 1001);
  EXPECT_EQ(q.front().sequence, 10u);
  EXPECT_EQ(front(q), payload(10, 1));
  EXPECT_EQ(q.pop(), 12u);
  EXPECT_EQ(q.queuedBytes(), 300u);

  EXPECT_EQ(q.front().message_number, 2);
  EXPECT_TRUE(front(q).empty());
  EXPECT_EQ(q.pop(), 2u);

  EXPECT_EQ(front(q), payload(300, 3));
  EXPECT_EQ(q.front().flags, 8);
  EXPECT_EQ(q.pop(), 0u);  // unreliable messages used no stream bytes
  EXPECT_TRUE(q.empty());
  EXPECT_EQ(q.queuedBytes(), 0u);
}

TEST(MessageQueue, ClearDropsEverything) {
  MessageQueue q;
  q.push(payload(10, 1), meta(1, 0, 0));
  q.push(payload(10, 2), meta(2, 0, 0));
  q.clear();
  EXPECT_TRUE(q.empty());
  EXPECT_EQ(q.queuedBytes(), 0u);
  q.push(payload(4, 9), meta(3, 0, 0));
  EXPECT_EQ(front(q), payload(4, 9));
}

TEST(MessageQueue, PayloadsSurviveCompactionOfANeverEmptyQueue) {
  // The queue never drains, so the arena is only ever reclaimed by compaction (after more than
  // 1 MiB has been consumed); every payload must still read back intact.
  std::mt19937_64 rng(3);
  MessageQueue q;
  std::deque<std::pair<int64_t, std::vector<uint8_t>>> model;
  int64_t next = 1;
  size_t total_pushed = 0;
  for (int step = 0; step < 20000; ++step) {
    if (model.size() < 2 || rng() % 2 == 0) {
      auto p = payload(static_cast<size_t>(rng() % 1500), static_cast<uint8_t>(next));
      q.push(p, meta(next, 0, p.size()));
      total_pushed += p.size();
      model.emplace_back(next++, std::move(p));
    } else {
      ASSERT_EQ(q.front().message_number, model.front().first);
      ASSERT_EQ(front(q), model.front().second) << step;
      ASSERT_EQ(q.pop(), model.front().second.size());
      model.pop_front();
    }
    ASSERT_EQ(q.count(), model.size());
  }
  EXPECT_GT(total_pushed, size_t{4} << 20);  // compaction happened several times over
  while (!model.empty()) {
    ASSERT_EQ(front(q), model.front().second);
    q.pop();
    model.pop_front();
  }
  EXPECT_EQ(q.queuedBytes(), 0u);
}

}  // namespace
}  // namespace outpost::transport
