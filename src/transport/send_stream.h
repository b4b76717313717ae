// SendStream: the reliable byte stream of one lane on the sending side. Messages are appended
// as [varint message-number delta][varint size][payload]; the stream tracks what was never sent,
// what was sent and is unacknowledged, what was acknowledged (possibly out of order) and what
// was declared lost and must go out again. Retransmission resends byte ranges, never whole
// packets, so a lost packet's data can be re-cut into any later packet. Memory is one buffer
// holding the unacknowledged bytes; it is compacted, not reallocated, as acks arrive.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "transport/range_set.h"

namespace outpost::transport {

class SendStream {
 public:
  struct Chunk {
    uint64_t offset = 0;
    std::span<const uint8_t> data;
    bool retransmission = false;
  };

  // Appends one message (header and payload).
  void appendMessage(uint64_t message_number_delta, std::span<const uint8_t> payload);

  uint64_t writeOffset() const { return write_; }
  uint64_t nextNewOffset() const { return next_new_; }
  uint64_t ackedBase() const { return base_; }
  uint64_t unsentBytes() const { return write_ - next_new_; }
  uint64_t unackedBytes() const;
  bool hasRetransmit() const { return !lost_.empty(); }
  bool allAcked() const { return base_ == write_; }

  // The next chunk to send: lost data first, then new data below `new_limit`. max_len > 0.
  bool nextChunk(size_t max_len, uint64_t new_limit, Chunk& out) const;
  // Marks a chunk returned by nextChunk as sent.
  void markSent(const Chunk& c);
  void onAcked(uint64_t offset, uint64_t len);
  void onLost(uint64_t offset, uint64_t len);
  // Drops everything not yet sent and every pending retransmission (close without linger).
  void discardUnsent();
  // Tight: the buffer is kept exactly as large as the unacknowledged bytes (no doubling slack),
  // for connections whose peer is not trusted yet. Otherwise it grows by doubling.
  void setTight(bool tight) { tight_ = tight; }
  size_t allocatedBytes() const { return buf_.capacity(); }

 private:
  const uint8_t* at(uint64_t offset) const { return buf_.data() + head_ + (offset - base_); }
  void compact();

  std::vector<uint8_t> buf_;  // bytes [base_, write_) start at buf_[head_]
  size_t head_ = 0;
  uint64_t base_ = 0;      // everything below is acknowledged
  uint64_t next_new_ = 0;  // first byte never sent
  uint64_t write_ = 0;     // end of appended data
  RangeSet acked_;         // acknowledged ranges above base_
  RangeSet lost_;          // ranges to send again (never overlapping acked_)
  bool tight_ = false;
};

}  // namespace outpost::transport
