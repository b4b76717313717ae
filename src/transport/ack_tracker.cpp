// AckTracker (see ack_tracker.h). Runs under the engine lock.
#include "transport/ack_tracker.h"

namespace outpost::transport {

AckTracker::Verdict AckTracker::check(uint64_t pn) const {
  if (pn < floor_) return Verdict::kTooOld;
  if (ranges_.contains(pn)) return Verdict::kDuplicate;
  return Verdict::kNew;
}

void AckTracker::record(uint64_t pn, base::TimeUs now, bool ack_eliciting) {
  bool is_largest = ranges_.empty() || pn >= ranges_.back().end;
  ranges_.add(pn, pn + 1);
  if (ranges_.count() > kMaxTrackedRanges) {
    ranges_.keepHighest(kMaxTrackedRanges);
    floor_ = ranges_.front().start;
  }
  if (is_largest) largest_time_ = now;
  if (ack_eliciting) {
    if (!ack_pending_) first_unacked_time_ = now;
    ack_pending_ = true;
    ++unacked_eliciting_;
  }
}

void AckTracker::buildAck(std::vector<frames::AckRange>& out, base::TimeUs now, uint64_t* ack_delay_us) const {
  out.clear();
  for (size_t i = ranges_.count(); i-- > 0;) {
    const Range& r = ranges_[i];
    out.push_back({r.start, r.end - 1});
    if (out.size() > frames::kMaxAckRanges) break;
  }
  *ack_delay_us = now > largest_time_ ? static_cast<uint64_t>(now - largest_time_) : 0;
}

void AckTracker::onAckSent() {
  ack_pending_ = false;
  unacked_eliciting_ = 0;
}

}  // namespace outpost::transport
