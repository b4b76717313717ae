// SentPacketLog: what each sent, not yet settled packet carried (reliable stream ranges, a close
// frame), indexed by packet number in a ring. A packet leaves the log when it is acknowledged
// or declared lost; its ranges then go to SendStream::onAcked or onLost.
#pragma once

#include <cstdint>

#include "base/clock.h"
#include "transport/ring_buffer.h"

namespace outpost {

struct SentChunk {
  uint16_t lane = 0;
  uint32_t len = 0;
  uint64_t offset = 0;
};

struct SentPacket {
  static constexpr int kMaxChunks = 8;
  uint64_t packet_number = 0;
  TimeUs time_sent = 0;
  uint16_t bytes = 0;
  uint8_t chunk_count = 0;
  bool ack_eliciting = false;
  bool outstanding = false;  // not yet acknowledged or declared lost
  bool carries_close = false;
  SentChunk chunks[kMaxChunks];
};

class SentPacketLog {
 public:
  // Packet numbers must be pushed in increasing order without gaps.
  SentPacket& push(uint64_t pn) {
    if (ring_.empty()) first_pn_ = pn;
    SentPacket& p = ring_.push_back(SentPacket{});
    p.packet_number = pn;
    return p;
  }
  SentPacket* find(uint64_t pn) {
    if (ring_.empty() || pn < first_pn_ || pn >= first_pn_ + ring_.size()) return nullptr;
    return &ring_[static_cast<size_t>(pn - first_pn_)];
  }
  // Drops settled packets from the front.
  void popSettled() {
    while (!ring_.empty() && !ring_.front().outstanding) {
      ring_.pop_front();
      ++first_pn_;
    }
  }
  bool empty() const { return ring_.empty(); }
  uint64_t firstPacketNumber() const { return first_pn_; }
  uint64_t endPacketNumber() const { return first_pn_ + ring_.size(); }
  void clear() { ring_.clear(); }

 private:
  RingBuffer<SentPacket> ring_;
  uint64_t first_pn_ = 0;
};

}  // namespace outpost
