// AckTracker: the receive side of packet numbers. Rejects duplicates and packets too old to
// judge (replay protection), remembers which packet numbers arrived, and produces the ranges of
// the next ACK frame. Bounded: it keeps at most kMaxTrackedRanges ranges; anything below the
// lowest kept range counts as already seen, so a replayed old packet is always dropped.
#pragma once

#include <cstdint>
#include <vector>

#include "base/clock.h"
#include "transport/frames.h"
#include "transport/range_set.h"

namespace outpost::transport {

class AckTracker {
 public:
  static constexpr size_t kMaxTrackedRanges = 32;

  enum class Verdict { kNew, kDuplicate, kTooOld };
  Verdict check(uint64_t pn) const;
  // Records an authenticated packet. Call only after check() returned kNew.
  void record(uint64_t pn, base::TimeUs now, bool ack_eliciting);

  uint64_t largest() const { return ranges_.empty() ? 0 : ranges_.back().end - 1; }
  uint64_t expectedNext() const { return ranges_.empty() ? 1 : ranges_.back().end; }
  bool ackPending() const { return ack_pending_; }
  int unackedElicitingCount() const { return unacked_eliciting_; }
  base::TimeUs firstUnackedTime() const { return first_unacked_time_; }
  // Fills `out` with ranges, largest first, and the delay since the largest arrived.
  void buildAck(std::vector<frames::AckRange>& out, base::TimeUs now, uint64_t* ack_delay_us) const;
  void onAckSent();

 private:
  RangeSet ranges_;
  uint64_t floor_ = 1;  // packet numbers below this count as seen
  base::TimeUs largest_time_ = 0;
  bool ack_pending_ = false;
  int unacked_eliciting_ = 0;
  base::TimeUs first_unacked_time_ = 0;
};

}  // namespace outpost::transport
