// RecvStream: the reliable byte stream of one lane on the receiving side. Segments may arrive
// out of order and more than once; bytes are placed at their offset in one buffer, and complete
// messages are cut from the contiguous prefix in order. Bytes already delivered are ignored;
// bytes received but not yet delivered may be written again by a retransmission (same
// content, as the packets are authenticated). Runs under the engine lock.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "transport/range_set.h"

namespace outpost {

class RecvStream {
 public:
  enum class Insert { kOk, kOld, kBeyondWindow };
  // window_end: the highest offset (exclusive) the peer was allowed to send.
  Insert insert(uint64_t offset, std::span<const uint8_t> data, uint64_t window_end);

  // Calls sink(message_number, payload, stream_bytes) for every complete message in order,
  // where stream_bytes counts the message's header too. Returns false on
  // a protocol violation (a message larger than max_message_size, or a message-number delta
  // that is zero or would take the number past INT64_MAX).
  template <typename Sink>
  bool deliver(uint32_t max_message_size, Sink&& sink);

  uint64_t highestReceived() const { return received_.empty() ? base_ : received_.back().end; }
  uint64_t deliveredOffset() const { return base_; }

 private:
  uint64_t contiguousEnd() const {
    return (!received_.empty() && received_.front().start <= base_) ? received_.front().end : base_;
  }
  bool parseHeader(uint64_t avail, uint64_t* delta, uint64_t* size, size_t* header_len) const;
  void consume(uint64_t n);

  std::vector<uint8_t> buf_;  // byte at offset o is buf_[head_ + (o - base_)]
  size_t head_ = 0;
  uint64_t base_ = 0;  // first byte not yet cut into a message
  RangeSet received_;  // received ranges at or above base_
  uint64_t last_message_number_ = 0;
};

template <typename Sink>
bool RecvStream::deliver(uint32_t max_message_size, Sink&& sink) {
  for (;;) {
    uint64_t avail = contiguousEnd() - base_;
    if (avail == 0) return true;
    uint64_t delta = 0, size = 0;
    size_t hlen = 0;
    if (!parseHeader(avail, &delta, &size, &hlen)) return true;  // header incomplete
    // A zero delta repeats a message number; a delta that carries the number past INT64_MAX
    // would hand the application negative, decreasing numbers (deltas reach 2^62 - 1, so three
    // messages suffice). Both are protocol violations.
    if (size > max_message_size || delta == 0 ||
        delta > static_cast<uint64_t>(INT64_MAX) - last_message_number_)
      return false;
    if (avail < hlen + size) return true;
    last_message_number_ += delta;
    sink(static_cast<int64_t>(last_message_number_),
         std::span<const uint8_t>(buf_.data() + head_ + hlen, static_cast<size_t>(size)),
         static_cast<uint64_t>(hlen + size));
    consume(hlen + size);
  }
}

}  // namespace outpost
