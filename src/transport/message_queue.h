// MessageQueue: the received messages of one connection, waiting for the application. Payloads
// live back to back in one byte arena and descriptors in a ring, so queuing a message copies its
// bytes once and allocates nothing in steady state. Runs under the engine lock.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "base/clock.h"
#include "transport/ring_buffer.h"

namespace outpost {

struct QueuedMessage {
  size_t offset = 0;  // into the arena
  uint32_t size = 0;
  int64_t message_number = 0;
  uint16_t lane = 0;
  int32_t flags = 0;
  TimeUs time_received = 0;
  uint64_t sequence = 0;  // engine-wide arrival order (poll groups)
  uint64_t stream_bytes = 0;  // reliable stream bytes this message used (flow control)
};

class MessageQueue {
 public:
  void push(std::span<const uint8_t> payload, const QueuedMessage& meta) {
    if (messages_.empty()) {
      bytes_.clear();
      head_ = 0;
    } else if (head_ > (1u << 20) && head_ > bytes_.size() / 2) {
      compact();
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
  RingBuffer<QueuedMessage> messages_;
};

}  // namespace outpost
