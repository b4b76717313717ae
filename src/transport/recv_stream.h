// RecvStream: the reliable byte stream of one lane on the receiving side. Segments may arrive
// out of order and more than once; they are held in a SparseBytes (only bytes that arrived are
// stored, so a segment at the far edge of the window costs its own size, not the window), and
// complete messages are cut from the contiguous prefix in order. Bytes already delivered are
// ignored; bytes held keep the value that arrived first (the packets are authenticated, so a
// retransmission carries the same bytes). Runs under the engine lock.
#pragma once

#include <cstdint>
#include <span>

#include "base/bytes.h"
#include "transport/sparse_bytes.h"

namespace outpost::transport {

class RecvStream {
 public:
  enum class Insert { kOk, kOld, kBeyondWindow };
  // window_end: the highest offset (exclusive) the peer was allowed to send. kOld: nothing new
  // (everything already held or delivered).
  Insert insert(uint64_t offset, std::span<const uint8_t> data, uint64_t window_end);
  // True if inserting [offset, offset + len) would start a new out-of-order segment.
  bool wouldAddSegment(uint64_t offset, uint64_t len) const { return bytes_.wouldAddSegment(offset, len); }

  // Calls sink(message_number, payload, stream_bytes) for every complete message in order,
  // where stream_bytes counts the message's header too, as long as may_cut(payload_size) allows it
  // (a full receive queue leaves the rest in the stream until the application takes messages).
  // Returns false on a protocol violation (a message larger than max_message_size, or a
  // message-number delta that is zero or would take the number past INT64_MAX).
  template <typename MayCut, typename Sink>
  bool deliver(uint32_t max_message_size, MayCut&& may_cut, Sink&& sink);
  template <typename Sink>
  bool deliver(uint32_t max_message_size, Sink&& sink) {
    return deliver(
        max_message_size, [](uint64_t) { return true; }, sink);
  }

  uint64_t highestReceived() const { return bytes_.highest(); }
  uint64_t deliveredOffset() const { return bytes_.base(); }
  size_t segmentCount() const { return bytes_.segmentCount(); }
  size_t heldBytes() const { return bytes_.heldBytes(); }
  size_t allocatedBytes() const { return bytes_.allocatedBytes(); }
  void setTight(bool tight) { bytes_.setTight(tight); }

 private:
  bool parseHeader(std::span<const uint8_t> run, uint64_t* delta, uint64_t* size, size_t* header_len) const;

  SparseBytes bytes_;
  uint64_t last_message_number_ = 0;
};

template <typename MayCut, typename Sink>
bool RecvStream::deliver(uint32_t max_message_size, MayCut&& may_cut, Sink&& sink) {
  for (;;) {
    std::span<const uint8_t> run = bytes_.contiguous();
    if (run.empty()) return true;
    uint64_t delta = 0, size = 0;
    size_t hlen = 0;
    if (!parseHeader(run, &delta, &size, &hlen)) return true;  // header incomplete
    // A zero delta repeats a message number; a delta that carries the number past INT64_MAX
    // would hand the application negative, decreasing numbers (deltas reach 2^62 - 1, so three
    // messages suffice). Both are protocol violations.
    if (size > max_message_size || delta == 0 || delta > static_cast<uint64_t>(INT64_MAX) - last_message_number_)
      return false;
    if (run.size() < hlen + size) return true;
    if (!may_cut(size)) return true;
    last_message_number_ += delta;
    sink(static_cast<int64_t>(last_message_number_), run.subspan(hlen, static_cast<size_t>(size)),
         static_cast<uint64_t>(hlen + size));
    bytes_.consume(hlen + size);
  }
}

}  // namespace outpost::transport
