// MessageQueue: the received messages of one connection, waiting for the application. Payloads
// live back to back in one byte arena and descriptors in a ring, so queuing a message copies its
// bytes once and allocates nothing in steady state. costBytes() is what the queue charges
// against the connection's receive budget (payloads plus a fixed cost per message, so empty
// messages are not free); a tight queue (untrusted peer) keeps its arena exactly as large as
// what it holds. Runs under the engine lock.
#pragma once

#include <algorithm>
#include <cstdint>
#include <span>
#include <vector>

#include "base/clock.h"
#include "transport/ring_buffer.h"

namespace outpost::transport {

struct QueuedMessage {
  size_t offset = 0;  // into the arena
  uint32_t size = 0;
  int64_t message_number = 0;
  uint16_t lane = 0;
  int32_t flags = 0;
  base::TimeUs time_received = 0;
  uint64_t sequence = 0;      // engine-wide arrival order (poll groups)
  uint64_t stream_bytes = 0;  // reliable stream bytes this message used (flow control)
};

class MessageQueue {
 public:
  // Charged per queued message on top of its payload: its descriptor, with the ring's doubling
  // slack (sizeof(QueuedMessage) is 56 bytes).
  static constexpr size_t kMessageCostBytes = 128;

  void push(std::span<const uint8_t> payload, const QueuedMessage& meta) {
    if (messages_.empty()) {
      bytes_.clear();
      head_ = 0;
    } else if (head_ > (1u << 20) && head_ > bytes_.size() / 2) {
      compact();
    }
    size_t need = bytes_.size() + payload.size();
    if (need > bytes_.capacity()) {
      // Tight: taken messages at the front go first, then the arena grows to fit exactly.
      if (tight_ && head_ > 0) {
        compact();
        need = bytes_.size() + payload.size();
      }
      if (need > bytes_.capacity()) bytes_.reserve(tight_ ? need : std::max(need, bytes_.capacity() * 2));
    }
    QueuedMessage m = meta;
    m.offset = bytes_.size();
    m.size = static_cast<uint32_t>(payload.size());
    bytes_.insert(bytes_.end(), payload.begin(), payload.end());
    queued_bytes_ += payload.size();
    messages_.push_back(m);
  }
  bool empty() const { return messages_.empty(); }
  size_t count() const { return messages_.size(); }
  size_t queuedBytes() const { return queued_bytes_; }
  size_t costBytes() const { return queued_bytes_ + messages_.size() * kMessageCostBytes; }
  size_t allocatedBytes() const { return bytes_.capacity() + messages_.capacity() * sizeof(QueuedMessage); }
  void setTight(bool tight) { tight_ = tight; }
  const QueuedMessage& front() const { return messages_.front(); }
  const QueuedMessage& at(size_t i) const { return messages_[i]; }
  std::span<const uint8_t> frontPayload() const {
    const QueuedMessage& m = messages_.front();
    return {bytes_.data() + m.offset, m.size};
  }
  // Returns the popped message's stream_bytes.
  uint64_t pop() {
    const QueuedMessage& m = messages_.front();
    uint64_t stream_bytes = m.stream_bytes;
    head_ = m.offset + m.size;
    queued_bytes_ -= m.size;
    messages_.pop_front();
    if (tight_ && messages_.empty()) {
      std::vector<uint8_t>().swap(bytes_);
      head_ = 0;
    }
    return stream_bytes;
  }
  void clear() {
    messages_.clear();
    bytes_.clear();
    head_ = 0;
    queued_bytes_ = 0;
  }

 private:
  void compact() {
    bytes_.erase(bytes_.begin(), bytes_.begin() + static_cast<long>(head_));
    for (size_t i = 0; i < messages_.size(); ++i) messages_[i].offset -= head_;
    head_ = 0;
  }

  std::vector<uint8_t> bytes_;
  size_t head_ = 0;
  size_t queued_bytes_ = 0;
  bool tight_ = false;
  RingBuffer<QueuedMessage> messages_;
};

}  // namespace outpost::transport
