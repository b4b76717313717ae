// SentPacketLog: what each sent, not yet settled ack-eliciting packet carried (reliable stream
// ranges, a close frame), in packet-number order in a ring. ACK-only packets are never logged
// (nothing in them is waited for), so a peer that makes us acknowledge without acknowledging us
// cannot grow the log. A packet leaves the log when it is acknowledged or declared lost and
// everything before it has too; its ranges then go to SendStream::onAcked or onLost.
#pragma once

#include <cstdint>

#include "base/clock.h"
#include "transport/ring_buffer.h"

namespace outpost::transport {

struct SentChunk {
  uint16_t lane = 0;
  uint32_t len = 0;
  uint64_t offset = 0;
};

struct SentPacket {
  static constexpr int kMaxChunks = 8;
  uint64_t packet_number = 0;
  base::TimeUs time_sent = 0;
  uint16_t bytes = 0;
  uint8_t chunk_count = 0;
  bool ack_eliciting = false;
  bool outstanding = false;  // not yet acknowledged or declared lost
  bool carries_close = false;
  SentChunk chunks[kMaxChunks];
};

class SentPacketLog {
 public:
  // Packet numbers must be pushed in increasing order (gaps allowed).
  SentPacket& push(uint64_t pn) {
    SentPacket& p = ring_.push_back(SentPacket{});
    p.packet_number = pn;
    return p;
  }
  size_t size() const { return ring_.size(); }
  bool empty() const { return ring_.empty(); }
  SentPacket& at(size_t i) { return ring_[i]; }
  // Index of the first record whose packet number is >= pn (size() if none).
  size_t lowerIndex(uint64_t pn) const {
    size_t lo = 0, hi = ring_.size();
    while (lo < hi) {
      size_t mid = (lo + hi) / 2;
      if (ring_[mid].packet_number < pn) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }
  // Drops settled packets from the front.
  void popSettled() {
    while (!ring_.empty() && !ring_.front().outstanding) ring_.pop_front();
  }
  size_t allocatedBytes() const { return ring_.capacity() * sizeof(SentPacket); }
  void clear() { ring_.clear(); }

 private:
  RingBuffer<SentPacket> ring_;
};

}  // namespace outpost::transport
